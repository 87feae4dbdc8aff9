"""One class per container we read, in mutagen's shape: its score, stream facts, tags and writer.

Each container names mutagen's reader for it and knows how a file is recognised (its
`score`, mutagen's own), what format it is by its contents, how long it really lasts
(`length`), what its tags, chapters and artwork say (`extras`) and how tags are
written back (`write`). `CONTAINERS` lists them; `ranked` orders them for a file as
mutagen.File does. The byte-level work lives in frames.py, id3.py, mp4.py, vorbis.py
and wav.py.
"""

from __future__ import annotations

import importlib
import io
import mmap
import os
import re
import stat
import struct
from pathlib import Path
from typing import ClassVar, NamedTuple

import mutagen
from mutagen._util import intround  # what MPEGInfo rounds a Xing header's bitrate with
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, MPEGInfo, XingHeader, XingHeaderError

from ..errors import AudioError
from ..model import Chapter, Picture, Tags
from . import frames, id3, id3frames
from ._common import TRUNCATED_SLACK, Buffer, fail, mapped
from .formats import FORMATS, Format, format_for_suffix

TRUNCATED_FRAMES = 2  # MPEG frames a Xing/VBRI count may exceed the frames found by
# Bytes between MPEG frames that are neither audio nor tags, beyond which the file is not
# what it says: a few kilobytes of MP3 followed by megabytes of anything else.
MPEG_JUNK_SLACK = 1 << 20
# Files up to this size the quick MP3 reading reads whole; larger ones it maps into memory.
READ_WHOLE = 1 << 20


# Length, StreamInfo and Measured are NamedTuples (not frozen dataclasses, each field of which is
# set through object.__setattr__): a build makes one of each for every file it reads.


class Length(NamedTuple):
    seconds: float
    estimated: bool = False
    truncated: bool = False
    mean_bitrate: int | None = None  # when frames were counted: mutagen's bitrate is the first frame's


class CannotHoldTags(Exception):
    """The container has no place for tags (raw AAC)."""


class CannotHoldChapters(Exception):
    """This file cannot take the chapters asked for; nothing was written. The reason, in words."""


class NothingWritten(Exception):
    """Writing failed part way and the file was left as it was: (the reason, what to do)."""


class _Reader:
    """A container's mutagen reader, imported when first asked for: a build that reads MP3s
    (most shows) never loads mutagen's other formats, nor mp4.py, vorbis.py and wav.py (~10 ms)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __get__(self, container: object, owner: type | None = None) -> type[mutagen.FileType]:
        return getattr(importlib.import_module(self.module), self.name)


class Container:
    """What we know of one container format; subclasses fill it in."""

    reader: ClassVar[type[mutagen.FileType]]
    formats: ClassVar[tuple[str, ...]]  # the FORMATS it may hold, the usual one first
    label: ClassVar[str]  # "an MP3": for messages
    holds_chapters: ClassVar[bool] = False  # its tags hold chapters `podcast tag` writes
    title_bytes: ClassVar[int | None] = None  # the UTF-8 bytes of a chapter title it holds (None: any)

    def score(self, name: str, header: bytes) -> int:
        """How sure mutagen's reader is that a file named `name` starting with `header` is one (0: not)."""
        return self.reader.score(name, None, header)

    def format_of(self, path: Path) -> tuple[Format, AudioError | None]:
        """The file's format by its contents, and why a feed cannot carry it as it is (or None)."""
        named = format_for_suffix(path)
        if named is not None and named.name in self.formats:
            if not named.in_feeds:
                return named, fail(
                    path,
                    f"is {self.label} file, which podcast apps do not play",
                    "export it as MP3 or M4A for the feed",
                )
            return named, None
        return self._misnamed(path, FORMATS[self.formats[0]])

    def _misnamed(self, path: Path, found: Format) -> tuple[Format, AudioError]:
        return found, fail(
            path,
            f"is {self.label} file named {path.suffix or '(no suffix)'}",
            f"rename it to {path.stem}{found.suffixes[0]} (apps trust the name and the MIME type)",
        )

    def check(self, data: Buffer) -> None:
        """Raise ValueError, in words, when the file lacks what every such file has."""

    def length(self, audio: mutagen.FileType, data: Buffer) -> Length:
        return Length(float(audio.info.length))

    def extras(self, audio: mutagen.FileType, duration: float) -> dict:
        """AudioFile's tags, chapters, artwork and chapters_written_by_tag."""
        return {}

    def write(
        self,
        audio: mutagen.FileType,
        tags: Tags,
        artwork: Picture | None,
        chapters: tuple[Chapter, ...] | None,
        duration: float,
    ) -> None:
        """Replace the tags we own and save the file."""
        raise CannotHoldTags


