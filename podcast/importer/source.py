"""SOURCE → bytes: a URL (through podcast.net, bounded) or a saved file (its size checked first)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import net
from ..errors import PodcastError
from ..weburl import WEB_SCHEMES, is_web_url

MAX_FEED_BYTES = 100_000_000  # 50,000 items with 1.5 KB of notes each stay under it; more is refused


class SourceError(PodcastError, ValueError):
    """SOURCE cannot be had: no such file, an HTTP error, no answer, too large."""


@dataclass(frozen=True)
class Source:
    body: bytes
    shown: str  # how messages name it: the URL or the file's path
    url: str | None  # where it was fetched from, after redirects (relative URLs resolve against it)
    moved_to: str | None = None  # the new address, when a redirect on the way was permanent


# What the start of a file that is neither a feed nor a page says it is (the audio, an image, a PDF).
_MAGIC = (
    (b"ID3", "MP3 audio"),
    (b"\xff\xfb", "MP3 audio"),
    (b"\xff\xf3", "MP3 audio"),
    (b"\xff\xf2", "MP3 audio"),
    (b"OggS", "Ogg audio"),
    (b"fLaC", "FLAC audio"),
    (b"RIFF", "WAV audio"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF"),
)


def binary_kind(body: bytes) -> str | None:
    """What a body that is not text is ("MP3 audio", "a PNG image", "binary data"); None for text."""
    kind = next((name for magic, name in _MAGIC if body.startswith(magic)), None)
    if kind is None and body[4:8] == b"ftyp":
        kind = "MP4/M4A audio or video"
    text_like = body.startswith((b"\xff\xfe", b"\xfe\xff")) or body.lstrip(b"\x00 \t\r\n").startswith(b"<")
    if kind is None and b"\x00" in body[:65536] and not text_like:
        kind = "binary data"  # (UTF-16 text has NULs too: it starts with its byte-order mark or "<")
    return kind


def is_url(source: str) -> bool:
    """SOURCE names something to fetch (an absolute http(s) URL), not a file."""
    return is_web_url(source)


def read_source(
    source: str, client: net.Client, *, max_bytes: int = MAX_FEED_BYTES, what: str = "feed"
) -> Source:
    """Fetch `source` (a URL) or read it (a file), refusing more than `max_bytes`."""
    if is_url(source):
        try:
            response = client.get(source, max_bytes=max_bytes)
        except net.NetError as exc:
            raise SourceError(f"{source}: cannot fetch the {what}: {exc.reason}", path=source) from None
        return Source(response.body, source, response.final_url, response.moved_permanently)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source) and not Path(source).exists():
        scheme = source.split("://", 1)[0]
        if scheme.lower() in WEB_SCHEMES:
            raise SourceError(
                f"{source}: is not a complete {scheme} address (no host, or a malformed one); "
                f"check it, e.g. {scheme}://example.com/feed.xml",
                path=source,
            )
        raise SourceError(f"{source}: {scheme}:// is not fetched; give an http(s) URL or a file", path=source)
    path = Path(source)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise SourceError(
                f"{source}: is not a file; give a {what} URL or a saved {what} file", path=source
            )
        if size > max_bytes:
            raise SourceError(f"{source}: is {size:,} bytes, more than {max_bytes:,}; refused", path=source)
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)  # a file that grew since stat() is still capped
    except FileNotFoundError:
        raise SourceError(
            f"{source}: no such file; give a {what} URL or a saved {what} file", path=source
        ) from None
    except OSError as exc:
        raise SourceError(f"{source}: cannot be read ({exc.strerror})", path=source) from None
    if len(body) > max_bytes:
        raise SourceError(f"{source}: more than {max_bytes:,} bytes; refused", path=source)
    return Source(body, source, None)
