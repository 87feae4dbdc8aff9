"""`podcast tag` writes an MP4's chapters as a Nero chapter list, and FFmpeg and mutagen read them back.

mutagen writes iTunes atoms but no chapters, so the movie box is rebuilt by us: these
tests hold the audio to be the same samples afterwards (chunk offsets moved right), on
an M4A whose media data follows the movie box and on one whose movie box comes first
(fast start, as podcast hosts like it), and the chapters to read back with FFmpeg's
own demuxer (PyAV), an independent parser.
"""

from __future__ import annotations

import shutil

import av
import pytest
from media import audio_md5, decoded_seconds, file_md5, remux

from podcast import audio
from podcast.errors import AudioError
from podcast.model import Chapter, Tags

CHAPTERS = (Chapter(0.0, "Welcome"), Chapter(3.5, "Über the news ☕"), Chapter(8.25, "Goodbye"))


def ffmpeg_chapters(path) -> list[tuple[float, str]]:
    with av.open(str(path)) as container:
        return [
            (round(float(c["start"] * c["time_base"]), 3), c["metadata"].get("title", ""))
            for c in container.chapters()
        ]


@pytest.fixture(params=["m4a", "m4a-fast-start", "m4b", "mp4-video"])
def mp4_file(request, media, tmp_path):
    if request.param == "m4a-fast-start":
        path = remux(media["m4a"], tmp_path / "fast.m4a", options={"movflags": "faststart"})
    else:
        path = tmp_path / media[request.param].name
        shutil.copy(media[request.param], path)
    return path


def test_chapters_written_into_an_mp4_read_back_and_the_audio_is_untouched(mp4_file):
    before_samples, before_seconds = audio_md5(mp4_file), decoded_seconds(mp4_file)
    duration = audio.probe(mp4_file).duration
    audio.write_tags(mp4_file, Tags(title="T"), chapters=CHAPTERS, duration=duration)
    assert ffmpeg_chapters(mp4_file) == [(0.0, "Welcome"), (3.5, "Über the news ☕"), (8.25, "Goodbye")]
    found = audio.read(mp4_file)
    assert [(c.start, c.title) for c in found.chapters] == [(c.start, c.title) for c in CHAPTERS]
    assert found.chapters_written_by_tag  # copies of the episode's: the build keeps its own source
    assert found.tags.title == "T"
    assert audio_md5(mp4_file) == before_samples
    assert decoded_seconds(mp4_file) == before_seconds


def test_writing_again_replaces_our_chapters_and_an_empty_list_removes_them(mp4_file):
    duration = audio.probe(mp4_file).duration
    audio.write_tags(mp4_file, Tags(), chapters=CHAPTERS, duration=duration)
    audio.write_tags(mp4_file, Tags(), chapters=CHAPTERS[:1], duration=duration)
    assert [c.title for c in audio.read(mp4_file).chapters] == ["Welcome"]
    audio.write_tags(mp4_file, Tags(), chapters=(), duration=duration)
    found = audio.read(mp4_file)
    assert found.chapters == () and not found.chapters_written_by_tag
    assert ffmpeg_chapters(mp4_file) == []


def test_an_editors_chapters_are_left_alone_unless_chapters_are_given(media, tmp_path):
    path = remux(
        media["m4a"], tmp_path / "edited.m4a", chapters=[(0.0, 4.0, "Editor's intro"), (4.0, 9.0, "Body")]
    )
    editors = [c.title for c in audio.read(path).chapters]
    assert editors == ["Editor's intro", "Body"]
    audio.write_tags(path, Tags(title="x"), chapters=(), duration=audio.probe(path).duration)  # ours only
    assert [c.title for c in audio.read(path).chapters] == editors


def test_more_chapters_than_an_mp4_holds_are_refused_and_nothing_is_written(media, tmp_path):
    path = tmp_path / "many.m4a"
    shutil.copy(media["m4a"], path)
    before = file_md5(path)
    many = tuple(Chapter(float(n) / 100, f"C{n}") for n in range(300))
    with pytest.raises(AudioError) as raised:
        audio.write_tags(path, Tags(title="x"), chapters=many, duration=audio.probe(path).duration)
    message = str(raised.value)
    assert str(path) in message and "at most 255 chapters" in message and "nothing was written" in message
    assert file_md5(path) == before


def test_an_mp4_whose_movie_box_is_damaged_is_refused_before_anything_is_written(media, tmp_path):
    path = tmp_path / "damaged.m4a"
    data = bytearray(media["m4a"].read_bytes())
    moov = data.index(b"moov") - 4
    first_child = moov + 8
    data[first_child : first_child + 4] = (10**6).to_bytes(4, "big")  # a child claiming a megabyte
    path.write_bytes(bytes(data))
    before = file_md5(path)
    with pytest.raises(AudioError) as raised:
        audio.write_tags(path, Tags(title="x"), chapters=CHAPTERS, duration=12.0)
    assert str(path) in str(raised.value)
    assert file_md5(path) == before