def _mean(stream: frames.MpegStream | frames.AdtsStream) -> int | None:
    """Bits per second of the audio itself (tags and artwork around it left out)."""
    return round(stream.audio_bytes * 8 / stream.seconds) if stream.seconds else None


class _Id3Tagged(Container):
    """Containers whose tags are ID3 (MP3, WAV, AIFF)."""

    holds_chapters = True

    def extras(self, audio: mutagen.FileType, duration: float) -> dict:
        return id3_extras(audio.tags if isinstance(audio.tags, ID3) else None)

    def write(
        self,
        audio: mutagen.FileType,
        tags: Tags,
        artwork: Picture | None,
        chapters: tuple[Chapter, ...] | None,
        duration: float,
    ) -> None:
        if audio.tags is None:
            audio.add_tags()
        id3.write(audio.tags, tags, artwork=artwork, chapters=chapters, duration=duration)
        audio.save(v2_version=4)


def id3_extras(tags: id3.Id3Tags | None, *, with_tags: bool = True) -> dict:
    """AudioFile's tags, chapters, artwork and chapters_written_by_tag from ID3 frames;
    without `with_tags`, the tags and artwork are left as a file without them has them."""
    if tags:
        found = {
            "chapters": id3.read_chapters(tags),
            "chapters_written_by_tag": id3.chapters_written_by_tag(tags),
        }
    else:  # no tag, or none of its frames read (a build's reading of a tag without chapters)
        found = {"chapters": (), "chapters_written_by_tag": False}
    if with_tags:
        found["tags"], found["artwork"] = id3.read_tags(tags), id3.read_artwork(tags)
    return found


class StreamInfo(NamedTuple):
    """What mutagen's MPEGInfo says of an MP3 that `stream_info` takes (its fields of that name)."""

    length: float
    bitrate: int
    sample_rate: int
    channels: int


# mutagen's MPEGInfo looks for its first frame this far (iter_sync's max_read), and more:
# a stream `stream_info` takes starts well within it.
_SYNC_WITHIN = 1 << 16
# Bytes from a Xing header's start that mutagen's XingHeader and LAMEHeader read at most:
# tag, flags, frames, bytes, table of contents, scale (120), LAME version (20), LAME header (27).
_XING_READ = 8 + 4 + 4 + 100 + 4 + 20 + 27


def stream_info(data: Buffer, offset: int) -> StreamInfo | None:
    """MPEGInfo(file, offset)'s figures for an MP3 whose audio starts in one of the two usual
    ways, without mutagen's frame search and bit-by-bit header parsing (a quarter of reading
    an MP3); None for any other, which MPEGInfo reads.

    The first frame sync after the ID3 tags (as mutagen skips them) must start a layer III
    frame that either carries a whole Xing or Info header (LAME's files: mutagen takes that
    frame, and its own XingHeader reads the header here too), or is followed by three more
    frames, none with such a header or a VBRI one (lameenc's and streaming encoders' files:
    mutagen takes the first, as `frames.scan_mpeg` does).
    """
    start = _after_id3_as_mutagen(data, offset)
    sync = _ANY_SYNC.search(data, start, min(len(data), start + _SYNC_WITHIN))
    if sync is None:
        return None
    first = sync.start()
    frame = frames.mpeg_frame(data, first)
    if frame is None:
        return None
    bitrate = frames.mpeg_bitrate(data, first)
    channels = 1 if frame.mono else 2
    if frames.plain_layer3_run(data, first, 4):
        length = 8 * (len(data) - first) / float(bitrate)  # mutagen's estimate (mp3_length counts)
        return StreamInfo(length, bitrate, frame.sample_rate, channels)
    at = frames.xing_offset(data, first, frame)
    if at is None or bytes(data[at : at + 4]) not in (b"Xing", b"Info"):
        return None
    try:
        xing = XingHeader(io.BytesIO(data[at : at + _XING_READ]))
    except XingHeaderError:
        return None  # mutagen would look for a VBRI header, then at more frames
    if xing.frames == -1:
        return None  # mutagen estimates the length from the size and the first frame
    # As MPEGFrame._parse_vbr_header computes them.
    samples = frame.samples * xing.frames
    if xing.bytes != -1 and samples > 0:
        audio_bytes = max(0, xing.bytes - frame.length)
        bitrate = intround((audio_bytes * 8 * frame.sample_rate) / float(samples))
    lame = xing.lame_header
    if lame is not None:
        samples -= lame.encoder_delay_start
        samples -= lame.encoder_padding_end
    samples = max(samples, 0)
    return StreamInfo(float(samples) / frame.sample_rate, bitrate, frame.sample_rate, channels)


