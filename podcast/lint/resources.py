"""How lint reaches the files a feed points to: nowhere, the show directory, or the servers.

`Resources` knows no file (a feed read offline), `LocalFiles` maps published URLs
to the files in a show directory, and `Remote` asks the servers through one
requests.Session. Only this module talks HTTP.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import requests

from .. import audio
from ..cache import CACHE_FILE, BuildCache
from ..config import EPISODES_DIR, FEEDS_DIR
from ..errors import AudioError
from ..files import outside
from ..model import AudioInfo

HTTP_TIMEOUT = 15.0  # seconds, for each request in URL mode
ARTWORK_MAX_DOWNLOAD = 20_000_000  # bytes; no real cover art comes near it
USER_AGENT = "podcast-lint"


@dataclass(frozen=True)
class Fetched:
    """What a server (or the disk) says about one URL."""

    size: int | None = None
    mime: str | None = None
    error: str | None = None  # why it could not be had


class Resources:
    """The files a feed points to. This base knows none of them (offline, no files)."""

    online = False

    def local_path(self, url: str) -> Path | None:
        return None

    def head(self, url: str) -> Fetched | None:
        """Size and type of the file at `url`, or None when we cannot look."""
        path = self.local_path(url)
        if path is None:
            return None
        try:
            size = path.stat().st_size
        except OSError as exc:
            return Fetched(error=f"{path}: {exc.strerror}")
        try:
            mime = self.probe(path).mime
        except AudioError:
            mime = None  # not audio we read; M101/M102 judge the declared type
        return Fetched(size=size, mime=mime)

    def probe(self, path: Path) -> AudioInfo:
        return audio.probe(path)

    def read(self, url: str) -> bytes | Fetched | None:
        """The bytes at `url`; a Fetched with an error; None when we cannot look."""
        path = self.local_path(url)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError as exc:
            return Fetched(error=f"{path}: {exc.strerror}")

    def range_request(self, url: str) -> Fetched | None:
        return None


class LocalFiles(Resources):
    """Maps published URLs to files in a show directory.

    `known` holds exact URLs (the model knows where each file comes from); other
    URLs under `base_url` are looked up where `podcast build` puts them: media/…
    is episodes/<slug>/<file>, anything else is in feeds/. With `probes` (the show's
    build cache), audio that has not changed since it was last read is not opened.
    """

    def __init__(
        self,
        root: Path,
        base_url: str | None,
        known: dict[str, Path] | None = None,
        probes: BuildCache | None = None,
    ) -> None:
        self.root = root
        self.base_url = base_url
        self.known = dict(known or {})
        self.probes = probes

    def probe(self, path: Path) -> AudioInfo:
        return self.probes.read(path).info if self.probes is not None else audio.probe(path)

    def local_path(self, url: str) -> Path | None:
        """The show's file a URL names; None for any URL that would lead out of the show.

        The URL comes from a feed file, which anyone may have written: an absolute path,
        `..` or a symlink must not make lint look at files elsewhere.
        """
        if url in self.known:
            candidate = self.known[url]
        elif not self.base_url or not url.startswith(self.base_url):
            return None
        else:
            relative = PurePosixPath(unquote(url[len(self.base_url) :].split("?", 1)[0]))
            if ".." in relative.parts or not relative.parts or relative.is_absolute():
                return None
            if relative.parts[0] == "media":
                candidate = self.root / EPISODES_DIR / Path(*relative.parts[1:])
            else:
                candidate = self.root / FEEDS_DIR / Path(*relative.parts)
        if outside(self.root, candidate):
            return None
        return candidate if candidate.is_file() else None


def show_probes(root: Path) -> AbstractContextManager[BuildCache | None]:
    """The show's build cache when it has one; linting a feed file creates no cache of its own."""
    return BuildCache(root) if (root / CACHE_FILE).is_file() else nullcontext()


def new_session() -> requests.Session:
    """A session that names lint to the servers; whoever makes it closes it."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


class Remote(Resources):
    """Asks the servers, through one requests.Session, always with a timeout."""

    online = True

    def __init__(self, session: requests.Session, timeout: float = HTTP_TIMEOUT) -> None:
        self.session = session
        self.timeout = timeout
        self._heads: dict[str, Fetched] = {}

    def feed(self, url: str) -> bytes | Fetched:
        """The feed document at `url`, or a Fetched saying why there is none."""
        try:
            response = self.session.get(url, timeout=self.timeout)
            response.raise_for_status()
        except requests.RequestException as exc:
            return Fetched(error=reason(exc))
        return response.content

    def head(self, url: str) -> Fetched:
        if url not in self._heads:
            try:
                response = self.session.head(url, timeout=self.timeout, allow_redirects=True)
                response.raise_for_status()
            except requests.RequestException as exc:
                self._heads[url] = Fetched(error=reason(exc))
            else:
                length = response.headers.get("Content-Length")
                mime = response.headers.get("Content-Type", "").split(";")[0].strip().lower() or None
                size = int(length) if length and length.isdigit() else None
                self._heads[url] = Fetched(size=size, mime=mime)
        return self._heads[url]

    def read(self, url: str) -> bytes | Fetched:
        data = bytearray()
        try:
            with self.session.get(url, timeout=self.timeout, stream=True) as response:
                response.raise_for_status()
                for chunk in response.iter_content(chunk_size=65536):
                    data += chunk
                    if len(data) > ARTWORK_MAX_DOWNLOAD:
                        return Fetched(error=f"larger than {ARTWORK_MAX_DOWNLOAD:,} bytes; not read")
        except requests.RequestException as exc:
            return Fetched(error=reason(exc))
        return bytes(data)

    def range_request(self, url: str) -> Fetched:
        """GET the first two bytes; a server that streams answers 206 with Content-Range."""
        try:
            with self.session.get(
                url, headers={"Range": "bytes=0-1"}, timeout=self.timeout, stream=True
            ) as response:
                response.raise_for_status()
                if response.status_code != 206 or "Content-Range" not in response.headers:
                    return Fetched(error=f"answered {response.status_code} without Content-Range")
        except requests.RequestException as exc:
            return Fetched(error=reason(exc))
        return Fetched()


def reason(exc: requests.RequestException) -> str:
    """One short line: 'HTTP 404 Not Found', 'cannot connect (Connection refused)', …"""
    response = getattr(exc, "response", None)
    if response is not None:
        return f"HTTP {response.status_code} {response.reason or ''}".strip()
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.ConnectionError):
        cause = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
        return "cannot connect" + (f" ({cause.group(1).strip()})" if cause else "")
    return f"{type(exc).__name__}: {exc}"
