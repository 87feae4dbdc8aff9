"""Reading and tagging audio files: the one place mutagen is called.

`read(path)` returns an `AudioFile` (stream facts, tags, chapters, artwork),
`probe(path)` just its `AudioInfo`, and `write_tags(...)` writes metadata back.
Every format sits behind this one interface (as in mutagen); the per-format
details live in `id3.py`, `mp4.py`, `vorbis.py` and `wav.py`, and frame counting
in `frames.py`. Anything that cannot be read becomes an `AudioError` naming the
file, the reason and what to do; `mutagen.MutagenError` is caught here and
nowhere else.
"""

from __future__ import annotations

import io
import mmap
import os
import struct
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.aac import AAC
from mutagen.aiff import AIFF
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, MPEGInfo
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from ..errors import AudioError
from ..model import AudioFile, AudioInfo, Chapter, Picture, Tags
from . import frames, id3, id3frames, mp4, vorbis, wav
from ._common import TRUNCATED_SLACK, Buffer


@dataclass(frozen=True)
class Format:
    name: str  # short name, as in AudioInfo.format
    mime: str  # the enclosure type; Apple's spelling where Apple lists the format
    suffixes: tuple[str, ...]
    apple: bool  # Apple Podcasts accepts it
    label: str  # the name people know it by, for messages
    in_feeds: bool = True  # podcast apps play it; `podcast info` reads the others, the build refuses them


# Apple's list (A Podcaster's Guide to RSS): audio/mpeg (.mp3), audio/x-m4a (.m4a), video/mp4 (.mp4),
# video/x-m4v (.m4v), video/quicktime (.mov), application/pdf (.pdf); lint's APPLE_MEDIA_TYPES.
# An M4B is an M4A with chapters, so it gets the M4A type; but .m4b is not on Apple's list
# (Apple decides from the URL's extension), so renamed to .m4a it is one Apple takes.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("mp3", "audio/mpeg", (".mp3",), True, "MP3"),
        Format("m4a", "audio/x-m4a", (".m4a",), True, "M4A"),
        Format("m4b", "audio/x-m4a", (".m4b",), False, "M4B"),
        Format("mp4", "video/mp4", (".mp4",), True, "MP4"),
        Format("m4v", "video/x-m4v", (".m4v",), True, "M4V"),
        Format("aac", "audio/aac", (".aac",), False, "AAC"),
        Format("ogg", "audio/ogg", (".ogg", ".oga"), False, "Ogg"),
        Format("opus", "audio/opus", (".opus",), False, "Opus"),
        Format("flac", "audio/flac", (".flac",), False, "FLAC"),
        Format("wav", "audio/wav", (".wav",), False, "WAV"),
        Format("aiff", "audio/aiff", (".aiff", ".aif", ".aifc"), False, "AIFF", in_feeds=False),
    )
}

# Explicit candidates for mutagen.File, so detection never depends on import order.
KINDS: list[type[mutagen.FileType]] = [MP3, MP4, AAC, OggVorbis, OggOpus, FLAC, WAVE, AIFF]
_KIND_FORMATS: dict[type, tuple[str, ...]] = {
    MP3: ("mp3",),
    MP4: ("m4a", "m4b", "mp4", "m4v"),
    AAC: ("aac",),
    OggVorbis: ("ogg",),
    OggOpus: ("opus", "ogg"),
    FLAC: ("flac",),
    WAVE: ("wav",),
    AIFF: ("aiff",),
}
_KIND_NAMES = {MP3: "an MP3", MP4: "an MP4/M4A", AAC: "a raw AAC", OggVorbis: "an Ogg Vorbis"}
_KIND_NAMES |= {OggOpus: "an Opus", FLAC: "a FLAC", WAVE: "a WAV", AIFF: "an AIFF"}

TRUNCATED_FRAMES = 2  # MPEG frames a Xing/VBRI count may exceed the frames found by

