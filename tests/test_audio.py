"""Reading audio: every format, true durations, tags, chapters, artwork, broken files, writing tags."""

from __future__ import annotations

import shutil

import mutagen
import mutagen.flac
import pytest
from media import audio_md5, cover, decoded_seconds, encode, frame_count, lame, remux, varied_signal
from mutagen.flac import Picture as FlacPicture
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, WXXX, CTOCFlags
from PIL import Image

from podcast import audio
from podcast.errors import AudioError
from podcast.model import Chapter, Picture, Tags

EXPECTED = {
    # fixture: (format, MIME type, Apple takes it)
    "mp3-xing": ("mp3", "audio/mpeg", True),
    "mp3-cbr-info": ("mp3", "audio/mpeg", True),
    "mp3-vbr-no-header": ("mp3", "audio/mpeg", True),
    "mp3-cbr-no-header": ("mp3", "audio/mpeg", True),
    "mp3-vbri": ("mp3", "audio/mpeg", True),
    "m4a": ("m4a", "audio/x-m4a", True),
    "m4b": ("m4b", "audio/x-m4a", False),  # the M4A type, but Apple's list has .m4a, not .m4b
    "mp4-video": ("mp4", "video/mp4", True),
    "m4v-video": ("m4v", "video/x-m4v", True),
    "aac": ("aac", "audio/aac", False),
    "ogg": ("ogg", "audio/ogg", False),
    "opus": ("opus", "audio/opus", False),
    "flac": ("flac", "audio/flac", False),
    "wav": ("wav", "audio/wav", False),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_format_is_read_with_its_mime_type_and_a_duration_within_half_a_second(media, name):
    found = audio.read(media[name])
    fmt, mime, apple = EXPECTED[name]
    assert (found.info.format, found.info.mime) == (fmt, mime)
    assert audio.FORMATS[fmt].apple is apple
    assert found.info.size == media[name].stat().st_size
    assert abs(found.info.duration - decoded_seconds(media[name])) < 0.5
    assert not found.info.duration_estimated and not found.info.truncated


@pytest.mark.parametrize(
    "fixture, name, expected",
    [
        ("mp4-video", "video.m4a", ("mp4", "video/mp4")),
        ("m4v-video", "video.m4b", ("mp4", "video/mp4")),
        ("mp4-video", "video.m4v", ("m4v", "video/x-m4v")),
        ("m4a", "audio.mp4", ("m4a", "audio/x-m4a")),
        ("m4b", "audio.m4v", ("m4a", "audio/x-m4a")),
    ],
)
def test_an_mp4_is_video_or_audio_by_its_tracks_not_its_name(media, tmp_path, fixture, name, expected):
    path = tmp_path / name
    shutil.copy(media[fixture], path)
    found = audio.read(path)
    assert (found.info.format, found.info.mime) == expected
    assert abs(found.info.duration - decoded_seconds(path)) < 0.5


def test_vbr_mp3_without_header_is_measured_by_counting_frames(media, tmp_path):
    path = media["mp3-vbr-no-header"]
    counted = frame_count(path.read_bytes()) * 1152 / 44100
    assert abs(mutagen.File(path).info.length - counted) > 5  # mutagen's estimate is far off
    assert audio.probe(path).duration == pytest.approx(counted, abs=0.001)
    assert audio.probe(path).bitrate == round(path.stat().st_size * 8 / counted)  # the mean, not frame 1's
    tagged = tmp_path / "tagged.mp3"
    shutil.copy(path, tagged)
    art = Picture("image/png", data=b"\x89PNG" + bytes(50_000))
    audio.write_tags(tagged, Tags(title="x"), artwork=art, duration=counted)
    assert audio.probe(tagged).bitrate == audio.probe(path).bitrate  # tags and artwork are not audio


def test_raw_aac_is_measured_by_counting_frames(media):
    path = media["aac"]
    assert abs(mutagen.File(path).info.length - decoded_seconds(path)) > 0.5  # mutagen estimates
    assert abs(audio.probe(path).duration - decoded_seconds(path)) < 0.05


def test_a_vbri_header_states_the_length(media):
    path = media["mp3-vbri"]
    frames = frame_count(path.read_bytes()[417:])
    assert audio.probe(path).duration == pytest.approx(frames * 1152 / 44100, abs=0.001)


@pytest.mark.parametrize("name", ["mp3-xing", "mp3-cbr-info"])
def test_two_mp3s_joined_last_as_long_as_both_though_the_first_header_counts_one(media, tmp_path, name):
    joined = tmp_path / "joined.mp3"
    joined.write_bytes(media[name].read_bytes() * 2)  # as `cat a.mp3 a.mp3 > joined.mp3`
    info = audio.probe(joined)
    assert abs(info.duration - decoded_seconds(joined)) < 0.5 and info.duration > 23
    assert not info.truncated


def test_a_truncated_mp3_reports_what_it_holds(media, tmp_path):
    cut = tmp_path / "cut.mp3"
    data = media["mp3-xing"].read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    info = audio.probe(cut)
    assert info.truncated
    assert abs(info.duration - decoded_seconds(cut)) < 0.5
    assert info.duration < 7


@pytest.mark.parametrize("name", ["wav", "m4a", "mp4-video"])
def test_truncated_wav_and_fast_start_mp4_are_flagged_with_their_real_length(media, tmp_path, name):
    source = media[name]
    if name != "wav":  # moov first, as podcast tools export it, so the index survives the cut
        source = tmp_path / f"faststart{media[name].suffix}"
        remux(media[name], source, options={"movflags": "+faststart"})
    cut = tmp_path / f"cut{source.suffix}"
    data = source.read_bytes()
    cut.write_bytes(data[: len(data) * 6 // 10])
    info = audio.probe(cut)
    assert info.truncated and not info.duration_estimated  # counted from the sample table
    assert abs(info.duration - decoded_seconds(cut)) < 0.5
    assert info.duration < 10


@pytest.mark.parametrize("name", ["ogg", "opus", "flac"])
def test_a_truncated_ogg_opus_or_flac_is_flagged_with_what_it_holds(media, tmp_path, name):
    cut = tmp_path / f"cut{media[name].suffix}"
    data = media[name].read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    info = audio.probe(cut)
    assert info.truncated
    assert abs(info.duration - decoded_seconds(cut)) < 0.5 and 0 < info.duration < 10


def _broken(tmp_path, media):
    files = {}
    files["empty.mp3"] = tmp_path / "empty.mp3"
    files["empty.mp3"].write_bytes(b"")
    files["m4a-named.mp3"] = tmp_path / "m4a-named.mp3"
    shutil.copy(media["m4a"], files["m4a-named.mp3"])
    files["aac-named.mp3"] = tmp_path / "aac-named.mp3"
    shutil.copy(media["aac"], files["aac-named.mp3"])
    files["text.mp3"] = tmp_path / "text.mp3"
    files["text.mp3"].write_text("Episode notes, saved with the wrong name.\n" * 40)
    files["no-moov.m4a"] = tmp_path / "no-moov.m4a"  # ffmpeg writes moov last: a cut file has none
    files["no-moov.m4a"].write_bytes(media["m4a"].read_bytes()[:20000])
    files["folder.mp3"] = tmp_path / "folder.mp3"  # a folder where the audio should be
    files["folder.mp3"].mkdir()
    for name, keep in (("flac", 3), ("wav", 20)):  # cut inside the first header
        files[f"cut.{name}"] = tmp_path / f"cut.{name}"
        files[f"cut.{name}"].write_bytes(media[name].read_bytes()[:keep])
    files["headers-only.opus"] = tmp_path / "headers-only.opus"  # cut inside the header pages
    files["headers-only.opus"].write_bytes(media["opus"].read_bytes()[:300])
    vorbis = media["ogg"].read_bytes()
    third_page = vorbis.find(b"OggS", vorbis.find(b"OggS", 1) + 1)  # Vorbis: two pages of headers
    files["headers-only.ogg"] = tmp_path / "headers-only.ogg"
    files["headers-only.ogg"].write_bytes(vorbis[:third_page])
    return files


REASONS = {
    "empty.mp3": ("empty (0 bytes)", "export or upload"),
    "m4a-named.mp3": ("MP4/M4A file named .mp3", "rename it to m4a-named.m4a"),
    "aac-named.mp3": ("raw AAC file named .mp3", "rename it to aac-named.aac"),
    "text.mp3": ("is not a valid MP3 file", "export or upload it again"),
    "cut.flac": ("is not a valid FLAC file", "export or upload it again"),
    "cut.wav": ("is not a valid WAV file", "export or upload it again"),
    "no-moov.m4a": ("cut short", "upload or export it again"),
    "folder.mp3": ("is a folder, not an audio file", "name the audio file inside it"),
    "headers-only.opus": ("holds no audio", "export or upload it again"),
    "headers-only.ogg": ("holds no audio", "export or upload it again"),
}


@pytest.mark.parametrize("name", sorted(REASONS))
def test_broken_files_get_one_line_with_the_file_the_reason_and_what_to_do(media, tmp_path, name):
    path = _broken(tmp_path, media)[name]
    with pytest.raises(AudioError) as caught:
        audio.read(path)
    message = str(caught.value)
    reason, todo = REASONS[name]
    assert message.startswith(str(path)) and reason in message and todo in message
    assert "\n" not in message and "()" not in message and "bytes, read" not in message


def test_tags_are_read_from_id3_mp4_and_vorbis_comments(media, tmp_path):
    metadata = {"title": "Tagged Title", "artist": "Ann Host", "album": "The Show", "date": "2025-04-02",
                "comment": "About this one", "track": "7", "disc": "2", "genre": "Podcast"}  # fmt: skip
    for suffix, codec in ((".mp3", "libmp3lame"), (".m4a", "aac"), (".ogg", "vorbis"), (".flac", "flac")):
        out = encode(media["wav"], tmp_path / f"tagged{suffix}", codec, metadata=metadata)
        tags = audio.read(out).tags
        assert (tags.title, tags.artist, tags.album, tags.date) == (
            "Tagged Title",
            "Ann Host",
            "The Show",
            "2025-04-02",
        )
        assert (tags.comment, tags.track, tags.disc, tags.genre) == ("About this one", 7, 2, "Podcast")


def test_chapters_written_by_ffmpeg_are_read_from_mp3_and_m4a(media, tmp_path):
    written = [(0, 4, "Welcome"), (4, 12, "The interview")]
    for suffix, codec in ((".mp3", "libmp3lame"), (".m4a", "aac")):
        out = encode(media["wav"], tmp_path / f"chapters{suffix}", codec, chapters=written)
        chapters = audio.read(out).chapters
        assert [(c.start, c.title) for c in chapters] == [(0.0, "Welcome"), (4.0, "The interview")]
        assert chapters[0].end == pytest.approx(4.0)


def test_id3_chapters_carry_their_url_and_image(media, tmp_path):
    path = tmp_path / "chapters.mp3"
    shutil.copy(media["mp3-xing"], path)
    png = cover(tmp_path / "slide.png", (320, 180), "orange").read_bytes()
    tags = ID3()
    tags.add(
        CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["b", "a"])
    )
    tags.add(CHAP(element_id="a", start_time=6000, end_time=12000, sub_frames=[TIT2(text="Second")]))
    sub = [
        TIT2(text="First"),
        WXXX(url="https://example.com/first"),
        APIC(mime="image/png", type=0, data=png),
    ]
    tags.add(CHAP(element_id="b", start_time=0, end_time=6000, sub_frames=sub))
    tags.save(path)
    first, second = audio.read(path).chapters
    assert (first.title, first.start, first.end, first.url) == (
        "First",
        0.0,
        6.0,
        "https://example.com/first",
    )
    assert (first.picture.mime, first.picture.width, first.picture.height) == ("image/png", 320, 180)
    assert (second.title, second.start, second.picture) == ("Second", 6.0, None)


def test_embedded_artwork_is_read_with_its_type_and_size(media, tmp_path):
    art = cover(tmp_path / "cover.jpg", (640, 480))
    for suffix, codec in ((".mp3", "libmp3lame"), (".m4a", "aac")):
        out = encode(media["wav"], tmp_path / f"art{suffix}", codec, cover=art)
        found = audio.read(out).artwork
        assert (found.mime, found.width, found.height) == ("image/jpeg", 640, 480)
        assert found.data == art.read_bytes()


def _embed_pictures(path, pictures: list[tuple[int, bytes]]) -> None:
    """Replace the file's embedded pictures with these (picture type, PNG bytes), in this order."""
    file = mutagen.File(path)
    if isinstance(file, mutagen.flac.FLAC):
        file.clear_pictures()
        for kind, data in pictures:
            block = FlacPicture()
            block.type, block.mime, block.data = kind, "image/png", data
            file.add_picture(block)
    else:
        if file.tags is None:
            file.add_tags()
        file.tags.delall("APIC")
        for index, (kind, data) in enumerate(pictures):
            file.tags.add(APIC(mime="image/png", type=kind, desc=str(index), data=data))
    file.save()


@pytest.mark.parametrize("name", ["mp3-xing", "flac"])
def test_the_artwork_is_the_front_cover_else_the_first_picture(media, tmp_path, name):
    path = tmp_path / media[name].name
    shutil.copy(media[name], path)
    small = cover(tmp_path / "small.png", (300, 200), "gray").read_bytes()
    large = cover(tmp_path / "large.png", (500, 500), "teal").read_bytes()
    _embed_pictures(path, [(4, small), (3, large)])  # a back cover, then the front cover
    assert audio.read(path).artwork.width == 500
    _embed_pictures(path, [(4, small), (0, large)])  # a back cover, then "other": no front cover
    assert audio.read(path).artwork.width == 300


TAGS = Tags(
    title="Episode One",
    artist="Ann Host, Bo Guest",
    album="Test Show",
    date="2025-04-02",
    comment="What we talk about.",
    description="What we talk about.",
    track=1,
    disc=2,
    genre="Podcast",
    feed_url="https://cdn.example.com/show/feed.xml",
    guid="5f0c2b8e-4d7a-4c1e-9b3f-2a6d8e1c7b40",
    podcast=True,
)


@pytest.mark.parametrize(
    "name", ["mp3-xing", "mp3-vbr-no-header", "m4a", "m4b", "ogg", "opus", "flac", "wav"]
)
def test_written_tags_read_back_and_the_audio_stays_byte_identical(media, tmp_path, name):
    path = tmp_path / media[name].name
    shutil.copy(media[name], path)
    before = audio_md5(path)
    art = cover(tmp_path / "art.png", (1400, 1400))
    picture = Picture("image/png", 1400, 1400, art.read_bytes())
    chapters = (Chapter(0.0, "Start", url="https://example.com/a"), Chapter(5.0, "Later"))
    audio.write_tags(path, TAGS, artwork=picture, chapters=chapters, duration=audio.probe(path).duration)
    assert audio_md5(path) == before
    found = audio.read(path)
    expected = TAGS
    assert found.tags == expected
    assert (found.artwork.mime, found.artwork.width) == ("image/png", 1400)
    if not name.startswith("m4"):  # MP4 gets no chapters from us
        assert [(c.start, c.title, c.url) for c in found.chapters] == [
            (0.0, "Start", "https://example.com/a"),
            (5.0, "Later", None),
        ]
        assert found.chapters[-1].end == pytest.approx(found.info.duration, abs=0.002)  # the true length
    if name.startswith("mp3") or name == "wav":
        assert mutagen.File(path).tags.version == (2, 4, 0)


def test_raw_aac_cannot_be_tagged(media, tmp_path):
    path = tmp_path / "raw.aac"
    shutil.copy(media["aac"], path)
    with pytest.raises(AudioError, match="convert it to M4A"):
        audio.write_tags(path, TAGS, duration=audio.probe(path).duration)


def test_the_artwork_size_comes_from_the_image_itself(tmp_path):
    image = tmp_path / "a.png"
    Image.new("RGB", (300, 200)).save(image)
    from podcast.audio.pictures import picture

    found = picture(image.read_bytes(), "image/jpeg")  # a tag that declares the wrong type
    assert (found.mime, found.width, found.height) == ("image/png", 300, 200)


def test_the_two_references_agree_on_a_stream_we_encoded(tmp_path):
    # ffmpeg's full decode plays exactly the frames a headerless lameenc stream holds.
    path = tmp_path / "ref.mp3"
    path.write_bytes(lame(varied_signal(3.0), vbr=True))
    assert decoded_seconds(path) == pytest.approx(frame_count(path.read_bytes()) * 1152 / 44100, abs=0.01)


def test_a_header_that_counts_more_bytes_than_the_audio_is_not_called_truncated(media, tmp_path):
    # Some tools count their tags in the Xing byte count; every frame is still there.
    data = bytearray(media["mp3-xing"].read_bytes())
    start = data.index(b"Xing")
    flags = int.from_bytes(data[start + 4 : start + 8], "big")
    assert flags & 3 == 3
    size_at = start + 12
    stated = int.from_bytes(data[size_at : size_at + 4], "big")
    data[size_at : size_at + 4] = (stated + 100_000).to_bytes(4, "big")
    path = tmp_path / "generous.mp3"
    path.write_bytes(bytes(data))
    info = audio.probe(path)
    assert not info.truncated
    assert abs(info.duration - decoded_seconds(path)) < 0.5


@pytest.mark.parametrize("name", ["ogg", "opus", "flac"])
def test_vorbis_comment_chapters_are_read(media, tmp_path, name):
    path = tmp_path / media[name].name
    shutil.copy(media[name], path)
    tagged = mutagen.File(path)
    tagged["CHAPTER001"] = "00:00:00.000"
    tagged["CHAPTER001NAME"] = "Opening"
    tagged["CHAPTER002"] = "00:00:07.500"
    tagged["CHAPTER002NAME"] = "Closing"
    tagged["CHAPTER002URL"] = "https://example.com/closing"
    tagged.save()
    first, second = audio.read(path).chapters
    assert (first.start, first.title, first.end) == (0.0, "Opening", 7.5)
    assert (second.start, second.title, second.url) == (7.5, "Closing", "https://example.com/closing")


def test_mpeg2_layer3_and_mpeg1_layer2_streams_are_counted_too(mp3_factory, media, tmp_path):
    low_rate = mp3_factory(5.0)  # lameenc at 22.05 kHz: MPEG-2 layer III, 576 samples a frame
    layer2 = tmp_path / "layer2.mp3"
    encode(media["wav"], layer2, "mp2", container_format="mp2", bit_rate=128000)
    for path in (low_rate, layer2):
        assert abs(audio.probe(path).duration - decoded_seconds(path)) < 0.05


def _aiff_with_tags(media, tmp_path):
    path = encode(media["wav"], tmp_path / "take.aiff", "pcm_s16be")
    tagged = mutagen.File(path)
    tagged.add_tags()
    tagged.tags.add(TIT2(text="Studio take"))
    tagged.save()
    return path


@pytest.mark.parametrize(
    ("name", "named", "fmt", "advice"),
    [
        ("mp3-xing", "episode.id3", "mp3", "rename it to episode.mp3"),
        ("m4a", "episode.3g2", "m4a", "rename it to episode.m4a"),
        ("aiff", "take.aiff", "aiff", "podcast apps do not play; export it as MP3 or M4A"),
    ],
)
def test_what_the_build_refuses_is_still_read_with_its_advice(media, tmp_path, name, named, fmt, advice):
    if name == "aiff":
        path = _aiff_with_tags(media, tmp_path)
    else:
        path = tmp_path / named
        shutil.copy(media[name], path)
    found, refusal = audio.read_what_can_be_read(path)
    assert found.info.format == fmt
    assert abs(found.info.duration - decoded_seconds(path)) < 0.05
    if name == "aiff":
        assert found.tags.title == "Studio take"
    assert advice in refusal.reason
    with pytest.raises(AudioError) as caught:  # the build reads with audio.read: refused, same advice
        audio.read(path)
    assert caught.value.reason == refusal.reason


def test_the_reference_encoders_and_decoder_need_no_ffmpeg_program(media, tmp_path, monkeypatch):
    # The README's set-up is `pip install -e '.[test]'`: PyAV's wheels carry FFmpeg's libraries.
    monkeypatch.setenv("PATH", "")
    made = encode(media["wav"], tmp_path / "again.opus", "libopus", bit_rate=32000)
    assert decoded_seconds(made) == pytest.approx(12.0, abs=0.01)
    assert audio.probe(made).duration == pytest.approx(decoded_seconds(made), abs=0.01)


# Reads a file with audio.read in a fresh process and prints what it found and the mutagen modules
# it then holds.
_READ_THEN_LIST_MUTAGEN = """
import json, sys
from pathlib import Path
from podcast import audio
info = audio.read(Path(sys.argv[1])).info
print(json.dumps([info.format, info.duration, sorted(m for m in sys.modules if m.startswith("mutagen"))]))
"""


@pytest.mark.parametrize("name", ["mp3-xing", "mp3-vbr-no-header"])
def test_reading_an_mp3_loads_no_other_formats_reader(media, name):
    """mutagen's MP4, Ogg, FLAC, WAVE, AIFF and AAC readers are loaded when a file needs them (see
    test_every_format_is_read...): a show of MP3s never loads them, and its files read the same."""
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _READ_THEN_LIST_MUTAGEN, str(media[name])],
        capture_output=True,
        text=True,
        cwd=media[name].parent,
        check=True,
    )
    fmt, duration, modules = json.loads(done.stdout)
    assert (fmt, duration) == ("mp3", audio.read(media[name]).info.duration)
    assert "mutagen.mp3" in modules
    others = {"mutagen.mp4", "mutagen.flac", "mutagen.ogg", "mutagen.wave", "mutagen.aiff", "mutagen.aac"}
    assert not others & set(modules)


def test_a_file_s_format_by_its_suffix_is_the_first_in_the_table_that_names_the_suffix():
    """format_for_suffix answers from a table made once: the first format of FORMATS listing
    the suffix, whatever its case, and None for a suffix no format lists."""
    from pathlib import Path

    from podcast.audio import FORMATS, format_for_suffix

    suffixes = {suffix for f in FORMATS.values() for suffix in f.suffixes} | {".mp2", ".txt", ""}
    for suffix in suffixes:
        for spelled in (suffix, suffix.upper(), suffix.title()):
            expected = next((f for f in FORMATS.values() if suffix in f.suffixes), None)
            assert format_for_suffix(Path(f"episode{spelled}")) is expected, spelled
    assert format_for_suffix(Path("episode.MP3")).name == "mp3"
    assert format_for_suffix(Path("episode.oga")).name == "ogg"
