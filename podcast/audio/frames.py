"""Counting the frames of raw audio streams (MPEG audio, ADTS AAC).

mutagen estimates the length of an MP3 without a Xing/VBRI header (and of raw
AAC) from the first frame's bitrate and the file size, which is wrong for VBR.
Walking the frame headers gives the exact number of samples, the same figure a
decoder plays. It also finds the Xing/Info or VBRI header, whose byte count tells
us whether the file holds everything the encoder wrote.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from ._common import Buffer

_MPEG_BITRATES = {  # kbit/s by (version is MPEG-1, layer) ; index 0 (free) and 15 are unusable
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


# MpegFrame and MpegStream are NamedTuples, not frozen dataclasses: reading one MP3 makes several,
# and a frozen dataclass sets each field through object.__setattr__ (a third of the time to build).


class MpegFrame(NamedTuple):
    length: int  # bytes, padding included
    samples: int  # per channel
    sample_rate: int
    mono: bool
    mpeg1: bool
    lock: int  # the header bits every frame of one stream shares


@cache
def _mpeg_spec(b1: int, b2: int) -> tuple[int, int, int, int, bool] | None:
    """(length without padding, padding size, samples, sample rate, MPEG-1?) for header bytes 1 and 2."""
    if b1 & 0xE0 != 0xE0:
        return None
    version, layer_bits = (b1 >> 3) & 3, (b1 >> 1) & 3
    bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer = 4 - layer_bits
    mpeg1 = version == 3
    bitrate = _MPEG_BITRATES[(mpeg1, layer)][bitrate_index] * 1000
    rate = _MPEG_RATES[version][rate_index]
    if layer == 1:
        return (12 * bitrate // rate) * 4, 4, 384, rate, mpeg1
    if layer == 2:
        return 144 * bitrate // rate, 1, 1152, rate, mpeg1
    per_frame = 144 if mpeg1 else 72
    return per_frame * bitrate // rate, 1, 1152 if mpeg1 else 576, rate, mpeg1


def mpeg_frame(data: Buffer, pos: int) -> MpegFrame | None:
    if pos + 4 > len(data) or data[pos] != 0xFF:
        return None
    spec = _mpeg_spec(data[pos + 1], data[pos + 2])
    if spec is None:
        return None
    length, pad, samples, rate, mpeg1 = spec
    if data[pos + 2] & 0x02:
        length += pad
    mono = data[pos + 3] >> 6 == 3
    return MpegFrame(length, samples, rate, mono, mpeg1, (data[pos + 1] & 0xFE) << 8 | (data[pos + 2] & 0x0C))


def _sync_pattern() -> re.Pattern[bytes]:
    """The first three bytes of every MPEG audio frame header `_mpeg_spec` accepts.

    Searching with it skips runs of bytes that cannot start a frame (250 MB of 0xFF, say)
    at the regular-expression engine's speed instead of one Python call per byte.
    """
    seconds = bytes(b for b in range(256) if b & 0xE0 == 0xE0 and (b >> 3) & 3 != 1 and (b >> 1) & 3)
    thirds = bytes(b for b in range(256) if b >> 4 not in (0, 15) and (b >> 2) & 3 != 3)
    return re.compile(b"\xff[" + re.escape(seconds) + b"][" + re.escape(thirds) + b"]")


_SYNC = _sync_pattern()


@cache
def _whole_frames(
    lock: int, bitrate: int | None = None, second: int | None = None
) -> tuple[tuple[int, re.Pattern[bytes]], ...]:
    """Patterns matching 512, 64, 8 and 1 consecutive whole frame(s) of the stream `lock` names
    (and, given a bitrate index, of that bitrate only; given the header's second byte, with
    that byte only: the protection bit of a stream rarely changes).

    A frame's header says its length, so "a frame of this stream" is a regular expression:
    the header's bytes, one alternative for each value of the third (bitrate, padding and
    private bit) followed by that many bytes of any value (which the regular-expression
    engine skips without looking at them). Matching many frames in one call walks a long
    file several times as fast as a Python loop can. The engine tries the alternatives in
    turn, and rejects one that starts with a single byte without a call, where a class of
    bytes costs one: so a byte each, not a class for each length (a fifth less time a
    frame), and a constant bitrate's own pattern is faster still. The count is possessive
    ({512}+): each header's third byte fits one alternative only, so a run of frames matches
    one way or not at all, and the engine need keep nothing to backtrack with.
    """
    alternatives = []
    for b2 in range(256):
        if b2 & 0x0C != lock & 0x0C or (bitrate is not None and b2 >> 4 != bitrate):
            continue
        spec = _mpeg_spec(lock >> 8, b2)
        if spec is not None:
            length = spec[0] + (spec[1] if b2 & 0x02 else 0)
            alternatives.append((length, b2))
    if not alternatives:
        return ()
    if second is None:
        header = b"\xff[" + re.escape(bytes((lock >> 8, lock >> 8 | 1))) + b"]"
    else:
        header = b"\xff" + re.escape(bytes((second,)))
    # Headers with the private bit set come last: encoders leave it clear, so a padded frame is
    # found after one rejected alternative instead of two (a tenth less time a constant-bitrate file).
    alternatives.sort(key=lambda alternative: (alternative[1] & 1, alternative))
    thirds = b"|".join(re.escape(bytes((b2,))) + b"(?s:.{%d})" % (n - 3) for n, b2 in alternatives)
    one = header + b"(?:" + thirds + b")"
    # Frames two at a time: half the repetitions for the engine to count (a tenth less time a frame).
    two = one + one
    return tuple(
        (count, re.compile(b"(?:%s){%d}+" % (two, count // 2) if count > 1 else one))
        for count in (512, 64, 8, 1)
    )


def _count_whole_frames(data: Buffer, pos: int, end: int, lock: int) -> tuple[int, int]:
    """(frames, the offset after them) of the whole frames of the stream from `pos` on: first
    those with the header's second byte and bitrate of the frame at `pos` (all of a constant-
    bitrate stream), then those with its second byte, then any. Each pattern takes frames of
    the stream only, and the last any of them: the frames counted are those a frame-at-a-time
    walk counts."""
    counted = 0
    if pos + 3 <= end:
        second, bitrate = data[pos + 1], data[pos + 2] >> 4
        kinds = (_whole_frames(lock, bitrate, second), _whole_frames(lock, None, second), _whole_frames(lock))
    else:
        kinds = (_whole_frames(lock),)
    for patterns in kinds:
        for count, pattern in patterns:
            match = pattern.match(data, pos, end)
            while match is not None:
                counted += count
                pos = match.end()
                match = pattern.match(data, pos, end)
        if end - pos < 4:
            break  # no frame is shorter than its header: the stream ran to the end
    return counted, pos


def id3v2_end(data: Buffer, pos: int = 0) -> int:
    """Offset just past any ID3v2 tags at `pos` (the start of the file by default)."""
    while data[pos : pos + 3] == b"ID3" and pos + 10 <= len(data):
        size = 0
        for byte in data[pos + 6 : pos + 10]:
            size = (size << 7) | (byte & 0x7F)
        pos += 10 + size + (10 if data[pos + 5] & 0x10 else 0)
    return pos


def trailing_tags_start(data: Buffer) -> int:
    """Offset where ID3v1 / APEv2 tags at the end begin (the end of the audio)."""
    end = len(data)
    if end >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128
    if end >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
        (size,) = struct.unpack("<I", data[end - 20 : end - 16])
        end -= size + (32 if data[end - 21] & 0x80 else 0)  # the footer counts itself; a header does not
    return max(end, 0)


class MpegStream(NamedTuple):
    first: int  # offset of the first frame
    end: int  # offset where the audio ends (before trailing tags)
    frames: int  # audio frames counted (a Xing/VBRI frame is not audio and not counted)
    samples: int
    sample_rate: int
    header: str | None = None  # "Xing", "Info" or "VBRI"
    header_frames: int | None = None
    header_bytes: int | None = None
    frame_bytes: int = 0  # bytes in the frames counted, and in ID3 tags found between them
    cut_off: bool = False  # the last frame runs past the end of the file: the file was cut short

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0

    @property
    def audio_bytes(self) -> int:
        return self.end - self.first


def _find_first(data: Buffer, start: int, end: int) -> tuple[int, MpegFrame] | None:
    """The first frame that is followed by another one of the same stream (a false sync rarely is)."""
    pos = start
    while True:
        match = _SYNC.search(data, pos, end)
        if match is None or match.start() + 4 > end:
            return None
        pos = match.start()
        frame = mpeg_frame(data, pos)
        if frame is not None:
            following = mpeg_frame(data, pos + frame.length)
            if pos + frame.length == end or (following is not None and following.lock == frame.lock):
                return pos, frame
        pos += 1


def plain_layer3_run(data: Buffer, pos: int, count: int) -> bool:
    """Whether `count` whole-headed MPEG layer III frames follow one another from `pos`, none of
    them with the bytes of a Xing, Info or VBRI header."""
    size = len(data)
    for _ in range(count):
        if pos + 4 > size or data[pos] != 0xFF:
            return False
        b1 = data[pos + 1]
        spec = _mpeg_spec(b1, data[pos + 2])
        if spec is None or (b1 >> 1) & 3 != 1:
            return False
        length, pad, _, _, mpeg1 = spec
        mono = data[pos + 3] >> 6 == 3
        side = (17 if mono else 32) if mpeg1 else (9 if mono else 17)
        if data[pos + 4 + side : pos + 8 + side] in (b"Xing", b"Info"):
            return False
        if data[pos + 36 : pos + 40] == b"VBRI":
            return False
        pos += length + (pad if data[pos + 2] & 0x02 else 0)
    return True


def xing_offset(data: Buffer, pos: int, frame: MpegFrame) -> int | None:
    """Where a Xing or Info header sits in the frame at `pos` (after the side information);
    None when the frame is not layer III, which has none."""
    if (data[pos + 1] >> 1) & 3 != 1:
        return None
    side = (17 if frame.mono else 32) if frame.mpeg1 else (9 if frame.mono else 17)
    return pos + 4 + side


def mpeg_bitrate(data: Buffer, pos: int) -> int:
    """Bits per second the header of the (valid) frame at `pos` states."""
    b1, b2 = data[pos + 1], data[pos + 2]
    return _MPEG_BITRATES[((b1 >> 3) & 3 == 3, 4 - ((b1 >> 1) & 3))][b2 >> 4] * 1000


def _vbr_header(data: Buffer, pos: int, frame: MpegFrame) -> tuple[str, int | None, int | None] | None:
    if frame.mpeg1:
        side = 17 if frame.mono else 32
    else:
        side = 9 if frame.mono else 17
    xing = pos + 4 + side
    tag = bytes(data[xing : xing + 4])
    if tag in (b"Xing", b"Info"):
        (flags,) = struct.unpack(">I", data[xing + 4 : xing + 8])
        cursor = xing + 8
        frames = size = None
        if flags & 1:
            (frames,) = struct.unpack(">I", data[cursor : cursor + 4])
            cursor += 4
        if flags & 2:
            (size,) = struct.unpack(">I", data[cursor : cursor + 4])
        return tag.decode(), frames, size
    vbri = pos + 36
    if bytes(data[vbri : vbri + 4]) == b"VBRI":
        size, frames = struct.unpack(">II", data[vbri + 10 : vbri + 18])
        return "VBRI", frames, size
    return None


def scan_mpeg(data: Buffer, *, count: bool = True) -> MpegStream | None:
    """Find the stream in an MP3's bytes; with `count`, walk every frame to the end."""
    start, end = id3v2_end(data), trailing_tags_start(data)
    found = _find_first(data, start, end)
    if found is None:
        return None
    first, frame = found
    vbr = _vbr_header(data, first, frame)
    header, header_frames, header_bytes = vbr if vbr else (None, None, None)
    stream = MpegStream(
        first, end, 0, 0, frame.sample_rate, header, header_frames, header_bytes, frame.length if vbr else 0
    )
    return count_frames(data, stream, frame) if count else stream