# No codec we read goes near this few bits per second, even for silence (FLAC's constant
# subframes come to about 1,300): a longer duration than the file's size allows at this rate
# is a damaged header (an Opus granule of 2^63, an MP4 media header claiming years).
MIN_PLAUSIBLE_BITRATE = 100
# Bytes between MPEG frames that are neither audio nor tags, beyond which the file is not
# what it says: a few kilobytes of MP3 followed by megabytes of anything else.
MPEG_JUNK_SLACK = 1 << 20


def format_for_suffix(path: Path) -> Format | None:
    suffix = path.suffix.lower()
    return next((f for f in FORMATS.values() if suffix in f.suffixes), None)


def _fail(path: Path, reason: str, todo: str) -> AudioError:
    return AudioError(f"{path}: {reason}; {todo}", path=str(path), reason=f"{reason}; {todo}")


@contextmanager
def _mapped(path: Path):
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        yield data


def _mp4_format(path: Path) -> Format:
    """Video or audio by the tracks inside, whatever the name says (lint's M102 notes a wrong name)."""
    try:
        with _mapped(path) as data:
            video = mp4.has_video_track(data)
    except (OSError, ValueError, struct.error):
        video = False  # the reading that follows reports what is wrong with the file
    suffix = path.suffix.lower()
    if video:
        return FORMATS["m4v" if suffix == ".m4v" else "mp4"]
    return FORMATS["m4b" if suffix == ".m4b" else "m4a"]


def _format_of(kind: type[mutagen.FileType], path: Path) -> tuple[Format, AudioError | None]:
    """The file's format by its contents, and why a feed cannot carry it as it is (or None)."""
    allowed = _KIND_FORMATS[kind]
    named = format_for_suffix(path)
    if kind is MP4:
        by_contents = _mp4_format(path)
        if named is not None and named.name in allowed:
            return by_contents, None
        allowed = (by_contents.name,)
    elif named is not None and named.name in allowed:
        found = FORMATS[named.name]
        if not found.in_feeds:
            return found, _fail(
                path,
                f"is {_KIND_NAMES[kind]} file, which podcast apps do not play",
                "export it as MP3 or M4A for the feed",
            )
        return found, None
    found = FORMATS[allowed[0]]
    wrong_name = _fail(
        path,
        f"is {_KIND_NAMES[kind]} file named {path.suffix or '(no suffix)'}",
        f"rename it to {path.stem}{found.suffixes[0]} (apps trust the name and the MIME type)",
    )
    return found, wrong_name


@dataclass(frozen=True)
class _Length:
    seconds: float
    estimated: bool = False
    truncated: bool = False
    mean_bitrate: int | None = None  # when frames were counted: mutagen's bitrate is the first frame's


def _counted(data: Buffer) -> frames.MpegStream:
    """Every frame walked; a file that is mostly not MPEG audio is refused here."""
    counted = frames.scan_mpeg(data)
    if counted is None or not counted.frames:
        raise ValueError("no MPEG audio frames")
    junk = counted.audio_bytes - counted.frame_bytes
    if junk > MPEG_JUNK_SLACK and junk > counted.frame_bytes:
        raise ValueError(
            f"only {counted.seconds:.1f} s of MPEG audio ({counted.frame_bytes:,} bytes); "
            f"the other {junk:,} bytes are not audio"
        )
    return counted


def _mp3_length(info: MPEGInfo, data: Buffer) -> _Length:
    """An MP3's length: its Xing/Info/VBRI header's when whole, else the frames counted."""
    stream = frames.scan_mpeg(data, count=False)
    if stream is None:
        raise ValueError("no MPEG audio frames")
    if stream.header_frames:
        if stream.header_bytes and stream.audio_bytes + TRUNCATED_SLACK < stream.header_bytes:
            # Fewer bytes than the header counted. Some tools count differently (tags included),
            # so only frames missing prove the file was cut short.
            counted = _counted(data)
            if counted.frames + TRUNCATED_FRAMES < stream.header_frames:
                return _Length(counted.seconds, truncated=True, mean_bitrate=_mean(counted))
        if stream.header_bytes and stream.audio_bytes > stream.header_bytes + TRUNCATED_SLACK:
            # More audio than the header counted (files joined with `cat`, audio appended by a
            # tool that left the header alone): the frames present are what a player plays.
            counted = _counted(data)
            if counted.frames > stream.header_frames + TRUNCATED_FRAMES:
                return _Length(counted.seconds, mean_bitrate=_mean(counted))
        return _Length(float(info.length))
    # No header (lameenc, streaming encoders): only the frames tell, and a file cut short
    # shows as a last frame that runs past the end of the file.
    counted = _counted(data)
    return _Length(counted.seconds, truncated=counted.cut_off, mean_bitrate=_mean(counted))


