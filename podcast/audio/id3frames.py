"""The few ID3v2.3/v2.4 frames we use, read cheaply, with exactly mutagen's results.

mutagen decodes every frame of a tag, and finds the end of each UTF-16 string by
feeding a decoder one byte at a time, so a 2 KB comment costs about a millisecond.
This reader walks the frame headers as mutagen's `read_frames` does, decodes only
the frames `id3.read_tags`, `read_chapters` and `read_artwork` look at, and finds a
UTF-16 string's end with one search for two zero bytes at an even offset. What it
returns answers `get` and `getall` as mutagen's `ID3` does after loading (the same
v2.4 updates: TYER/TDAT/TIME become TDRC, TCON genres, APIC "PNG"/"JPG" types).

What it does not read the way mutagen does raises `Unusual`, and the caller reads
the file with mutagen instead: ID3v2.2, unsynchronisation, an extended header or a
footer, compressed, encrypted or grouped frames, v2.2 names in a v2.3 tag, two
frames with one key, text that does not decode, a tag longer than the file, a
chapter inside a chapter (each level would copy the rest of the tag again), a frame
mutagen may fail on (FRAGILE).
"""

from __future__ import annotations

import functools
import re
import struct
from itertools import zip_longest

from mutagen.id3 import TCON, Frames, ID3TimeStamp

from ._common import Buffer


class Unusual(Exception):
    """The tag holds something only mutagen's full reader reads as mutagen does."""


class _Junk(Exception):
    """A frame mutagen drops while loading (too short for its fields, a bad encoding)."""


class Frame:
    """One frame: its fields as attributes, named as mutagen names them."""

    def __init__(self, frame_id: str, **fields: object) -> None:
        self.FrameID = frame_id
        self.__dict__.update(fields)


class FrameSet(dict):
    """Frames by mutagen's HashKey, in file order; `get` and `getall` as on mutagen's ID3.

    `getall("COMM")` is asked a dozen times a file: the frames are grouped by the ID before
    the key's first colon once (and again after a change), not searched each time.
    """

    _by_id: dict[str, list] | None = None

    def __setitem__(self, key: str, frame: Frame) -> None:
        self._by_id = None
        super().__setitem__(key, frame)

    def __delitem__(self, key: str) -> None:
        self._by_id = None
        super().__delitem__(key)

    def pop(self, key: str, *default: object) -> object:
        self._by_id = None
        return super().pop(key, *default)

    def getall(self, key: str) -> list:
        if key in self:
            return [self[key]]
        if ":" in key:  # not a frame ID: the keys that start with it and a colon
            prefix = key + ":"
            return [frame for name, frame in self.items() if name.startswith(prefix)]
        by_id = self._by_id
        if by_id is None:
            by_id = {}
            for name, frame in self.items():
                frame_id, colon, _ = name.partition(":")
                if colon:
                    by_id.setdefault(frame_id, []).append(frame)
            self._by_id = by_id
        return list(by_id.get(key, ()))


_TEXT = {"TIT2", "TPE1", "TALB", "TDES", "TRCK", "TPOS", "TCON", "TGID", "TYER", "TDAT", "TIME"}
WANTED = _TEXT | {"TDRC", "COMM", "TXXX", "WFED", "WXXX", "PCST", "APIC", "CHAP", "CTOC"}
_CHAPTER_FRAMES = {"CHAP", "CTOC"}
# Frames with a field mutagen may fail to read with an error it does not catch (a volume or
# timing field cut short), which makes it refuse the whole tag; so a tag holding one goes to
# mutagen, whatever we would make of it. tests/test_audio_quick.py checks the list against
# mutagen's frame definitions.
FRAGILE = frozenset({"ASPI", "EQU2", "ETCO", "RVA2", "RVAD", "SYLT"})
_CODECS = ("latin1", "utf-16", "utf-16-be", "utf-8")
_HEADER = struct.Struct(">4sLH")
_TIMES = struct.Struct(">4L")  # a chapter's start and end times and byte offsets
_ZEROS = b"\x00" * 10
_NO_NAME = b"\x00" * 4  # where the frames end and the padding begins
_KNOWN_NAMES = frozenset(name.encode("ascii") for name in Frames)  # the frame IDs mutagen knows


