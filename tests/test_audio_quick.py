"""Reading an MP3 the quick way gives exactly what mutagen's full reading gives.

The quick way (podcast/audio/id3frames.py for the tag, the many-frames-at-a-time walk
in frames.py for the length) is what a cold build uses for every MP3. Each file here
is real audio behind a tag of one kind: written by mutagen as v2.3 and v2.4, or built
byte by byte for the encodings and oddities taggers write. The property: `audio.read`
and `audio.read(quick=False)` return the same AudioFile (or refuse with the same
message); and the common kinds are really read the quick way, the odd ones handed to
mutagen.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from media import cover
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCON,
    TDES,
    TDRC,
    TGID,
    TIT2,
    TPE1,
    TPOS,
    TRCK,
    TXXX,
    WFED,
    WXXX,
    CTOCFlags,
)

from podcast import audio
from podcast.audio import frames, id3frames
from podcast.errors import AudioError
from podcast.model import Tags

STREAMS = ["mp3-xing", "mp3-cbr-info", "mp3-cbr-no-header", "mp3-vbr-no-header", "mp3-vbri"]


def both_ways(path: Path) -> tuple[object, object]:
    """What the quick and the full reading make of `path`: an AudioFile, or the refusal's text."""
    found = []
    for quick in (True, False):
        try:
            found.append(audio.read_what_can_be_read(path, quick=quick))
        except AudioError as exc:
            found.append(str(exc))
    return found[0], found[1]


def read_quickly(path: Path) -> None:
    """Raises id3frames.Unusual when the tag is one the quick way hands to mutagen."""
    data = path.read_bytes()
    id3frames.read(data, len(data))


def rich_tag(tmp_path: Path, picture_png: bytes) -> ID3:
    """Every frame we read, as a producer's tools write them (chapters with titles, links, images)."""
    tags = ID3()
    tags.add(TIT2(encoding=1, text="Ketamine — a careful look"))
    tags.add(TPE1(encoding=1, text=["Dr. Ada", "Bo Ng"]))
    tags.add(TALB(encoding=0, text="The Clinic Hour"))
    tags.add(TDRC(encoding=0, text="2025-04-02"))
    tags.add(COMM(encoding=1, lang="eng", desc="iTunNORM", text=" 0000 0000"))
    tags.add(COMM(encoding=1, lang="eng", desc="", text="Ünïcode notes, " * 120))
    tags.add(TXXX(encoding=3, desc="comment", text="from ffmpeg"))
    tags.add(TDES(encoding=1, text="A longer description. " * 40))
    tags.add(TRCK(encoding=0, text="7/12"))
    tags.add(TPOS(encoding=0, text="2"))
    tags.add(TCON(encoding=0, text="(186)Podcast"))
    tags.add(WFED(url="https://example.com/feed.xml"))
    tags.add(TGID(encoding=0, text="urn:uuid:1234"))
    tags.add(PCST(value=1))
    tags.add(APIC(encoding=1, mime="image/png", type=3, desc="cover", data=picture_png))
    tags.add(APIC(encoding=0, mime="PNG", type=0, desc="back", data=picture_png))
    for number, start in enumerate((0, 4000, 8000)):
        sub = [TIT2(encoding=1, text=f"Part {number}")]
        if number == 1:
            sub.append(WXXX(encoding=0, desc="", url="https://example.com/part"))
            sub.append(APIC(encoding=0, mime="image/png", type=0, desc="", data=picture_png))
        tags.add(CHAP(element_id=f"ch{number}", start_time=start, end_time=start + 4000, sub_frames=sub))
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=["ch2", "ch0", "ch1"],
            sub_frames=[TIT2(encoding=0, text="Contents")],
        )
    )
    return tags


@pytest.fixture(scope="module")
def png(tmp_path_factory) -> bytes:
    return cover(tmp_path_factory.mktemp("png") / "c.png", (64, 48), "teal").read_bytes()