def _mean(stream: frames.MpegStream | frames.AdtsStream) -> int | None:
    """Bits per second of the audio itself (tags and artwork around it left out)."""
    return round(stream.audio_bytes * 8 / stream.seconds) if stream.seconds else None


def _stream_facts(audio: mutagen.FileType, data: Buffer) -> _Length:
    if isinstance(audio, MP3):
        return _mp3_length(audio.info, data)
    if isinstance(audio, AAC):
        stream = frames.scan_adts(data)
        if stream is not None:
            return _Length(stream.seconds, mean_bitrate=_mean(stream))
        return _Length(float(audio.info.length), estimated=True)
    if isinstance(audio, MP4):
        held = mp4.held_fraction(data)
        if held < 1.0 and (1.0 - held) * len(data) > TRUNCATED_SLACK:
            exact = mp4.held_seconds(data)
            if exact is not None:
                return _Length(exact, truncated=True)
            return _Length(float(audio.info.length) * held, estimated=True, truncated=True)
        return _Length(float(audio.info.length))
    if isinstance(audio, WAVE):
        held = wav.held_seconds(data, audio.info)
        if held is not None:
            return _Length(held, truncated=True)
        return _Length(float(audio.info.length))
    if isinstance(audio, OggVorbis | OggOpus):
        # The last page's granule position is exact for what the file holds; a file cut short
        # lacks the end-of-stream page, and what it holds is all there is to say.
        return _Length(float(audio.info.length), truncated=not frames.ogg_ends_cleanly(data))
    if isinstance(audio, FLAC):
        return _flac_length(audio, data)
    return _Length(float(audio.info.length))


def _flac_length(audio: FLAC, data: Buffer) -> _Length:
    """STREAMINFO's sample count, unless the last frame in the file ends well before it (cut short)."""
    info = audio.info
    stated = info.total_samples
    # STREAMINFO's max frame size is the file's word (up to 16 MB); the search walks every 0xFF byte
    # of the window, so it stays within 1 MiB, far above any real frame.
    window = min(max(4 * (info.max_framesize or 0), 1 << 16), 1 << 20) if info.max_framesize else 1 << 20
    held = frames.flac_samples_held(
        data, max_blocksize=info.max_blocksize, sample_rate=info.sample_rate, window=window
    )
    if held is None:
        return _Length(float(info.length))
    if not stated:  # a streaming encoder may leave the count at 0: the frames tell
        return _Length(held / info.sample_rate)
    if held + info.max_blocksize < stated:
        return _Length(held / info.sample_rate, truncated=True)
    return _Length(float(info.length))


def _id3_extras(tags: id3.Id3Tags | None) -> dict:
    return {
        "tags": id3.read_tags(tags),
        "chapters": id3.read_chapters(tags),
        "artwork": id3.read_artwork(tags),
        "chapters_written_by_tag": id3.chapters_written_by_tag(tags),
    }


def _tags_and_extras(audio: mutagen.FileType, duration: float) -> dict:
    """AudioFile's tags, chapters, artwork and chapters_written_by_tag."""
    if isinstance(audio, MP3 | WAVE | AIFF):
        return _id3_extras(audio.tags if isinstance(audio.tags, ID3) else None)
    if isinstance(audio, MP4):
        return {
            "tags": mp4.read_tags(audio.tags),
            "chapters": mp4.read_chapters(audio),
            "artwork": mp4.read_artwork(audio.tags),
        }
    if isinstance(audio, OggVorbis | OggOpus | FLAC):
        return {
            "tags": vorbis.read_tags(audio.tags),
            "chapters": vorbis.read_chapters(audio.tags, duration),
            "artwork": vorbis.read_artwork(audio),
            "chapters_written_by_tag": vorbis.chapters_written_by_tag(audio.tags),
        }
    return {}