def tag_size(head: Buffer) -> int:
    """The size of the ID3v2 tag at the start of `head`, header included; 0 when there is none."""
    if len(head) < 10 or head[:3] != b"ID3":
        return 0
    return _synchsafe(int.from_bytes(head[6:10], "big")) + 10


def read(data: Buffer, file_size: int, *, chapters_only: bool = False) -> tuple[FrameSet | None, int]:
    """The frames we use of the ID3v2 tag at the start of `data`, and the tag's size.

    (None, 0) when the file has no ID3v2 tag. Raises Unusual (see the module's docstring).
    `chapters_only`: of the tag's own frames only CHAP and CTOC are decoded (with all their
    sub-frames); the others are walked past as mutagen walks them, and still declined when
    their names or the tag's header are unusual, so a tag goes to mutagen exactly when its
    chapters might come out otherwise (mutagen drops or merges a text frame it cannot take,
    which changes the tags alone).
    """
    head = bytes(data[:10])
    if len(head) < 10 or head[:3] != b"ID3":
        return None, 0
    major, flags = head[3], head[5]
    if major not in (3, 4) or flags or int.from_bytes(head[6:10], "big") & 0x80808080:
        raise Unusual("ID3v2.2, header flags, or a size that is not synchsafe")
    size = tag_size(head)
    if size > file_size:
        raise Unusual("the tag runs past the end of the file")
    frames = _read_frames(bytes(data[10:size]), major, wanted=_CHAPTER_FRAMES if chapters_only else WANTED)
    _update_to_v24(frames)
    return frames, size


def _synchsafe(value: int) -> int:
    """mutagen's BitPaddedInt of a 32-bit integer: the low seven bits of each byte."""
    return (value & 0x7F) | (value >> 1 & 0x3F80) | (value >> 2 & 0x1FC000) | (value >> 3 & 0xFE00000)


def _plain(value: int) -> int:
    return value


def _frame_sizes(data: bytes) -> object:
    """Synchsafe or plain frame sizes in a v2.4 tag, chosen as mutagen's `determine_bpi` does
    (iTunes once wrote plain sizes): whichever reading finds more frame names mutagen knows.

    The two readings agree on every size below 0x80, so they walk alike up to the first frame
    with a larger one: the plain reading starts there (and, when there is none, is the same)."""
    as_synchsafe, synchsafe_past, parting = _known_names(data, _synchsafe, 0, 0)
    if parting is None:
        as_plain, plain_past = as_synchsafe, synchsafe_past
    else:
        as_plain, plain_past, _ = _known_names(data, _plain, *parting)
    if as_plain > as_synchsafe or (as_plain == as_synchsafe and synchsafe_past >= 1 and plain_past <= 1):
        return _plain
    return _synchsafe


def _known_names(data: bytes, convert, pos: int, count: int) -> tuple[int, int, tuple[int, int] | None]:
    """One of `determine_bpi`'s walks, from `pos` with `count` names found before it: the frame
    names mutagen knows, how far past the end the walk ends, and (pos, count) at the first frame
    whose size `convert` reads otherwise than plain (None if none)."""
    parting = None
    last = len(data) - 10
    while pos < last:
        if data.startswith(_ZEROS, pos):
            return count, -((len(data) - pos) % 10), parting
        name, size, _ = _HEADER.unpack_from(data, pos)
        converted = convert(size)
        if parting is None and converted != size:
            parting = (pos, count)
        pos += 10 + converted
        if name in _KNOWN_NAMES:  # (a name that is not ASCII is none, as mutagen decodes it)
            count += 1
    return count, pos - len(data), parting


