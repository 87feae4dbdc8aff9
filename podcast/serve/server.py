"""The preview server's WSGI app: the built site at the root, each episode's audio under media/.

werkzeug does the HTTP: `send_file` answers byte ranges (206, 416, suffix ranges),
ETag and Last-Modified with 304, and HEAD. What this module adds is what may be
served: a path is joined with werkzeug's `safe_join` (no `..`, no absolute path,
after percent-decoding) and then confined (no symlink out of the served folder), and
media are only the episodes' own audio files. Text (XML, HTML, JSON, CSS, transcripts)
is gzipped for clients that take it.
"""

from __future__ import annotations

import functools
import gzip
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.http import parse_range_header
from werkzeug.security import safe_join
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from ..files import OutsideShow, confined
from ..layout import FEED_FILENAME, MEDIA_DIR
from ..web import urls

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Content types the standard table lacks or gets wrong for a podcast's files.
TYPES = {
    ".xml": "application/xml",
    ".html": "text/html",
    ".json": "application/json",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".txt": "text/plain",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".opus": "audio/ogg",
    ".ogg": "audio/ogg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
}
FEED_TYPE = "application/rss+xml"
COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/json", "application/x-subrip")
GZIP_MAX_BYTES = 20_000_000  # larger text is sent as it is rather than compressed in memory
# The cache of compressed files holds at most 32 of them: at most 32 × 20 MB, in practice a feed
# of a few MB and pages of tens of KB.


def content_type(path: Path) -> str:
    if path.name == FEED_FILENAME:
        return FEED_TYPE
    return TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


@dataclass
class Site:
    """What the server serves; the watcher swaps `media` after a rebuild (one assignment)."""

    root: Path  # the built site (the preview's feeds/)
    show_root: Path  # media files must lie inside it
    media: dict[str, tuple[Path, str]] = field(default_factory=dict)  # media/<slug>/<name> → file, MIME


@functools.lru_cache(maxsize=32)
def _compressed(path: Path, mtime_ns: int, size: int) -> bytes:
    """A file's gzip, made once per version of the file (a big feed takes a while to compress)."""
    # mtime=0: the same file gives the same bytes, so the ETag stays true across requests.
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


def _gzipped(request: Request, path: Path, mimetype: str) -> Response | None:
    # A quality, not membership: "gzip;q=0" (or "*;q=0") is a client saying it cannot take gzip.
    if request.accept_encodings["gzip"] <= 0 or not mimetype.startswith(COMPRESSIBLE):
        return None
    stat = path.stat()
    if request.range is not None or stat.st_size > GZIP_MAX_BYTES:
        return None
    body = _compressed(path, stat.st_mtime_ns, stat.st_size)
    response = Response(body, mimetype=mimetype)
    response.content_encoding = "gzip"
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{stat.st_mtime_ns:x}-{stat.st_size:x}-gz")
    response.last_modified = stat.st_mtime
    response.cache_control.no_cache = True
    return response.make_conditional(request)


class MovedToFolder(HTTPException):
    code = 301


def _file_in(folder: Path, request: Request) -> Path:
    """The file `request` asks for under `folder`, or NotFound for anything that would leave it."""
    relpath = request.path.lstrip("/")
    folder = folder.resolve()
    joined = safe_join(str(folder), relpath) if relpath else str(folder)
    if joined is None:
        raise NotFound()
    try:
        path = confined(folder, Path(joined), relpath or "/")
        if path.is_dir():
            if not request.path.endswith("/"):  # relative links in the page need the slash
                raise MovedToFolder(response=Response(status=301, headers={"Location": request.path + "/"}))
            path = path / urls.INDEX_PAGE
        elif request.path.endswith("/"):  # feed.xml/ is no folder, as on the host it is published to
            raise NotFound()
        if not path.is_file():
            raise NotFound()
    except (OutsideShow, ValueError, OSError):  # outside; a NUL in the name; a name too long for the system
        raise NotFound() from None
    return path


def _answerable(environ: WSGIEnvironment, size: int) -> WSGIEnvironment:
    """The request as send_file should see its Range header. werkzeug answers one byte range and
    refuses the rest with 416, where RFC 9110 (14.2, 14.1.2) says to ignore a range unit it does
    not know, lets several ranges be answered with the whole file, and makes a suffix longer
    than the file the whole file."""
    parsed = parse_range_header(environ.get("HTTP_RANGE"))
    if parsed is None:
        return environ  # none, or malformed: werkzeug's 416 for a malformed one is allowed
    if parsed.units != "bytes" or len(parsed.ranges) != 1:
        return {key: value for key, value in environ.items() if key != "HTTP_RANGE"}
    start, _ = parsed.ranges[0]
    if start < 0 and -start > size:
        return {**environ, "HTTP_RANGE": "bytes=0-"}
    return environ


def _send(request: Request, path: Path, mimetype: str) -> Response:
    zipped = _gzipped(request, path, mimetype)
    if zipped is not None:
        return zipped
    environ = _answerable(request.environ, path.stat().st_size)
    response = send_file(path, environ, mimetype=mimetype, conditional=True, etag=True, max_age=0)
    response.vary.add("Accept-Encoding")
    return response


def app(site: Site) -> WSGIApplication:
    """The WSGI application serving `site`."""

    def serve(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(valid_methods=["GET", "HEAD"])
        relpath = request.path.lstrip("/")
        if relpath.startswith(MEDIA_DIR + "/"):
            found = site.media.get(relpath)
            if found is None:
                raise NotFound()
            path, mime = found
            try:
                path = confined(site.show_root, path, relpath)
            except OutsideShow:
                raise NotFound() from None
            return _send(request, path, mime)
        path = _file_in(site.root, request)
        return _send(request, path, content_type(path))

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = serve(request)
        except HTTPException as exc:
            response = exc.get_response(environ)
        return response(environ, start_response)

    return wsgi