class _ClampedReads(io.RawIOBase):
    """A file, read-only, whose reads never ask for more than it still holds.

    mutagen reads as many bytes as a header says (an ID3 tag "of 64 MB", an atom "of
    4 GB"), and Python allocates the whole request before the read comes up short. Read
    through this, a damaged header costs at most the file's own size.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._file = open(path, "rb")  # noqa: SIM115 - closed with this object
        self._size = os.fstat(self._file.fileno()).st_size
        self.name = str(path)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        remaining = max(self._size - self._file.tell(), 0)
        if size is None or size < 0 or size > remaining:
            size = remaining
        return self._file.read(size)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
        super().close()


def _load(kind: Callable[..., mutagen.FileType | None], path: Path, **options) -> mutagen.FileType | None:
    """Read `path` with a mutagen reader, or mutagen.File, through _ClampedReads."""
    with _ClampedReads(path) as handle:
        return kind(handle, **options)


def _by_contents(path: Path) -> mutagen.FileType | None:
    """The file read by the reader its first bytes point to, ignoring its name; None if none can."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(128)
        if header[:1] == b"\xff" and header[1] & 0xF6 == 0xF0:  # an ADTS sync word (mutagen asks the name)
            return _load(AAC, path)
        for kind in _ranked(path, header, by_name=False):
            return _load(kind, path)
    except Exception:  # noqa: BLE001 - a damaged file may break any reader in any way
        pass
    return None


def _ranked(path: Path, header: bytes, *, by_name: bool = True) -> list[type[mutagen.FileType]]:
    """The readers that may read a file starting with `header`, best first, as mutagen.File ranks
    them: by score, ties broken by the class's name so that import order never decides."""
    name = str(path) if by_name else ""
    scored = sorted(((kind.score(name, None, header), kind.__name__), kind) for kind in KINDS)
    return [kind for (score, _), kind in reversed(scored) if score > 0]


def _detected(path: Path, header: bytes) -> type[mutagen.FileType] | None:
    """The reader mutagen.File picks for the file."""
    ranked = _ranked(path, header)
    return ranked[0] if ranked else None


def _starts_like_mp4(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(8)[4:8] == b"ftyp"
    except OSError:
        return False


def _open(path: Path, *, for_writing: bool = False) -> tuple[int, mutagen.FileType]:
    if path.is_dir():
        raise _fail(path, "is a folder, not an audio file", "name the audio file inside it")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _fail(path, "not found", "check the file name") from None
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror})", "check the file's permissions") from None
    if size == 0:
        raise _fail(path, "is empty (0 bytes)", "export or upload the audio again")
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror})", "check it is a file you may read") from None
    try:
        # Writing needs mutagen to hold the file by name; reading goes through _ClampedReads.
        audio = mutagen.File(path, options=KINDS) if for_writing else _load(mutagen.File, path, options=KINDS)
    except Exception:  # noqa: BLE001 - mutagen meets damaged files with IndexError, ValueError, …
        # The suffix may have steered mutagen to the wrong reader (raw AAC named .mp3):
        # try the one the contents alone point to, so the message can name the real format.
        actual = _by_contents(path)
        if actual is not None:
            return size, actual
        if _starts_like_mp4(path):
            raise _fail(
                path,
                "is an MP4 file without its index (no moov box): it looks cut short",
                "upload or export it again",
            ) from None
        raise _unreadable(path) from None
    if audio is None or audio.info is None:
        raise _unreadable(path)
    return size, audio


def _unreadable(path: Path) -> AudioError:
    """A file no reader accepts, in plain words (mutagen's reasons speak of its internals)."""
    named = format_for_suffix(path)
    if named is None:
        return _fail(path, "is not an audio file we recognise", "export it as MP3 or M4A")
    return _fail(
        path,
        f"is not a valid {named.label} file (damaged, cut short, or not audio)",
        "export or upload it again, e.g. as MP3 or M4A",
    )