def count_frames(data: Buffer, stream: MpegStream, frame: MpegFrame | None = None) -> MpegStream:
    """The stream that `scan_mpeg(data, count=False)` found, with every frame walked to the end
    (what `scan_mpeg(data)` gives, without finding the first frame again). `frame` is the
    first one, when the caller has it."""
    frame = frame or mpeg_frame(data, stream.first)
    assert frame is not None
    start = stream.first + frame.length if stream.header else stream.first
    frames, walked, cut_off = _walk(data, start, stream.end, frame)
    return MpegStream(
        stream.first,
        stream.end,
        frames,
        frames * frame.samples,  # the same in every frame of one stream (the lock holds version and layer)
        stream.sample_rate,
        stream.header,
        stream.header_frames,
        stream.header_bytes,
        frame_bytes=stream.frame_bytes + walked,
        cut_off=cut_off,
    )


def _walk(data: Buffer, pos: int, end: int, first: MpegFrame) -> tuple[int, int, bool]:
    """(frames, bytes in them and in tags between them, whether the last is cut off) of the
    stream `first` begins, from `pos` to `end`: whole frames many at a time, and one step at
    a time over what is not one (a frame cut off, a tag, junk, another stream)."""
    lock = first.lock
    frames = in_frames = 0
    while pos + 4 <= end:
        whole, after = _count_whole_frames(data, pos, end, lock)
        frames, in_frames, pos = frames + whole, in_frames + after - pos, after
        if pos + 4 > end:
            break
        current = mpeg_frame(data, pos) if data[pos] == 0xFF else None
        if current is not None and current.lock == lock:
            return frames, in_frames, True  # a header of the stream whose frame the file's end cuts off
        if data[pos : pos + 3] == b"ID3":  # the tag of a second file joined on (`cat`)
            tagged = id3v2_end(data, pos)
            if tagged > pos:
                in_frames += min(tagged, end) - pos
                pos = tagged
                continue
        # Lost sync (junk between frames): look for the next frame.
        found = _find_first(data, pos + 1, end)
        if found is None or found[1].lock != lock:
            break
        pos, current = found
        if pos + current.length > end:
            return frames, in_frames, True
        frames, in_frames, pos = frames + 1, in_frames + current.length, pos + current.length
    return frames, in_frames, False


