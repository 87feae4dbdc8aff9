"""The headers each published file is stored with: its Content-Type and how long caches keep it.

The feed and pages change in place at the same URL, so caches keep them minutes; sidecars
(chapters, transcripts, artwork) an hour; audio never changes under its name (give changed
audio a new file name), so it is cached for a year and marked immutable.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from ..layout import FEED_FILENAME

FEED_CACHE = "public, max-age=300"
PAGE_CACHE = "public, max-age=300"
SIDECAR_CACHE = "public, max-age=3600"
MEDIA_CACHE = "public, max-age=31536000, immutable"
RECORD_CACHE = "no-cache"

FEED_TYPE = "application/rss+xml; charset=utf-8"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def content_type(key: str) -> str:
    """The Content-Type of a file in feeds/ (audio takes the type its enclosure says)."""
    suffix = PurePosixPath(key).suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def cache_control(key: str, *, media: bool = False) -> str:
    if media:
        return MEDIA_CACHE
    if key == FEED_FILENAME:
        return FEED_CACHE
    if PurePosixPath(key).suffix.lower() in (".html", ".htm"):
        return PAGE_CACHE
    return SIDECAR_CACHE
