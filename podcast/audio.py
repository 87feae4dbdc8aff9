"""Reading audio files with mutagen: the one place mutagen is called.

`probe(path)` returns an `AudioInfo`; anything mutagen cannot read becomes an
`AudioError` that names the file and says what to do.
"""

from __future__ import annotations

from pathlib import Path

import mutagen
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from .errors import AudioError
from .model import AudioInfo

# Explicit candidates for mutagen.File, so detection never depends on import order.
FORMATS: list[type[mutagen.FileType]] = [MP3, MP4]


def _mime_for(audio: mutagen.FileType, path: Path) -> tuple[str, str]:
    if isinstance(audio, MP3):
        return "mp3", "audio/mpeg"
    if isinstance(audio, MP4):
        suffix = path.suffix.lower()
        if suffix == ".m4v":
            return "m4v", "video/x-m4v"
        if suffix == ".mp4":
            return "mp4", "video/mp4"
        return "m4a", "audio/x-m4a"
    raise AudioError(f"{path}: unsupported format", path=str(path))


def probe(path: Path) -> AudioInfo:
    """Read size, MIME type and duration from an audio file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc.strerror})", path=str(path)) from None
    if size == 0:
        raise AudioError(f"{path}: is empty (0 bytes); export the audio again", path=str(path))
    try:
        audio = mutagen.File(path, options=FORMATS)
    except mutagen.MutagenError as exc:
        raise AudioError(
            f"{path}: not readable as audio ({exc}); export it again as MP3 or M4A", path=str(path)
        ) from None
    if audio is None or audio.info is None:
        raise AudioError(f"{path}: not a recognised audio file; export it as MP3 or M4A", path=str(path))
    fmt, mime = _mime_for(audio, path)
    info = audio.info
    return AudioInfo(
        size=size,
        mime=mime,
        duration=float(info.length),
        format=fmt,
        bitrate=getattr(info, "bitrate", None) or None,
        sample_rate=getattr(info, "sample_rate", None) or None,
        channels=getattr(info, "channels", None) or None,
        duration_estimated=bool(getattr(info, "sketchy", False)),
    )
