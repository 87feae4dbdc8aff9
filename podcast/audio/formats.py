"""The format table: what each audio format is called, its MIME type and names, and who plays it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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


# Each suffix's format, the first in FORMATS that names it: asked once for every file a build reads.
_BY_SUFFIX: dict[str, Format] = {}
for _format in FORMATS.values():
    for _suffix in _format.suffixes:
        _BY_SUFFIX.setdefault(_suffix, _format)
del _format, _suffix


def format_for_suffix(path: Path) -> Format | None:
    return _BY_SUFFIX.get(path.suffix.lower())