@dataclass(frozen=True)
class AdtsStream:
    frames: int
    samples: int
    sample_rate: int
    channels: int
    audio_bytes: int

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0


def scan_adts(data: Buffer) -> AdtsStream | None:
    """Walk the frames of a raw AAC (ADTS) stream: 1024 samples per raw data block."""
    pos, end = id3v2_end(data), trailing_tags_start(data)
    frames = samples = 0
    rate = channels = 0
    start = None
    while pos + 7 <= end:
        if data[pos] != 0xFF or data[pos + 1] & 0xF6 != 0xF0:
            if start is None:  # junk before the first frame
                pos = data.find(b"\xff", pos + 1, end)
                if pos < 0:
                    break
                continue
            break
        length = ((data[pos + 3] & 0x03) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        rate_index = (data[pos + 2] >> 2) & 0x0F
        if length < 7 or rate_index >= len(_ADTS_RATES) or pos + length > end:
            break
        if start is None:
            start = pos
            rate = _ADTS_RATES[rate_index]
            channels = ((data[pos + 2] & 0x01) << 2) | (data[pos + 3] >> 6)
        frames += 1
        samples += 1024 * ((data[pos + 6] & 0x03) + 1)
        pos += length
    if start is None or not frames:
        return None
    return AdtsStream(frames, samples, rate, channels, pos - start)


def ogg_ends_cleanly(data: Buffer) -> bool:
    """Whether an Ogg file ends with a whole page marked end-of-stream, as every encoder writes it.

    A file cut short ends inside a page, or with a page that is not the stream's last.
    """
    pos = data.rfind(b"OggS", max(0, len(data) - 65_307 - 1))  # 65,307: the largest page there is
    while pos >= 0:
        if pos + 27 <= len(data) and data[pos + 4] == 0:  # stream structure version 0
            segments = data[pos + 26]
            table = data[pos + 27 : pos + 27 + segments]
            if len(table) == segments:
                end = pos + 27 + segments + sum(table)
                return end == len(data) and bool(data[pos + 5] & 0x04)
            return False
        pos = data.rfind(b"OggS", 0, pos)
    return False


_FLAC_RATES = (None, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000)


@cache
def _crc8_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
        table.append(crc)
    return tuple(table)


def _flac_frame(data: Buffer, pos: int, max_blocksize: int, sample_rate: int) -> tuple[int, int] | None:
    """(first sample, samples) of the FLAC frame whose header starts at `pos`; None if none does.

    The header's CRC-8 and its agreement with STREAMINFO's sample rate keep false syncs out.
    """
    head = bytes(data[pos : pos + 16])
    if len(head) < 6 or head[0] != 0xFF or head[1] & 0xFE != 0xF8:
        return None
    variable = head[1] & 1
    size_code, rate_code = head[2] >> 4, head[2] & 0x0F
    channels, depth = head[3] >> 4, (head[3] >> 1) & 7
    if size_code == 0 or rate_code == 15 or channels > 10 or depth == 3 or head[3] & 1:
        return None
    first = head[4]
    extra = 0
    while extra < 7 and first & (0x80 >> extra):
        extra += 1  # leading ones: the UTF-8-style length of the frame or sample number
    if extra == 1 or extra > 7:
        return None
    number = first & (0x7F >> extra) if extra else first
    cursor = 5
    for _ in range(max(extra - 1, 0)):
        if cursor >= len(head) or head[cursor] & 0xC0 != 0x80:
            return None
        number = (number << 6) | (head[cursor] & 0x3F)
        cursor += 1
    if size_code == 6:
        blocksize, cursor = head[cursor] + 1, cursor + 1
    elif size_code == 7:
        blocksize, cursor = (head[cursor] << 8 | head[cursor + 1]) + 1, cursor + 2
    elif size_code == 1:
        blocksize = 192
    elif size_code < 6:
        blocksize = 576 << (size_code - 2)
    else:
        blocksize = 256 << (size_code - 8)
    if 0 < rate_code < 12 and _FLAC_RATES[rate_code] != sample_rate:
        return None
    cursor += {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if cursor >= len(head):
        return None
    crc = 0
    table = _crc8_table()
    for byte in head[:cursor]:
        crc = table[crc ^ byte]
    if crc != head[cursor]:
        return None
    start = number if variable else number * max_blocksize
    return start, blocksize


def flac_samples_held(data: Buffer, *, max_blocksize: int, sample_rate: int, window: int) -> int | None:
    """Samples up to the end of the last FLAC frame whose header lies in the file's last `window` bytes.

    None when no frame header is found there. A frame cut off at the end of the file is
    counted as if whole: at most one block (a tenth of a second) too many.
    """
    low = max(0, len(data) - window)
    best = None
    pos = data.rfind(b"\xff", low)
    while pos >= low:
        frame = _flac_frame(data, pos, max_blocksize, sample_rate)
        if frame is not None:
            end = frame[0] + frame[1]
            best = end if best is None else max(best, end)
        pos = data.rfind(b"\xff", low, pos)
    return best