def read(path: Path, *, quick: bool = True) -> AudioFile:
    """Read everything we use from an audio file. Raises AudioError naming the file.

    A file a feed cannot carry as it is (a wrong name, a format apps do not play) is an
    error too: see `read_what_can_be_read` for reading it all the same. `quick=False`
    reads every tag with mutagen's full reader, which the quick way must agree with.
    """
    found, refusal = read_what_can_be_read(path, quick=quick)
    if refusal is not None:
        raise refusal
    return found


def read_what_can_be_read(path: Path, *, quick: bool = True) -> tuple[AudioFile, AudioError | None]:
    """Read an audio file whatever its name says, as `podcast info` does.

    Returns what was read, and the error `read` raises for it (the name is wrong, or
    podcast apps do not play the format) or None. Raises AudioError for a file that
    cannot be read at all.
    """
    path = Path(path)
    if quick and (found := _read_mp3_quickly(path)) is not None:
        return found
    size, audio = _open(path)
    fmt, refusal = _format_of(type(audio), path)
    try:
        with _mapped(path) as data:
            if isinstance(audio, MP4) and not mp4.has_movie_box(data):
                raise ValueError("no moov box")
            length = _stream_facts(audio, data)
        extras = _tags_and_extras(audio, length.seconds)
    except ValueError as exc:  # ours, in words ("no MPEG audio frames")
        raise _fail(path, f"is damaged or cut short ({exc})", "export or upload it again") from None
    except Exception:  # noqa: BLE001 - reasons in a parser's terms: the file's problem, never ours
        raise _fail(path, "is damaged or cut short", "export or upload it again") from None
    return _found(path, size, fmt, audio.info, length, extras), refusal


def _read_mp3_quickly(path: Path) -> tuple[AudioFile, AudioError | None] | None:
    """An MP3 read without mutagen's tag reader, with the same results; None to read it the full way.

    mutagen's ID3 reader decodes every frame of the tag, a UTF-16 comment one byte at a time:
    most of what a cold build of a large show costs. `id3frames` reads only the frames we
    use, and declines (Unusual) whatever it would not read exactly as mutagen does; so does
    anything else out of the ordinary here, damaged files included: the full way reports them.
    """
    try:
        with open(path, "rb") as handle:
            if _detected(path, handle.read(128)) is not MP3:
                return None
            size = os.fstat(handle.fileno()).st_size
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                if b"TAG" in data[max(0, size - 131) :]:
                    return None  # an ID3v1 tag perhaps, which mutagen merges into the ID3v2 one
                tags, offset = id3frames.read(data, size)
                handle.seek(0)
                info = MPEGInfo(handle, offset if tags is not None else None)
                length = _mp3_length(info, data)
            extras = _id3_extras(tags)
    except Exception:  # noqa: BLE001 - the full reading meets it again and says what is wrong
        return None
    fmt, refusal = _format_of(MP3, path)
    return _found(path, size, fmt, info, length, extras), refusal


def _found(path: Path, size: int, fmt: Format, info, length: _Length, extras: dict) -> AudioFile:
    """The AudioFile read, once its length is known to be one a feed may state."""
    if not length.seconds > 0:
        # An Ogg cut off after its header pages states a length of 0 (Opus: below 0, its pre-skip);
        # a feed must never say an episode lasts no time at all.
        raise _fail(path, "holds no audio (0 s): it looks cut short", "export or upload it again")
    if length.seconds > size * 8 / MIN_PLAUSIBLE_BITRATE + 1:
        raise _fail(
            path,
            f"claims to last {length.seconds:,.0f} s, more than its {size:,} bytes can hold "
            "(its header is damaged)",
            "export or upload it again",
        )
    bitrate = getattr(info, "bitrate", None) or None
    if length.mean_bitrate:
        bitrate = length.mean_bitrate
    return AudioFile(
        path=path,
        info=AudioInfo(
            size=size,
            mime=fmt.mime,
            duration=length.seconds,
            format=fmt.name,
            bitrate=int(bitrate) if bitrate else None,
            sample_rate=getattr(info, "sample_rate", None) or (48000 if fmt.name == "opus" else None),
            channels=getattr(info, "channels", None) or None,
            duration_estimated=length.estimated,
            truncated=length.truncated,
        ),
        **extras,
    )


