"""Reading and tagging audio files: the one place mutagen is called.

`read(path)` returns an `AudioFile` (stream facts, tags, chapters, artwork),
`probe(path)` just its `AudioInfo`, and `write_tags(...)` writes metadata back;
`FORMATS` is the format table. Every container sits behind this one interface, as
in mutagen: one class each in `containers.py` knows its score, stream facts, tags
and writer; the byte-level details live in `id3.py`, `id3frames.py`, `mp4.py`,
`vorbis.py`, `wav.py` and `frames.py`. Anything that cannot be read becomes an
`AudioError` naming the file, the reason and what to do; `mutagen.MutagenError` is
caught here and nowhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AudioError
from ..model import AudioFile, AudioInfo, Chapter, Picture, Tags
from ._common import fail, mapped
from .formats import FORMATS, Format, format_for_suffix

if TYPE_CHECKING:
    from .containers import Length

# mutagen and the containers (~40 ms to import) are imported by the functions that read or write
# a file: a build that finds every probe in its cache, and lint's use of FORMATS, need neither.

__all__ = [
    "FORMATS",
    "MIN_PLAUSIBLE_BITRATE",
    "Format",
    "format_for_suffix",
    "cut_titles",
    "holds_chapters",
    "probe",
    "read",
    "read_what_can_be_read",
    "summary",
    "write_tags",
]

# No codec we read goes near this few bits per second, even for silence (FLAC's constant
# subframes come to about 1,300): a longer duration than the file's size allows at this rate
# is a damaged header (an Opus granule of 2^63, an MP4 media header claiming years).
MIN_PLAUSIBLE_BITRATE = 100


def holds_chapters(fmt: str) -> bool:
    """Whether `podcast tag` writes chapters into the tags of files of format `fmt` ("mp3", "m4a", …)."""
    from .containers import holding_chapters

    return fmt in holding_chapters()


def cut_titles(fmt: str, chapters: tuple[Chapter, ...]) -> tuple[tuple[Chapter, int], ...]:
    """The chapters whose titles `podcast tag` cuts short in `fmt` files, each with the bytes kept."""
    from .containers import title_bytes

    limit = title_bytes(fmt)
    if limit is None:
        return ()
    return tuple((c, limit) for c in chapters if len(c.title.encode("utf-8")) > limit)


def read(path: Path, *, quick: bool = True, with_tags: bool = True) -> AudioFile:
    """Read everything we use from an audio file. Raises AudioError naming the file.

    A file a feed cannot carry as it is (a wrong name, a format apps do not play) is an
    error too: see `read_what_can_be_read` for reading it all the same. `quick=False`
    reads every tag with mutagen's full reader, which the quick way must agree with.
    `with_tags=False` leaves the tags and the cover art unread (`Tags()` and None), as a
    build wants it: a feed takes the stream's facts and the chapters, nothing else of a file.
    """
    found, refusal = read_what_can_be_read(path, quick=quick, with_tags=with_tags)
    if refusal is not None:
        raise refusal
    return found


def read_what_can_be_read(
    path: Path, *, quick: bool = True, with_tags: bool = True
) -> tuple[AudioFile, AudioError | None]:
    """Read an audio file whatever its name says, as `podcast info` does.

    Returns what was read, and the error `read` raises for it (the name is wrong, or
    podcast apps do not play the format) or None. Raises AudioError for a file that
    cannot be read at all. `with_tags` as for `read`.
    """
    from .containers import MP3_FILE

    if not isinstance(path, Path):
        path = Path(path)
    if quick and (measured := MP3_FILE.read_quickly(path, with_tags=with_tags)) is not None:
        fmt, refusal = MP3_FILE.format_of(path)
        found = _found(path, measured.size, fmt, measured.info, measured.length, measured.extras)
        return found, refusal
    from .opening import open_audio  # (here: an import statement costs a microsecond a file)

    size, container, audio = open_audio(path)
    fmt, refusal = container.format_of(path)
    try:
        with mapped(path) as data:
            container.check(data)
            length = container.length(audio, data)
        extras = container.extras(audio, length.seconds)
        if not with_tags:
            extras = {key: value for key, value in extras.items() if key not in ("tags", "artwork")}
    except ValueError as exc:  # ours, in words ("no MPEG audio frames")
        raise fail(path, f"is damaged or cut short ({exc})", "export or upload it again") from None
    except Exception:  # noqa: BLE001 - reasons in a parser's terms: the file's problem, never ours
        raise fail(path, "is damaged or cut short", "export or upload it again") from None
    return _found(path, size, fmt, audio.info, length, extras), refusal


def _found(path: Path, size: int, fmt: Format, info, length: Length, extras: dict) -> AudioFile:
    """The AudioFile read, once its length is known to be one a feed may state."""
    if not length.seconds > 0:
        # An Ogg cut off after its header pages states a length of 0 (Opus: below 0, its pre-skip);
        # a feed must never say an episode lasts no time at all.
        raise fail(path, "holds no audio (0 s): it looks cut short", "export or upload it again")
    if length.seconds > size * 8 / MIN_PLAUSIBLE_BITRATE + 1:
        raise fail(
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

    ID3 is written as v2.4 (chapters as CHAP/CTOC); MP4 gets iTunes atoms (chapters
    as a Nero chapter list); Ogg, Opus and FLAC get Vorbis comments (chapters as CHAPTERnnn).
    Chapters written are marked as ours (see `AudioFile.chapters_written_by_tag`);
    `chapters` None leaves the file's chapters alone, () removes the ones we wrote.
    Raw AAC cannot hold tags.
    """
    import mutagen

    from .containers import CannotHoldChapters, CannotHoldTags, NothingWritten
    from .opening import open_audio

    path = Path(path)
    _, container, audio = open_audio(path, for_writing=True)
    try:
        container.write(audio, tags, artwork, chapters, duration)
    except CannotHoldTags:
        raise fail(path, f"{path.suffix} files cannot hold tags", "convert it to M4A to tag it") from None
    except CannotHoldChapters as exc:
        raise fail(
            path,
            f"its chapters cannot be written ({exc}); nothing was written",
            "give the episode fewer chapters, or export it again as a plain M4A",
        ) from None
    except NothingWritten as exc:
        raise fail(path, *exc.args) from None
    except (mutagen.MutagenError, OSError, ValueError) as exc:
        raise fail(path, f"tags could not be written ({exc})", "check the file is writable") from None
    except Exception:  # noqa: BLE001 - a damaged file may break the tag writer in any way
        raise fail(path, "tags could not be written: the file is damaged", "export it again") from None


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