_ANY_SYNC = re.compile(b"\xff[\xe0-\xff]")  # what mutagen's iter_sync stops at


def _after_id3_as_mutagen(data: Buffer, pos: int) -> int:
    """Where mutagen's MPEGInfo looks for the first frame: past each ID3v2 header and the size
    it states (a v2.4 footer is not skipped), as its skip_id3 does."""
    while True:
        head = bytes(data[pos : pos + 10])
        if len(head) < 10 or head[:3] != b"ID3":
            return pos
        size = 0
        for byte in head[6:10]:
            size = (size << 7) | (byte & 0x7F)
        if size <= 0:
            return pos
        pos += 10 + size


class Measured(NamedTuple):
    """An MP3 read the quick way: what `read` makes its AudioFile of."""

    size: int
    info: MPEGInfo | StreamInfo
    length: Length
    extras: dict


class Mp3(_Id3Tagged):
    reader = MP3
    formats = ("mp3",)
    label = "an MP3"

    def length(self, audio: mutagen.FileType, data: Buffer) -> Length:
        return mp3_length(audio.info, data)

    def read_quickly(self, path: Path, *, with_tags: bool = True) -> Measured | None:
        """The file read without mutagen's tag reader, with the same results; None to read it the full way.
        Without `with_tags` its tags and artwork are not read (see `id3frames.read`'s chapters_only).

        mutagen's ID3 reader decodes every frame of the tag, a UTF-16 comment one byte at a
        time: most of what a cold build of a large show costs. `id3frames` reads only the
        frames we use and declines (Unusual) whatever it would not read exactly as mutagen
        does; so does anything else out of the ordinary here, damaged files included: the
        full way reports them.
        """
        try:
            # A file object only if MPEGInfo needs one; no waiting for a writer if it is a FIFO.
            handle = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        except Exception:  # noqa: BLE001 - the full reading meets it again and says what is wrong
            return None
        try:
            facts = os.fstat(handle)
            if not stat.S_ISREG(facts.st_mode):
                return None  # the full reading says what it is
            size = facts.st_size
            if size <= READ_WHOLE:
                # One read costs less than mapping the file and faulting its pages in one by one.
                data = os.read(handle, size)
                if len(data) != size:
                    return None  # it changed meanwhile: the full reading reads what it is now
                return self._measured(path, handle, data, with_tags)
            with mmap.mmap(handle, 0, access=mmap.ACCESS_READ) as mapped_data:
                return self._measured(path, handle, mapped_data, with_tags)
        except Exception:  # noqa: BLE001 - the full reading meets it again and says what is wrong
            return None
        finally:
            os.close(handle)

    def _measured(self, path: Path, handle: int, data: Buffer, with_tags: bool) -> Measured | None:
        """`read_quickly` of the file open as `handle`, whose bytes are `data`."""
        if detected(path, data[:128]) is not self:
            return None
        size = len(data)
        if b"TAG" in data[max(0, size - 131) :]:
            return None  # an ID3v1 tag perhaps, which mutagen merges into the ID3v2 one
        tags, offset = id3frames.read(data, size, chapters_only=not with_tags)
        info = stream_info(data, offset if tags is not None else 0)
        if info is None:
            with open(handle, "rb", closefd=False) as stream:
                info = MPEGInfo(stream, offset if tags is not None else None)
        length = mp3_length(info, data)
        return Measured(size, info, length, id3_extras(tags, with_tags=with_tags))