@pytest.mark.parametrize("version", [3, 4])
@pytest.mark.parametrize("stream", STREAMS)
def test_a_tag_written_by_mutagen_reads_the_same_both_ways_on_every_kind_of_stream(
    media, tmp_path, png, stream, version
):
    path = tmp_path / "episode.mp3"
    path.write_bytes(media[stream].read_bytes())
    rich_tag(tmp_path, png).save(path, v2_version=version)
    quick, full = both_ways(path)
    assert quick == full
    read_quickly(path)  # this one is read the quick way, not handed to mutagen
    assert quick[0].tags.comment.startswith("Ünïcode notes")
    assert [c.title for c in quick[0].chapters] == ["Part 2", "Part 0", "Part 1"]


# ------------------------------------------------------------------ tags built byte by byte


def synchsafe(size: int) -> bytes:
    return bytes(((size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F))


def frame(frame_id: str, data: bytes, *, version: int = 4, flags: int = 0, plain: bool = False) -> bytes:
    size = len(data).to_bytes(4, "big") if version == 3 or plain else synchsafe(len(data))
    return frame_id.encode("latin1") + size + flags.to_bytes(2, "big") + data


def tag(version: int, *frames_: bytes, flags: int = 0, padding: int = 64, extended: bytes = b"") -> bytes:
    body = extended + b"".join(frames_) + bytes(padding)
    return b"ID3" + bytes((version, 0, flags)) + synchsafe(len(body)) + body


LATIN1, UTF16, UTF16BE, UTF8 = 0, 1, 2, 3


def text(encoding: int, *values: str, bom: bytes | None = b"\xff\xfe", end: bool = True) -> bytes:
    """A text frame's data: the encoding byte, then each value and its terminator."""
    codec = {LATIN1: "latin1", UTF16: "utf-16-le", UTF16BE: "utf-16-be", UTF8: "utf-8"}[encoding]
    zero = b"\x00\x00" if encoding in (UTF16, UTF16BE) else b"\x00"
    parts = []
    for value in values:
        encoded = value.encode(codec)
        if encoding == UTF16 and bom is not None:
            encoded = bom + (value.encode("utf-16-be") if bom == b"\xfe\xff" else encoded)
        parts.append(encoded + zero)
    data = b"".join(parts)
    return bytes((encoding,)) + (data if end else data[: -len(zero)])


def comm(encoding: int, desc: str, value: str, lang: bytes = b"eng") -> bytes:
    return bytes((encoding,)) + lang + text(encoding, desc, value)[1:]


# name: (version, frames, whether the quick way reads it itself)
BUILT: dict[str, tuple[int, list[bytes], bool]] = {
    "latin-1": (3, [frame("TIT2", text(LATIN1, "Café"), version=3)], True),
    "utf-16 little-endian BOM": (3, [frame("TIT2", text(UTF16, "Tïtle ☕"), version=3)], True),
    "utf-16 big-endian BOM": (4, [frame("TIT2", text(UTF16, "Tïtle ☕", bom=b"\xfe\xff"))], True),
    "utf-16 without BOM": (3, [frame("TIT2", text(UTF16, "No BOM ☕", bom=None), version=3)], True),
    "utf-16 astral": (4, [frame("TIT2", text(UTF16, "🎙 mic"))], True),
    "utf-16be": (4, [frame("TIT2", text(UTF16BE, "Big end ☕"))], True),
    "utf-8": (4, [frame("TIT2", text(UTF8, "Ütf-8 ☕"))], True),
    "unterminated": (4, [frame("TIT2", text(UTF16, "no end", end=False))], True),
    "several values": (4, [frame("TPE1", text(UTF8, "", "Second", "Third"))], True),
    "zero padding after the value (v2.3)": (
        3,
        [frame("TIT2", text(LATIN1, "Padded") + bytes(5), version=3)],
        True,
    ),
    "zero padding after the value (v2.4)": (4, [frame("TIT2", text(LATIN1, "Padded") + bytes(5))], True),
    "only an encoding byte": (4, [frame("TIT2", b"\x01"), frame("TALB", text(LATIN1, "Album"))], True),
    "bad encoding byte": (4, [frame("TIT2", b"\x07abc")], True),
    "comments, iTunes' first": (
        4,
        [frame("COMM", comm(UTF16, "iTunNORM", "0000")), frame("COMM", comm(UTF16, "", "Notes"))],
        True,
    ),
    "comment with no text": (3, [frame("COMM", comm(UTF16, "", "")[:-2], version=3)], True),
    "comment with a language not ascii": (4, [frame("COMM", comm(LATIN1, "", "x", lang=b"\xe9ng"))], True),
    "comment as TXXX": (4, [frame("TXXX", text(UTF8, "Description", "From ffmpeg"))], True),
    "year, date and time (v2.3)": (
        3,
        [
            frame("TYER", text(LATIN1, "2024"), version=3),
            frame("TDAT", text(LATIN1, "0204"), version=3),
            frame("TIME", text(LATIN1, "1530"), version=3),
        ],
        True,
    ),
    "a year only": (3, [frame("TYER", text(LATIN1, "2019"), version=3)], True),
    "a year that is not one": (3, [frame("TYER", text(LATIN1, "19"), version=3)], True),
    "TDRC and TYER": (
        4,
        [frame("TDRC", text(LATIN1, "2025-01-02T03:04")), frame("TYER", text(LATIN1, "1999"))],
        True,
    ),
    "genre numbers": (4, [frame("TCON", text(LATIN1, "12", "(20)(RX)Talk"))], True),
    "genre empty then named": (4, [frame("TCON", text(LATIN1, "", "Talk"))], True),
    "track and disc": (4, [frame("TRCK", text(LATIN1, "03/10")), frame("TPOS", text(LATIN1, "x"))], True),
    "feed and guid": (
        4,
        [frame("WFED", b"https://e.com/f\x00junk"), frame("TGID", text(LATIN1, "g-1"))],
        True,
    ),
    "podcast flag": (4, [frame("PCST", b"\x00\x00\x00\x01")], True),
    "frame cut off by the tag's end": (
        4,
        [frame("TALB", text(LATIN1, "A")), b"TIT2" + synchsafe(400) + b"\x00\x00\x00Hi"],
        True,
    ),
    "itunes plain frame sizes in v2.4": (
        4,
        [
            frame("TIT2", text(LATIN1, "x" * 200), plain=True),
            frame("TALB", text(LATIN1, "y" * 300), plain=True),
        ],
        True,
    ),
    "unknown and experimental frames": (4, [frame("XYZW", b"abc"), frame("TIT2", text(LATIN1, "T"))], True),
    # Handed to mutagen:
    "two title frames": (4, [frame("TIT2", text(LATIN1, "One")), frame("TIT2", text(LATIN1, "Two"))], False),
    "v2.2 names in v2.3": (3, [frame("TT2\x00", text(LATIN1, "Old name"), version=3)], False),
    "compressed frame (v2.3)": (
        3,
        [
            frame(
                "TIT2",
                len(text(LATIN1, "Zipped")).to_bytes(4, "big") + zlib.compress(text(LATIN1, "Zipped")),
                version=3,
                flags=0x0080,
            )
        ],
        False,
    ),
    "data length indicator (v2.4)": (
        4,
        [frame("TIT2", synchsafe(8) + text(LATIN1, "Sized!"), flags=0x0001)],
        False,
    ),
    "utf-8 that does not decode": (4, [frame("TIT2", b"\x03\xff\xfe bad")], False),
    "odd utf-16": (4, [frame("TIT2", b"\x01\xff\xfeA\x00B")], False),
}


def chapter_frames(version: int) -> list[bytes]:
    sub = frame("TIT2", text(UTF16, "Intro"), version=version)
    sub += frame("WXXX", b"\x00\x00https://example.com/intro", version=version)
    chap = frame(
        "CHAP",
        b"c1\x00" + (0).to_bytes(4, "big") + (5000).to_bytes(4, "big") + bytes(8) + sub,
        version=version,
    )
    toc = frame(
        "CTOC", b"t\x00\x03\x01c1\x00" + frame("TIT2", text(LATIN1, "TOC"), version=version), version=version
    )
    return [chap, toc]


BUILT["chapters (v2.3)"] = (3, chapter_frames(3), True)
BUILT["chapters (v2.4)"] = (4, chapter_frames(4), True)
BUILT["chapter too short for its times"] = (4, [frame("CHAP", b"c1\x00\x00\x00")], True)
BUILT["a chapter inside a chapter"] = (
    4,
    [frame("CHAP", b"outer\x00" + bytes(16) + frame("CHAP", b"inner\x00" + bytes(16)))],
    False,
)


@pytest.mark.parametrize("name", list(BUILT))
def test_a_tag_built_byte_by_byte_reads_the_same_both_ways(media, tmp_path, name):
    version, built, quick_way = BUILT[name]
    path = tmp_path / "built.mp3"
    path.write_bytes(tag(version, *built) + media["mp3-vbr-no-header"].read_bytes())
    quick, full = both_ways(path)
    assert quick == full
    if quick_way:
        read_quickly(path)
    else:
        with pytest.raises(id3frames.Unusual):
            read_quickly(path)


@pytest.mark.parametrize(
    "name",
    [
        "unsynchronisation",
        "extended header (v2.3)",
        "extended header (v2.4)",
        "ID3v2.2",
        "ID3v1 at the end",
        "tag longer than the file",
        "no tag at all",
        "two tags (as WMP writes)",
    ],
)
def test_a_tag_only_mutagen_reads_exactly_is_handed_to_it_with_the_same_result(media, tmp_path, name):
    body = media["mp3-xing"].read_bytes()
    title = frame("TIT2", text(LATIN1, "Un\xffsynched"), version=3)
    if name == "unsynchronisation":
        data = tag(3, title.replace(b"\xff", b"\xff\x00"), flags=0x80) + body
    elif name == "extended header (v2.3)":
        data = tag(3, title, flags=0x40, extended=b"\x00\x00\x00\x06" + bytes(6)) + body
    elif name == "extended header (v2.4)":
        data = (
            tag(4, frame("TIT2", text(LATIN1, "Ext")), flags=0x40, extended=synchsafe(6) + b"\x01\x00") + body
        )
    elif name == "ID3v2.2":
        data = b"ID3\x02\x00\x00" + synchsafe(16) + b"TT2\x00\x00\x05\x00Old!" + bytes(6) + body
    elif name == "ID3v1 at the end":
        v1 = b"TAG" + b"V1 title".ljust(30, b"\x00") + bytes(94) + b"\xff"
        data = tag(4, frame("TALB", text(LATIN1, "Album"))) + body + v1
    elif name == "tag longer than the file":
        data = b"ID3\x04\x00\x00" + synchsafe(len(body) * 2) + body
    elif name == "no tag at all":
        data = body
    else:
        data = (
            tag(4, frame("TIT2", text(LATIN1, "First")))
            + tag(4, frame("TIT2", text(LATIN1, "Second")))
            + body
        )
    path = tmp_path / "odd.mp3"
    path.write_bytes(data)
    quick, full = both_ways(path)
    assert quick == full


@pytest.mark.parametrize(
    ("frame_id", "data"),
    [
        ("RVA2", b"id\x00\x01\x00"),  # a volume field of one byte: mutagen refuses the whole tag
        ("RVA2", b"id\x00\x01\x00\x00\x10\x7f\xff"),
        ("ETCO", b"\x01\x05"),
        ("EQU2", b"\x00id\x00\x00"),
        ("SYLT", b"\x00eng\x01\x01\x00"),
        ("ASPI", b"\x00"),
        ("RVAD", b"\x00\x10\x00"),
    ],
)
def test_a_frame_mutagen_may_fail_on_sends_the_tag_to_mutagen(media, tmp_path, frame_id, data):
    path = tmp_path / "fragile.mp3"
    path.write_bytes(
        tag(4, frame("TIT2", text(LATIN1, "T")), frame(frame_id, data)) + media["mp3-xing"].read_bytes()
    )
    quick, full = both_ways(path)
    assert quick == full
    with pytest.raises(id3frames.Unusual):
        read_quickly(path)


# Fields mutagen reads without an error it does not catch, whatever the bytes (it checks
# that a field has data before reading it; text that does not decode is its SpecError).
SAFE_FIELDS = {
    "BinaryDataSpec", "ByteSpec", "CTOCFlagsSpec", "EncodedTextSpec", "EncodingSpec", "FrameIDSpec",
    "ID3FramesSpec", "IntegerSpec", "Latin1TextListSpec", "Latin1TextSpec", "PictureTypeSpec",
    "SizedIntegerSpec", "StringSpec", "TimeStampSpec", "EncodedNumericTextSpec", "EncodedNumericPartTextSpec",
}  # fmt: skip


def test_every_frame_with_a_field_mutagen_may_fail_on_is_sent_to_mutagen():
    """mutagen's frame definitions (a private attribute: this test is what notices a new version's)."""
    from mutagen.id3 import Frames

    def fields(spec) -> set[str]:
        inner = getattr(spec, "specs", None)
        return set().union(*(fields(s) for s in inner)) if inner else {type(spec).__name__}

    fragile = {
        frame_id
        for frame_id, kind in Frames.items()
        if set().union(*(fields(s) for s in [*kind._framespec, *kind._optionalspec])) - SAFE_FIELDS
    }
    assert fragile == id3frames.FRAGILE


def frame_at_a_time(data: bytes) -> tuple[int, int]:
    """(frames, bytes in them) of a clean MPEG stream, walked one header at a time: the reference."""
    stream = frames.scan_mpeg(data, count=False)
    pos = stream.first + (frames.mpeg_frame(data, stream.first).length if stream.header else 0)
    count = 0
    while (frame_ := frames.mpeg_frame(data, pos)) is not None and pos + frame_.length <= stream.end:
        pos += frame_.length
        count += 1
    return count, pos


@pytest.mark.parametrize("stream", STREAMS + ["mp3-mpeg2"])
def test_the_many_frames_walk_counts_what_a_frame_at_a_time_walk_counts(media, mp3_factory, stream):
    data = (mp3_factory(9.0) if stream == "mp3-mpeg2" else media[stream]).read_bytes()
    counted = frames.scan_mpeg(data)
    expected_frames, expected_end = frame_at_a_time(data)
    assert counted.frames == expected_frames > 100
    assert counted.first + counted.frame_bytes == expected_end


MPEG_INFO_FIELDS = ("length", "bitrate", "sample_rate", "channels")


@pytest.mark.parametrize("junk", [b"", b"\xff\xfb junk before the audio", b"\x00" * 3000])
@pytest.mark.parametrize("stream", STREAMS + ["mp3-mpeg2"])
def test_a_usual_stream_gets_mutagens_stream_facts_without_its_frame_search(
    media, mp3_factory, tmp_path, png, stream, junk
):
    from mutagen.mp3 import MPEGInfo

    from podcast.audio.containers import stream_info

    path = tmp_path / "episode.mp3"
    audio_bytes = (mp3_factory(9.0) if stream == "mp3-mpeg2" else media[stream]).read_bytes()
    path.write_bytes(junk + audio_bytes[frames.id3v2_end(audio_bytes) :])
    rich_tag(tmp_path, png).save(path, v2_version=4)
    data = path.read_bytes()
    tags, offset = id3frames.read(data, len(data))
    ours = stream_info(data, offset)
    with path.open("rb") as handle:
        theirs = MPEGInfo(handle, offset)
    if stream == "mp3-vbri" or junk.startswith(b"\xff"):
        assert ours is None  # mutagen reads those
    else:
        assert ours is not None
        assert [getattr(ours, f) for f in MPEG_INFO_FIELDS] == [getattr(theirs, f) for f in MPEG_INFO_FIELDS]
    quick, full = both_ways(path)
    assert quick == full


@pytest.mark.parametrize("stream", ["mp3-xing", "mp3-cbr-info"])
def test_a_lame_header_s_encoder_delay_and_padding_count_as_mutagen_counts_them(media, tmp_path, png, stream):
    from mutagen.mp3 import MPEGInfo

    from podcast.audio.containers import stream_info

    # ffmpeg writes LAME's tag after the Xing header, named "Lavf", which mutagen skips;
    # named as LAME names it, the tag's encoder delay and padding come off the length.
    original = media[stream].read_bytes()
    at = original.index(b"Lavf\0\0\0\0\0", 0, 2000)
    path = tmp_path / "episode.mp3"
    path.write_bytes(original[:at] + b"LAME3.100" + original[at + 9 :])
    rich_tag(tmp_path, png).save(path, v2_version=3)
    data = path.read_bytes()
    tags, offset = id3frames.read(data, len(data))
    ours = stream_info(data, offset)
    with path.open("rb") as handle:
        theirs = MPEGInfo(handle, offset)
    with media[stream].open("rb") as handle:
        unnamed = MPEGInfo(handle)
    assert theirs.length < unnamed.length  # the delay and padding came off
    assert ours is not None
    assert [getattr(ours, f) for f in MPEG_INFO_FIELDS] == [getattr(theirs, f) for f in MPEG_INFO_FIELDS]
    quick, full = both_ways(path)
    assert quick == full


# ------------------------------------------------------------------ what a build reads: no tags


def stream_and_chapters_both_ways(path: Path) -> tuple[object, object]:
    """What a build makes of `path` (`with_tags=False`, the quick way) and what mutagen's full
    reading makes of it with its tags and cover art left out: an AudioFile, or the refusal's text."""
    from dataclasses import replace

    found = []
    for quick, with_tags in ((True, False), (False, True)):
        try:
            read, refusal = audio.read_what_can_be_read(path, quick=quick, with_tags=with_tags)
            found.append((replace(read, tags=Tags(), artwork=None), refusal))
        except AudioError as exc:
            found.append(str(exc))
    return found[0], found[1]


@pytest.mark.parametrize("name", list(BUILT))
def test_a_build_s_reading_of_a_built_tag_gives_the_full_reading_s_stream_and_chapters(media, tmp_path, name):
    version, built, _ = BUILT[name]
    path = tmp_path / "built.mp3"
    path.write_bytes(tag(version, *built) + media["mp3-vbr-no-header"].read_bytes())
    quick, full = stream_and_chapters_both_ways(path)
    assert quick == full
    assert quick[0].tags == audio.read(path, with_tags=False).tags == Tags()


def damaged_variants(body: bytes) -> dict[str, bytes]:
    """The audio after a tag as files come: whole, cut short, with junk or a second file after it."""
    return {
        "whole": body,
        "cut short": body[: len(body) * 2 // 3],
        "cut inside a frame": body[: len(body) - 37],
        "junk appended": body + bytes(range(256)) * 20,
        "a second file joined on": body + body,
    }


@pytest.mark.parametrize("version", [3, 4])
@pytest.mark.parametrize("stream", STREAMS)
def test_a_build_s_reading_of_every_kind_of_stream_gives_the_full_reading_s_stream_and_chapters(
    media, tmp_path, png, stream, version
):
    for how, body in damaged_variants(media[stream].read_bytes()).items():
        path = tmp_path / f"{how}.mp3"
        path.write_bytes(body)
        rich_tag(tmp_path, png).save(path, v2_version=version)
        quick, full = stream_and_chapters_both_ways(path)
        assert quick == full, how
        if how == "whole":
            assert [c.title for c in quick[0].chapters] == ["Part 2", "Part 0", "Part 1"]
            assert quick[0].chapters[2].picture is not None and quick[0].chapters[2].picture.width == 64
            assert audio.read(path).tags.comment.startswith("Ünïcode notes")  # read when asked for


def test_a_build_s_reading_of_a_tag_it_would_hand_to_mutagen_still_hands_it(media, tmp_path):
    """A text frame that does not decode only changes the tags: the build's reading walks past it.
    A frame mutagen may refuse the whole tag for still sends the file to mutagen, which says so."""
    body = media["mp3-xing"].read_bytes()
    path = tmp_path / "odd.mp3"
    path.write_bytes(tag(4, frame("TIT2", b"\x03\xff\xfe bad"), *chapter_frames(4)) + body)
    quick, full = stream_and_chapters_both_ways(path)
    assert quick == full and [c.title for c in quick[0].chapters] == ["Intro"]
    data = path.read_bytes()
    assert id3frames.read(data, len(data), chapters_only=True)[0] is not None  # read the quick way
    path.write_bytes(tag(4, frame("RVA2", b"id\x00\x01\x00"), *chapter_frames(4)) + body)
    data = path.read_bytes()
    with pytest.raises(id3frames.Unusual):
        id3frames.read(data, len(data), chapters_only=True)
    quick, full = stream_and_chapters_both_ways(path)
    assert quick == full


def test_an_mp3_is_known_by_its_name_and_first_bytes_as_every_reader_s_score_knows_it():
    """`detected`'s shortcut for an MP3 named .mp3 gives what ranking every reader gives."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from podcast.audio.containers import detected, ranked

    starts = [b"ID3", b"\xff\xf2", b"\xff\xf3", b"\xff\xfa", b"\xff\xfb", b"\xff\xe3", b"RIFF", b"OggS", b""]
    inner = [b"ftyp", b"mp4", b"ADIF", b"WAVE", b"\x01vorbis", b"OpusHead", b"fLaC", b"FORM"]
    names = ["a.mp3", "A.MP3", "a.mp3.m4a", "a.mp2", "a.m4a", "a.wav", "a.aac", "mp3", "a.flac", "a"]

    @settings(max_examples=300, derandomize=True, database=None)
    @given(
        st.sampled_from(starts),
        st.lists(st.sampled_from(inner), max_size=4),
        st.binary(max_size=40),
        st.sampled_from(names),
    )
    def agree(start: bytes, parts: list[bytes], filler: bytes, name: str) -> None:
        header = (start + filler[:8] + b"".join(parts) + filler)[:128]
        found = ranked(Path(name), header)
        assert detected(Path(name), header) is (found[0] if found else None)

    agree()


def _frame(b1: int, b2: int, noise) -> bytes:
    """A frame of the header bytes b1, b2 (as long as they say, padding included; 30 bytes when
    they are of no stream), its fourth header byte and body random."""
    spec = frames._mpeg_spec(b1, b2)
    length = (spec[0] + (spec[1] if b2 & 2 else 0)) if spec else 30
    return bytes((0xFF, b1, b2, noise.randrange(256))) + noise.randbytes(max(length - 4, 0))


def _assert_counted_as_one_at_a_time(data: bytes) -> None:
    """The frames of the stream `data` starts with, counted the quick way, are those a walk
    from one frame to the next counts (and end where it ends)."""
    if len(data) < 4 or frames.mpeg_frame(data, 0) is None:
        return
    lock = frames.mpeg_frame(data, 0).lock
    pos = count = 0
    while (found := frames.mpeg_frame(data, pos)) is not None and found.lock == lock:
        if pos + found.length > len(data):
            break
        pos, count = pos + found.length, count + 1
    assert frames._count_whole_frames(data, 0, len(data), lock) == (count, pos)


def test_the_many_frames_walk_counts_any_stream_as_a_frame_at_a_time_walk_does():
    """Synthetic MPEG streams of every version, layer and rate, each frame of any bitrate,
    padding, private and protection bit, with random bytes in them (false syncs included),
    now and then a header of another stream or of no stream, and a frame cut off at the end."""
    import random

    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, derandomize=True, database=None)
    @given(
        st.sampled_from([3, 2, 0]),  # MPEG-1, MPEG-2, MPEG-2.5
        st.sampled_from([1, 2, 3]),  # layer III, II, I
        st.integers(0, 2),  # sample rate
        st.lists(
            st.tuples(st.integers(0, 15), st.integers(0, 3), st.booleans(), st.integers(0, 40)), max_size=60
        ),
        st.integers(0, 2**32),
        st.integers(0, 200),
    )
    def agree(version, layer_bits, rate, headers, seed, cut) -> None:
        noise = random.Random(seed)
        data = bytearray()
        for bitrate, low_bits, protected, stranger in headers:
            b1 = 0xE0 | version << 3 | layer_bits << 1 | protected
            b2 = bitrate << 4 | (rate if stranger else 3 - rate % 3) << 2 | low_bits
            data += _frame(b1, b2, noise)
        _assert_counted_as_one_at_a_time(bytes(data[: max(len(data) - cut, 0)]))

    agree()


def test_the_many_frames_walk_counts_long_streams_as_a_frame_at_a_time_walk_does():
    """Streams long enough for the 512- and 64-frame patterns (which match frames two at a
    time), of any length, odd or even: mostly one bitrate, now and then another (which the
    constant-bitrate pattern leaves to the next), padding and private bits at random, and
    now and then a header of no stream or a frame cut off at the end."""
    import random

    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, derandomize=True, database=None)
    @given(
        st.sampled_from([(3, 1), (2, 1), (0, 1), (3, 2), (3, 3)]),  # (version, layer bits)
        st.integers(0, 2),  # sample rate
        st.integers(1, 14),  # the usual bitrate
        st.integers(1, 1400),  # frames
        st.floats(0, 0.2),  # how often a frame has another bitrate
        st.floats(0, 0.002),  # how often a header is of no stream
        st.integers(0, 2**32),
        st.integers(0, 200),
    )
    def agree(kind, rate, usual, count, changes, strangers, seed, cut) -> None:
        version, layer_bits = kind
        noise = random.Random(seed)
        b1 = 0xE0 | version << 3 | layer_bits << 1 | 1
        data = bytearray()
        for _ in range(count):
            bitrate = noise.randrange(1, 15) if noise.random() < changes else usual
            low_bits = noise.choice((0, 2, 0, 2, 1, 3))  # padding, and now and then the private bit
            b2 = bitrate << 4 | (3 if noise.random() < strangers else rate) << 2 | low_bits
            data += _frame(b1, b2, noise)
        _assert_counted_as_one_at_a_time(bytes(data[: max(len(data) - cut, 0)]))

    agree()


def test_a_v24_tag_s_frame_sizes_are_read_as_mutagen_chooses_to_read_them():
    """Frames of known, unknown and undecodable names, their sizes written synchsafe (as v2.4
    wants) or plain (as iTunes once wrote them), below and above 0x80 (where the two readings
    part), now and then a size of no frame, sometimes ending in padding: synchsafe or plain is
    chosen as mutagen's determine_bpi chooses (which walks both readings from the start)."""
    import struct

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from mutagen.id3 import Frames
    from mutagen.id3._tags import determine_bpi

    def synchsafe(size: int) -> int:
        return (size & 0x7F) | (size & 0x3F80) << 1 | (size & 0x1FC000) << 2 | (size & 0xFE00000) << 3

    names = st.sampled_from([b"TIT2", b"COMM", b"CHAP", b"XYZ1", b"\xfe\xfeAB", b"TT2\x00"])
    frame = st.tuples(names, st.integers(0, 400), st.one_of(st.none(), st.integers(0, 2**32 - 1)))

    @settings(max_examples=500, derandomize=True, database=None)
    @given(
        st.booleans(),  # sizes written plain
        st.lists(frame, max_size=8),
        st.integers(0, 40),  # padding
        st.binary(max_size=12),  # whatever follows
    )
    def agree(plain, parts, padding, tail) -> None:
        data = b""
        for name, length, stray in parts:
            size = stray if stray is not None else length if plain else synchsafe(length)
            data += struct.pack(">4sLH", name, size, 0) + b"\x01" * length
        data += b"\x00" * padding + tail
        chosen = id3frames._frame_sizes(data)
        expected = id3frames._plain if determine_bpi(data, Frames) is int else id3frames._synchsafe
        assert chosen is expected

    agree()