def _read_frames(data: bytes, major: int, *, nested: bool = False, wanted: set[str] = WANTED) -> FrameSet:
    """The `wanted` frames of a tag's frame data (`nested`: a chapter's), walked as mutagen walks it."""
    convert = _plain if major == 3 else _frame_sizes(data)
    frames = FrameSet()
    pos, end = 0, len(data)
    while pos + 10 <= end:
        name, size, flags = _HEADER.unpack_from(data, pos)
        if name == _NO_NAME:
            break  # padding
        size = convert(size)
        start, pos = pos + 10, pos + 10 + size
        if size == 0 or not name.isascii():
            continue  # (mutagen skips a name that does not decode)
        frame_id = name.decode("ascii")
        if frame_id not in wanted:  # (no wanted name ends in a zero byte, nor is FRAGILE)
            if frame_id[-1] == "\x00":
                raise Unusual("a v2.2 frame name in a v2.3/v2.4 tag")
            if frame_id in FRAGILE:
                raise Unusual(f"a {frame_id} frame, which may make mutagen refuse the tag")
            continue
        if flags & 0xFF:
            raise Unusual(f"{frame_id} is compressed, encrypted, grouped or unsynchronised")
        if nested and frame_id in ("CHAP", "CTOC"):
            raise Unusual("a chapter frame inside a chapter frame")
        try:
            key, frame = _parse(frame_id, data[start:pos], major)
        except _Junk:
            continue
        if key in frames:
            raise Unusual(f"two {key} frames (mutagen merges them)")
        frames[key] = frame
    return frames


def _text(data: bytes, encoding: int, major: int) -> tuple[str, bytes]:
    """One string up to its terminator (or the end), and what follows: mutagen's EncodedTextSpec."""
    if encoding in (0, 3):
        end = data.find(b"\x00")
        after = end + 1
    else:
        end = data.find(b"\x00\x00")
        while end >= 0 and end % 2:
            end = data.find(b"\x00\x00", end + 1)
        after = end + 2
    if end < 0:
        end, after = len(data), len(data)
    try:
        value = data[:end].decode(_CODECS[encoding])
    except UnicodeDecodeError:
        raise Unusual("text that does not decode (mutagen tries repairs)") from None
    rest = data[after:]
    if major < 4 and not rest.strip(b"\x00"):
        rest = b""  # zero padding after the last string is not one more empty string
    return value, rest


def _texts(data: bytes, encoding: int, major: int) -> list[str]:
    values = []
    while data:
        value, data = _text(data, encoding, major)
        values.append(value)
    return values


def _encoding(data: bytes) -> tuple[int, bytes]:
    if data[0] > 3:
        raise _Junk
    return data[0], _needed(data[1:])


def _needed(data: bytes) -> bytes:
    """mutagen drops a frame whose data ends before a field it must read."""
    if not data:
        raise _Junk
    return data


def _latin1(data: bytes) -> tuple[str, bytes]:
    value, _, rest = data.partition(b"\x00")
    return value.decode("latin1"), rest


def _parse(frame_id: str, data: bytes, major: int) -> tuple[str, Frame]:
    """(HashKey, frame) for one wanted frame; raises _Junk where mutagen drops it."""
    data = _needed(data)  # a frame cut off by the end of the tag
    if frame_id in _TEXT or frame_id == "TDRC":
        encoding, data = _encoding(data)
        text = _texts(data, encoding, major)
        if frame_id == "TDRC":
            text = [_timestamp(value) for value in text]
        return frame_id, Frame(frame_id, encoding=encoding, text=text)
    if frame_id == "COMM":
        encoding, data = _encoding(data)
        try:
            lang = data[:3].decode("ascii")
        except UnicodeDecodeError:
            raise _Junk from None
        desc, data = _text(_needed(data[3:]), encoding, major)
        text = _texts(_needed(data), encoding, major)
        return f"COMM:{desc}:{lang}", Frame(frame_id, encoding=encoding, lang=lang, desc=desc, text=text)
    if frame_id == "TXXX":
        encoding, data = _encoding(data)
        desc, data = _text(data, encoding, major)
        text = _texts(_needed(data), encoding, major)
        return f"TXXX:{desc}", Frame(frame_id, encoding=encoding, desc=desc, text=text)
    if frame_id == "WFED":
        return frame_id, Frame(frame_id, url=_latin1(data)[0])
    if frame_id == "WXXX":
        encoding, data = _encoding(data)
        desc, data = _text(data, encoding, major)
        return f"WXXX:{desc}", Frame(frame_id, encoding=encoding, desc=desc, url=_latin1(_needed(data))[0])
    if frame_id == "PCST":
        return frame_id, Frame(frame_id, value=int.from_bytes(data, "big"))
    if frame_id == "APIC":
        return _picture(data, major)
    if frame_id == "CHAP":
        return _chapter(data, major)
    return _table_of_contents(data, major)