def _counted(data: Buffer, found: frames.MpegStream) -> frames.MpegStream:
    """Every frame of the stream `found` walked; a file that is mostly not MPEG audio is refused here."""
    counted = frames.count_frames(data, found)
    if not counted.frames:
        raise ValueError("no MPEG audio frames")
    junk = counted.audio_bytes - counted.frame_bytes
    if junk > MPEG_JUNK_SLACK and junk > counted.frame_bytes:
        raise ValueError(
            f"only {counted.seconds:.1f} s of MPEG audio ({counted.frame_bytes:,} bytes); "
            f"the other {junk:,} bytes are not audio"
        )
    return counted


def mp3_length(info: MPEGInfo, data: Buffer) -> Length:
    """An MP3's length: its Xing/Info/VBRI header's when whole, else the frames counted."""
    stream = frames.scan_mpeg(data, count=False)
    if stream is None:
        raise ValueError("no MPEG audio frames")
    if stream.header_frames:
        if stream.header_bytes and stream.audio_bytes + TRUNCATED_SLACK < stream.header_bytes:
            # Fewer bytes than the header counted. Some tools count differently (tags included),
            # so only frames missing prove the file was cut short.
            counted = _counted(data, stream)
            if counted.frames + TRUNCATED_FRAMES < stream.header_frames:
                return Length(counted.seconds, truncated=True, mean_bitrate=_mean(counted))
        if stream.header_bytes and stream.audio_bytes > stream.header_bytes + TRUNCATED_SLACK:
            # More audio than the header counted (files joined with `cat`, audio appended by a
            # tool that left the header alone): the frames present are what a player plays.
            counted = _counted(data, stream)
            if counted.frames > stream.header_frames + TRUNCATED_FRAMES:
                return Length(counted.seconds, mean_bitrate=_mean(counted))
        return Length(float(info.length))
    # No header (lameenc, streaming encoders): only the frames tell, and a file cut short
    # shows as a last frame that runs past the end of the file.
    counted = _counted(data, stream)
    return Length(counted.seconds, truncated=counted.cut_off, mean_bitrate=_mean(counted))


class Wave(_Id3Tagged):
    reader = _Reader("mutagen.wave", "WAVE")
    formats = ("wav",)
    label = "a WAV"

    def length(self, audio: mutagen.FileType, data: Buffer) -> Length:
        from . import wav

        held = wav.held_seconds(data, audio.info)
        if held is not None:
            return Length(held, truncated=True)
        return Length(float(audio.info.length))


class Aiff(_Id3Tagged):
    reader = _Reader("mutagen.aiff", "AIFF")
    formats = ("aiff",)
    label = "an AIFF"
    holds_chapters = False  # no writer: `podcast tag` leaves AIFF files alone

    def write(
        self,
        audio: mutagen.FileType,
        tags: Tags,
        artwork: Picture | None,
        chapters: tuple[Chapter, ...] | None,
        duration: float,
    ) -> None:
        raise CannotHoldTags