def probe(path: Path) -> AudioInfo:
    """Read size, MIME type and duration from an audio file."""
    return read(path).info


def write_tags(
    path: Path,
    tags: Tags,
    *,
    artwork: Picture | None = None,
    chapters: tuple[Chapter, ...] | None = None,
    duration: float,
) -> None:
    """Write `tags`, artwork and chapters into the file, leaving the audio data alone.

    `duration` is the file's true length (`read(path).info.duration`): a last chapter with
    no end of its own ends there.

    ID3 is written as v2.4 (chapters as CHAP/CTOC); MP4 gets iTunes atoms (no
    chapters); Ogg, Opus and FLAC get Vorbis comments (chapters as CHAPTERnnn).
    Chapters written are marked as ours (see `AudioFile.chapters_written_by_tag`);
    `chapters` None leaves the file's chapters alone, () removes the ones we wrote.
    Raw AAC cannot hold tags.
    """
    path = Path(path)
    _, audio = _open(path, for_writing=True)
    writer = _WRITERS.get(type(audio))
    if writer is None:
        raise _fail(path, f"{path.suffix} files cannot hold tags", "convert it to M4A to tag it")
    try:
        writer(audio, tags, artwork, chapters, duration)
    except (mutagen.MutagenError, OSError, ValueError) as exc:
        raise _fail(path, f"tags could not be written ({exc})", "check the file is writable") from None
    except Exception:  # noqa: BLE001 - a damaged file may break the tag writer in any way
        raise _fail(path, "tags could not be written: the file is damaged", "export it again") from None


def _write_id3(
    audio, tags: Tags, artwork: Picture | None, chapters: tuple[Chapter, ...] | None, duration: float
) -> None:
    if audio.tags is None:
        audio.add_tags()
    id3.write(audio.tags, tags, artwork=artwork, chapters=chapters, duration=duration)
    audio.save(v2_version=4)


def _write_mp4(
    audio, tags: Tags, artwork: Picture | None, chapters: tuple[Chapter, ...] | None, duration: float
) -> None:
    if audio.tags is None:
        audio.add_tags()
    mp4.write(audio.tags, tags, artwork=artwork)
    audio.save()


def _write_vorbis(
    audio, tags: Tags, artwork: Picture | None, chapters: tuple[Chapter, ...] | None, duration: float
) -> None:
    vorbis.write(audio, tags, artwork=artwork, chapters=chapters)
    audio.save()


Writer = Callable[[mutagen.FileType, Tags, Picture | None, tuple[Chapter, ...] | None, float], None]
_WRITERS: dict[type, Writer] = {
    MP3: _write_id3,
    WAVE: _write_id3,
    MP4: _write_mp4,
    OggVorbis: _write_vorbis,
    OggOpus: _write_vorbis,
    FLAC: _write_vorbis,
}


def summary(found: AudioFile) -> dict:
    """The JSON shape `podcast info --json` prints for one file."""
    info = found.info
    tags = {k: v for k, v in vars(found.tags).items() if v not in (None, False, "")}
    artwork = found.artwork
    return {
        "path": str(found.path),
        "format": info.format,
        "mime": info.mime,
        "size": info.size,
        "duration": round(info.duration, 3),
        "duration_estimated": info.duration_estimated,
        "truncated": info.truncated,
        "bitrate": info.bitrate,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "tags": tags,
        "chapters": [
            {"start": round(c.start, 3), "end": None if c.end is None else round(c.end, 3), "title": c.title}
            | {"url": c.url}
            for c in found.chapters
        ],
        "chapters_written_by_tag": found.chapters_written_by_tag,
        "artwork": None
        if artwork is None
        else {"mime": artwork.mime, "width": artwork.width, "height": artwork.height},
    }
