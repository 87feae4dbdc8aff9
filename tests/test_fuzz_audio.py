"""Fuzzing the audio reader with damaged real files of every format.

Bit flips (anywhere, or in the headers where parsers decide what to allocate), a
window overwritten with random bytes, truncation anywhere and at every frame or page
boundary, and random bytes behind every audio suffix. The property: an `AudioFile`
with a finite, positive duration the file's size can hold, or an `AudioError`
naming the file; never another exception, runaway memory or a hang.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from fuzzing import FUZZ, measured
from hypothesis import given, note
from hypothesis import strategies as st

from podcast import audio
from podcast.audio import frames
from podcast.errors import AudioError

FORMATS = [
    "mp3-xing",
    "mp3-cbr-no-header",
    "mp3-vbri",
    "m4a",
    "m4b",
    "aac",
    "ogg",
    "opus",
    "flac",
    "wav",
    "mp4-video",
]


def check(path: Path, target: str) -> None:
    with measured(target) as stats:
        try:
            found = audio.read(path)
        except AudioError as exc:
            stats.errors += 1
            assert str(path) in str(exc)
            return
    seconds = found.info.duration
    assert math.isfinite(seconds) and seconds > 0
    assert seconds <= found.info.size * 8 / audio.MIN_PLAUSIBLE_BITRATE + 1


ORIGINALS: dict[str, bytes] = {}  # filled once per module from the session's media files


@st.composite
def damaged(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(FORMATS))
    data = bytearray(ORIGINALS[name])
    how = draw(st.sampled_from(["flip", "flip-header", "window", "truncate"]))
    note(f"{name}, {how}")
    if how in ("flip", "flip-header"):
        reach = min(len(data), 4096) if how == "flip-header" else len(data)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, reach - 1))] ^= 1 << draw(st.integers(0, 7))
    elif how == "window":
        start = draw(st.integers(0, len(data) - 1))
        noise = draw(st.binary(min_size=1, max_size=64))
        data[start : start + len(noise)] = noise
    else:
        data = data[: draw(st.integers(1, len(data)))]
    return name, bytes(data)


@pytest.fixture(scope="module", autouse=True)
def originals(media) -> None:
    ORIGINALS.update({name: media[name].read_bytes() for name in FORMATS})


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-audio")


@FUZZ
@given(data=st.data())
def test_a_damaged_file_of_any_format_is_read_or_refused_clearly(scratch, media, data):
    name, damaged_bytes = data.draw(damaged(), label="file")
    path = scratch / f"damaged{media[name].suffix}"
    path.write_bytes(damaged_bytes)
    check(path, "audio damaged")


@FUZZ
@given(
    noise=st.binary(min_size=1, max_size=4096),
    suffix=st.sampled_from(sorted({s for f in audio.FORMATS.values() for s in f.suffixes})),
)
def test_random_bytes_behind_an_audio_suffix_are_refused_clearly(scratch, noise, suffix):
    path = scratch / f"random{suffix}"
    path.write_bytes(noise)
    check(path, "audio random")


def mpeg_boundaries(data: bytes) -> list[int]:
    stream = frames.scan_mpeg(data, count=False)
    pos, found = stream.first, []
    while (frame := frames.mpeg_frame(data, pos)) is not None:
        pos += frame.length
        found.append(pos)
    return found


def ogg_boundaries(data: bytes) -> list[int]:
    return [i for i in range(1, len(data)) if data.startswith(b"OggS", i)] + [len(data)]


@pytest.mark.parametrize(
    ("name", "boundaries"),
    [
        ("mp3-cbr-no-header", mpeg_boundaries),
        ("mp3-xing", mpeg_boundaries),
        ("ogg", ogg_boundaries),
        ("opus", ogg_boundaries),
    ],
)
def test_a_file_cut_at_every_frame_or_page_boundary_is_read_or_refused_clearly(
    media, tmp_path, name, boundaries
):
    data = media[name].read_bytes()
    cuts = boundaries(data)
    assert len(cuts) > 10
    path = tmp_path / f"cut{media[name].suffix}"
    for cut in cuts:
        path.write_bytes(data[:cut])
        check(path, "audio cut")


@pytest.fixture(scope="module")
def tagged_mp3(media, tmp_path_factory) -> dict[int, bytes]:
    """A headerless VBR MP3 behind a v2.3 and a v2.4 tag of every frame we read (UTF-16 text,
    chapters, pictures), by ID3 version."""
    from test_audio_quick import rich_tag

    folder = tmp_path_factory.mktemp("tagged")
    made = {}
    for version in (3, 4):
        path = folder / f"tagged-{version}.mp3"
        path.write_bytes(media["mp3-vbr-no-header"].read_bytes())
        rich_tag(folder, b"\x89PNG\r\n\x1a\n" + bytes(40)).save(path, v2_version=version)
        made[version] = path.read_bytes()
    return made


@FUZZ
@given(data=st.data())
def test_a_damaged_tag_reads_the_same_the_quick_way_and_mutagens_way(scratch, tagged_mp3, data):
    original = tagged_mp3[data.draw(st.sampled_from([3, 4]), label="ID3 version")]
    damaged_bytes = bytearray(original)
    reach = frames.id3v2_end(original) + 64  # the tag, and the first frames after it
    if data.draw(st.booleans(), label="noise instead of flips"):
        start = data.draw(st.integers(0, reach - 1), label="where")
        noise = data.draw(st.binary(min_size=1, max_size=32), label="noise")
        damaged_bytes[start : start + len(noise)] = noise
    else:
        for _ in range(data.draw(st.integers(1, 6), label="flips")):
            damaged_bytes[data.draw(st.integers(0, reach - 1))] ^= 1 << data.draw(st.integers(0, 7))
    path = scratch / "damaged-tag.mp3"
    path.write_bytes(damaged_bytes)
    found = []
    for quick in (True, False):
        try:
            found.append(audio.read_what_can_be_read(path, quick=quick))
        except AudioError as exc:
            found.append(str(exc))
    assert found[0] == found[1]


@FUZZ
@given(data=st.data())
def test_a_damaged_tag_gives_a_build_the_stream_and_chapters_mutagens_way_gives(scratch, tagged_mp3, data):
    """A build reads no tags (`with_tags=False`): whatever the damage, what it reads is what the
    full reading reads, tags and cover art aside, or the same refusal."""
    from test_audio_quick import stream_and_chapters_both_ways

    original = tagged_mp3[data.draw(st.sampled_from([3, 4]), label="ID3 version")]
    damaged_bytes = bytearray(original)
    reach = frames.id3v2_end(original) + 64  # the tag, and the first frames after it
    if data.draw(st.booleans(), label="noise instead of flips"):
        start = data.draw(st.integers(0, reach - 1), label="where")
        noise = data.draw(st.binary(min_size=1, max_size=32), label="noise")
        damaged_bytes[start : start + len(noise)] = noise
    else:
        for _ in range(data.draw(st.integers(1, 6), label="flips")):
            damaged_bytes[data.draw(st.integers(0, reach - 1))] ^= 1 << data.draw(st.integers(0, 7))
    path = scratch / "damaged-tag-build.mp3"
    path.write_bytes(damaged_bytes)
    quick, full = stream_and_chapters_both_ways(path)
    assert quick == full