class Mp4(Container):
    reader = _Reader("mutagen.mp4", "MP4")
    formats = ("m4a", "m4b", "mp4", "m4v")
    label = "an MP4/M4A"
    holds_chapters = True  # as a Nero chapter list (moov.udta.chpl), which mutagen reads

    @property
    def title_bytes(self) -> int | None:
        from . import mp4

        return mp4.NERO_MAX

    def format_of(self, path: Path) -> tuple[Format, AudioError | None]:
        """Video or audio by the tracks inside, whatever the name says (lint's M102 notes a wrong name)."""
        from . import mp4

        try:
            with mapped(path) as data:
                video = mp4.has_video_track(data)
        except (OSError, ValueError, struct.error):
            video = False  # the reading that follows reports what is wrong with the file
        suffix = path.suffix.lower()
        if video:
            by_contents = FORMATS["m4v" if suffix == ".m4v" else "mp4"]
        else:
            by_contents = FORMATS["m4b" if suffix == ".m4b" else "m4a"]
        named = format_for_suffix(path)
        if named is not None and named.name in self.formats:
            return by_contents, None
        return self._misnamed(path, by_contents)

    def check(self, data: Buffer) -> None:
        from . import mp4

        if not mp4.has_movie_box(data):
            raise ValueError("no moov box")

    def length(self, audio: mutagen.FileType, data: Buffer) -> Length:
        from . import mp4

        held = mp4.held_fraction(data)
        if held < 1.0 and (1.0 - held) * len(data) > TRUNCATED_SLACK:
            exact = mp4.held_seconds(data)
            if exact is not None:
                return Length(exact, truncated=True)
            return Length(float(audio.info.length) * held, estimated=True, truncated=True)
        return Length(float(audio.info.length))

    def extras(self, audio: mutagen.FileType, duration: float) -> dict:
        from . import mp4

        return {
            "tags": mp4.read_tags(audio.tags),
            "chapters": mp4.read_chapters(audio),
            "artwork": mp4.read_artwork(audio.tags),
            "chapters_written_by_tag": mp4.chapters_written_by_tag(audio.tags),
        }

    def write(
        self,
        audio: mutagen.FileType,
        tags: Tags,
        artwork: Picture | None,
        chapters: tuple[Chapter, ...] | None,
        duration: float,
    ) -> None:
        from . import mp4

        if audio.tags is None:
            audio.add_tags()
        path = Path(audio.filename)
        # `chapters` replace all; () removes only those `podcast tag` wrote; None leaves them be.
        rewrite = bool(chapters) or (chapters == () and mp4.chapters_written_by_tag(audio.tags))
        # An editor's Nero list, which ours replace, comes with the QuickTime chapter track
        # FFmpeg writes beside it: that track goes too. A track alone (GarageBand) is chapters
        # podcast never read, so it stays.
        unhook = bool(getattr(audio, "chapters", None)) and not mp4.chapters_written_by_tag(audio.tags)
        if rewrite:
            with mapped(path) as data:
                refusal = mp4.chapters_refusal(data, chapters, unhook=unhook)
            if refusal is not None:
                raise CannotHoldChapters(refusal)
            mp4.mark_chapters(audio.tags, bool(chapters))
        mp4.write(audio.tags, tags, artwork=artwork)
        # Tags and chapters go into a copy that replaces the file in one step: a failure
        # on the way (a full disk) leaves the file as it was, never tags without chapters.
        try:
            with mp4.replacing(path) as work:
                try:
                    audio.save(work)
                except mutagen.MutagenError as exc:
                    if exc.args and isinstance(exc.args[0], OSError):
                        raise exc.args[0] from None  # mutagen's wrapping of a full disk
                    raise
                if rewrite:
                    mp4.write_chapters(work, chapters, unhook=unhook)
        except OSError as exc:
            raise NothingWritten(
                f"tags could not be written ({exc.strerror or exc}); nothing was written",
                "make space on the disk and check the file and its folder are writable, then tag it again",
            ) from None
        except mp4.FileChanged as exc:
            raise NothingWritten(
                f"{exc}; nothing was written", "tag it again once nothing else is writing it"
            ) from None
        except mp4.ChunkOffsetsFull as exc:
            raise CannotHoldChapters(str(exc)) from None
        except (mutagen.MutagenError, ValueError, struct.error) as exc:
            raise NothingWritten(
                f"tags could not be written ({exc}); nothing was written", "export it again, then tag it"
            ) from None


class Aac(Container):
    reader = _Reader("mutagen.aac", "AAC")
    formats = ("aac",)
    label = "a raw AAC"

    def length(self, audio: mutagen.FileType, data: Buffer) -> Length:
        stream = frames.scan_adts(data)
        if stream is not None:
            return Length(stream.seconds, mean_bitrate=_mean(stream))
        return Length(float(audio.info.length), estimated=True)