def _picture(data: bytes, major: int) -> tuple[str, Frame]:
    encoding, data = _encoding(data)
    mime, data = _latin1(data)
    data = _needed(data)
    kind, data = data[0], _needed(data[1:])
    desc, data = _text(data, encoding, major)
    frame = Frame("APIC", encoding=encoding, mime=mime, type=kind, desc=desc, data=data)
    return f"APIC:{desc}", frame


def _chapter(data: bytes, major: int) -> tuple[str, Frame]:
    element_id, data = _latin1(data)
    if len(data) >= 16:
        start, end, start_offset, end_offset = _TIMES.unpack_from(data)
        data = data[16:]
    else:  # cut short: as mutagen reads what there is, or drops the frame
        times = []
        for _ in range(4):
            data = _needed(data)
            times.append(int.from_bytes(data[:4], "big"))
            data = data[4:]
        start, end, start_offset, end_offset = times
    frame = Frame(
        "CHAP",
        element_id=element_id,
        start_time=start,
        end_time=end,
        start_offset=start_offset,
        end_offset=end_offset,
        sub_frames=_read_frames(data, major, nested=True),
    )
    return f"CHAP:{element_id}", frame


def _table_of_contents(data: bytes, major: int) -> tuple[str, Frame]:
    element_id, data = _latin1(data)
    data = _needed(data)
    flags, data = data[0], _needed(data[1:])
    count, data = data[0], data[1:]
    children = []
    for _ in range(count):
        child, data = _latin1(data)
        children.append(child)
    frame = Frame(
        "CTOC",
        element_id=element_id,
        flags=flags,
        child_element_ids=children,
        sub_frames=_read_frames(data, major, nested=True),
    )
    return f"CTOC:{element_id}", frame


# A show's files share a handful of dates ("2024") and genres ("Podcast"), and mutagen's
# normalising of each takes a few microseconds: each distinct one is worked out once.


@functools.lru_cache(maxsize=4096)
def _timestamp(value: str) -> str:
    """mutagen's form of an ID3 timestamp, ID3TimeStamp(value).text."""
    return ID3TimeStamp(value).text


def _genres(text: tuple[str, ...]) -> list[str]:
    """TCON(text=text).genres: "(12)Talk" and the like as genre names."""
    return list(_genre_names(text))


@functools.lru_cache(maxsize=1024)
def _genre_names(text: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(TCON(text=list(text)).genres)


_YEAR = re.compile(r"([0-9]{4})(-[0-9]{2}-[0-9]{2})?\Z")
_DAY_MONTH = re.compile(r"([0-9]{2})([0-9]{2})\Z")


# The frames `_update_to_v24` changes, or looks into.
_UPDATED = frozenset({"TCON", "APIC", "TYER", "TDAT", "TIME", "CHAP", "CTOC"})


def _update_to_v24(frames: FrameSet) -> None:
    """What mutagen's `ID3.update_to_v24` changes in the frames we use, after loading."""
    ids = {key[:4] for key in frames}  # every key starts with its frame's four-letter ID
    if ids.isdisjoint(_UPDATED):
        return  # a chapter's title and link, the usual tag of a build: nothing to change
    if "TCON" in frames:
        frames["TCON"].text = _genres(tuple(frames["TCON"].text))  # "(12)Talk" and the like
    for picture in frames.getall("APIC"):
        picture.mime = {"PNG": "image/png", "JPG": "image/jpeg"}.get(picture.mime, picture.mime)
    olds = [frames.pop(key).text if key in frames else [] for key in ("TYER", "TDAT", "TIME")]
    stamps = []
    for year, date, time in zip_longest(*olds, fillvalue=""):
        stamp = ""
        parts = _YEAR.match(year)
        if parts:
            stamp, month_day = parts.group(1), parts.group(2)
            day_month = _DAY_MONTH.match(date)
            if day_month:
                month_day = f"-{day_month.group(2)}-{day_month.group(1)}"
            if month_day:
                stamp += month_day
                hour_minute = _DAY_MONTH.match(time)
                if hour_minute:
                    stamp += f"T{hour_minute.group(1)}:{hour_minute.group(2)}:00"
        if stamp:
            stamps.append(stamp)
    if stamps and "TDRC" not in frames:
        frames["TDRC"] = Frame("TDRC", encoding=0, text=[_timestamp(s) for s in stamps])
    for frame in frames.getall("CHAP") + frames.getall("CTOC"):
        _update_to_v24(frame.sub_frames)