class _VorbisCommented(Container):
    """Containers whose tags are Vorbis comments (Ogg Vorbis, Opus, FLAC)."""

    holds_chapters = True

    def length(self, audio: mutagen.FileType, data: Buffer) -> Length:
        # The last page's granule position is exact for what the file holds; a file cut short
        # lacks the end-of-stream page, and what it holds is all there is to say.
        return Length(float(audio.info.length), truncated=not frames.ogg_ends_cleanly(data))

    def extras(self, audio: mutagen.FileType, duration: float) -> dict:
        from . import vorbis

        return {
            "tags": vorbis.read_tags(audio.tags),
            "chapters": vorbis.read_chapters(audio.tags, duration),
            "artwork": vorbis.read_artwork(audio),
            "chapters_written_by_tag": vorbis.chapters_written_by_tag(audio.tags),
        }

    def write(
        self,
        audio: mutagen.FileType,
        tags: Tags,
        artwork: Picture | None,
        chapters: tuple[Chapter, ...] | None,
        duration: float,
    ) -> None:
        from . import vorbis

        vorbis.write(audio, tags, artwork=artwork, chapters=chapters)
        audio.save()


class OggVorbisFile(_VorbisCommented):
    reader = _Reader("mutagen.oggvorbis", "OggVorbis")
    formats = ("ogg",)
    label = "an Ogg Vorbis"


class OpusFile(_VorbisCommented):
    reader = _Reader("mutagen.oggopus", "OggOpus")
    formats = ("opus", "ogg")
    label = "an Opus"


class FlacFile(_VorbisCommented):
    reader = _Reader("mutagen.flac", "FLAC")
    formats = ("flac",)
    label = "a FLAC"

    def length(self, audio: mutagen.FileType, data: Buffer) -> Length:
        """STREAMINFO's sample count, unless the last frame in the file ends well before it (cut short)."""
        info = audio.info
        stated = info.total_samples
        # STREAMINFO's max frame size is the file's word (up to 16 MB); the search walks every 0xFF
        # byte of the window, so it stays within 1 MiB, far above any real frame.
        if info.max_framesize:
            window = min(max(4 * info.max_framesize, 1 << 16), 1 << 20)
        else:
            window = 1 << 20
        held = frames.flac_samples_held(
            data, max_blocksize=info.max_blocksize, sample_rate=info.sample_rate, window=window
        )
        if held is None:
            return Length(float(info.length))
        if not stated:  # a streaming encoder may leave the count at 0: the frames tell
            return Length(held / info.sample_rate)
        if held + info.max_blocksize < stated:
            return Length(held / info.sample_rate, truncated=True)
        return Length(float(info.length))


MP3_FILE, AAC_FILE = Mp3(), Aac()
# The candidates, as the explicit options mutagen.File is given (detection never depends on import order).
CONTAINERS: tuple[Container, ...] = (
    MP3_FILE,
    Mp4(),
    AAC_FILE,
    OggVorbisFile(),
    OpusFile(),
    FlacFile(),
    Wave(),
    Aiff(),
)


def ranked(path: Path, header: bytes, *, by_name: bool = True) -> list[Container]:
    """The containers that may hold a file starting with `header`, best first, as mutagen.File
    ranks its readers: by score, ties broken by the reader's name."""
    name = str(path) if by_name else ""
    scored = sorted(((c.score(name, header), c.reader.__name__), i) for i, c in enumerate(CONTAINERS))
    return [CONTAINERS[i] for (score, _), i in reversed(scored) if score > 0]


# The starts of a file mutagen's MP3 reader scores 2 for: an ID3v2 tag, or an MPEG audio sync.
_MP3_STARTS = (b"ID3", b"\xff\xf2", b"\xff\xf3", b"\xff\xfa", b"\xff\xfb")


def detected(path: Path, header: bytes) -> Container | None:
    """The container mutagen.File would read the file as; None when none scores."""
    if header.startswith(_MP3_STARTS) and str(path).lower().endswith(".mp3"):
        # MP3 scores 3 (2 for the start, 1 for the name), and no other reader can score more
        # than 2 for a file so named and so starting (MP4's "ftyp" and "mp4" anywhere in it;
        # AAC's "ADIF" and WAVE's "WAVE" 1 each): asking every reader would answer the same.
        return MP3_FILE
    found = ranked(path, header)
    return found[0] if found else None


def holding_chapters() -> tuple[str, ...]:
    """The formats whose tags `podcast tag` writes chapters into."""
    return tuple(name for c in CONTAINERS if c.holds_chapters for name in c.formats)


def title_bytes(fmt: str) -> int | None:
    """The bytes of a chapter title files of format `fmt` hold (None: no limit)."""
    return next((c.title_bytes for c in CONTAINERS if fmt in c.formats), None)
