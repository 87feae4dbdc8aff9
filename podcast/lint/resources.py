"""How lint reaches the files a feed points to: nowhere, the show directory, or the servers.

`Resources` knows no file (a feed read offline), `LocalFiles` maps published URLs
to the files in a show directory, and `Remote` asks the servers through one
bounded `net.Client` (podcast/net.py: deadline, size caps, redirect limit). net.py, and the
HTTP library under it, is imported only when a server is asked: a build never asks one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from .. import audio
from ..cache import CACHE_FILE, BuildCache
from ..errors import AudioError
from ..files import outside
from ..layout import EPISODES_DIR, FEEDS_DIR
from ..model import AudioInfo, Episode, Show

if TYPE_CHECKING:
    from .. import net

HTTP_TIMEOUT = 15.0  # seconds a connect or one read may take, in URL mode
HTTP_DEADLINE = 60.0  # seconds one request may take in all (a server trickling bytes meets it)
FEED_MAX_DOWNLOAD = 20_000_000  # bytes, decoded; lint warns from 1 MB (S101), no feed comes near this
ARTWORK_MAX_DOWNLOAD = 20_000_000  # bytes; no real cover art comes near it
RANGE_PROBE_MAX_BYTES = 65_536  # a Range: bytes=0-1 answer is 2 bytes; a whole file is not read
USER_AGENT = "podcast-lint"
ASK_AT_ONCE = 8  # files asked about at once in URL mode: a feed of 500 episodes is 1,000 requests


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
    `known` may also be a function giving them, called when a URL is first looked up (most
    lint runs of a build look up none).
    """

    def __init__(
        self,
        root: Path,
        base_url: str | None,
        known: dict[str, Path] | Callable[[], dict[str, Path]] | None = None,
        probes: BuildCache | None = None,
    ) -> None:
        self.root = root
        self.base_url = base_url
        self._known = dict(known) if isinstance(known, dict) else known
        self.probes = probes
        self._heads: dict[str, Fetched | None] = {}

    @property
    def known(self) -> dict[str, Path]:
        if not isinstance(self._known, dict):
            self._known = dict(self._known() if self._known is not None else {})
        return self._known

    def head(self, url: str) -> Fetched | None:
        """As Resources.head, once per URL: a feed naming one file in many items reads it once."""
        if url not in self._heads:
            self._heads[url] = super().head(url)
        return self._heads[url]

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


def show_files(show: Show, episodes: Sequence[Episode]) -> dict[str, Path]:
    """The files of the show behind URLs its feed names, judged from their sources: the artwork,
    episode images in their episode folders (feeds/images/ is written only after lint, so it may
    hold an older file or none: same input, same verdict), and audio behind an analytics prefix
    (not under base_url, but the model knows its file)."""
    known: dict[str, Path] = {}
    if show.artwork_url and show.artwork_path and show.artwork:
        known[show.artwork_url] = show.root / show.artwork
    for episode in episodes:
        if episode.image_path and episode.image:
            known[show.url_for(episode.image_path)] = show.root / episode.folder / episode.image
        if episode.media_path and episode.audio and show.enclosure_prefix:
            known[show.measured(show.url_for(quote(episode.media_path)))] = episode.audio
    return known


def show_probes(root: Path) -> AbstractContextManager[BuildCache | None]:
    """The show's build cache when it has one; linting a feed file creates no cache of its own."""
    return BuildCache(root) if (root / CACHE_FILE).is_file() else nullcontext()


class Remote(Resources):
    """Asks the servers, through bounded `net.Client`s: every answer has a deadline and a size cap.

    `ask_ahead` asks about many files at once, each worker thread with its own client from
    `make_client`; the rules then find the answers here instead of waiting on each in turn.
    """

    online = True

    def __init__(self, client: net.Client, make_client: Callable[[], net.Client] | None = None) -> None:
        self.client = client
        self.make_client = make_client
        self._heads: dict[str, Fetched] = {}
        self._ranges: dict[str, Fetched] = {}

    def feed(self, url: str) -> bytes | Fetched:
        """The feed document at `url`, or a Fetched saying why there is none."""
        from .. import net

        try:
            return self.client.get(url, max_bytes=FEED_MAX_DOWNLOAD).body
        except net.NetError as exc:
            return Fetched(error=exc.reason)

    def ask_ahead(self, heads: Iterable[str], ranges: Iterable[str], workers: int = ASK_AT_ONCE) -> None:
        """HEAD every URL of `heads`, and ask those of `ranges` that answer for two bytes, at once."""
        from .. import net

        wanted_ranges = set(ranges)
        urls = [url for url in dict.fromkeys([*heads, *wanted_ranges]) if url and url not in self._heads]
        if self.make_client is None or len(urls) < 2:
            return

        def ask(client: net.Client, url: str) -> tuple[Fetched, Fetched | None]:
            head = head_of(client, url)
            return head, (range_of(client, url) if url in wanted_ranges and not head.error else None)

        answers = net.each_with_client(ask, urls, self.make_client, workers)
        for url, (head, ranged) in zip(urls, answers, strict=True):
            self._heads[url] = head
            if ranged is not None:
                self._ranges[url] = ranged

    def head(self, url: str) -> Fetched:
        if url not in self._heads:
            self._heads[url] = head_of(self.client, url)
        return self._heads[url]

    def read(self, url: str) -> bytes | Fetched:
        from .. import net

        try:
            return self.client.get(url, max_bytes=ARTWORK_MAX_DOWNLOAD).body
        except net.NetError as exc:
            return Fetched(error=f"{exc.reason}; not read")

    def range_request(self, url: str) -> Fetched:
        if url not in self._ranges:
            self._ranges[url] = range_of(self.client, url)
        return self._ranges[url]


def head_of(client: net.Client, url: str) -> Fetched:
    """What a HEAD request for `url` says of its size and type."""
    from .. import net

    try:
        response = client.head(url)
    except net.NetError as exc:
        return Fetched(error=exc.reason)
    return Fetched(size=response.content_length, mime=response.content_type)


def range_of(client: net.Client, url: str) -> Fetched:
    """GET the first two bytes; a server that streams answers 206 with Content-Range.

    One that ignores Range sends the whole file: it is not downloaded (the cap stops it).
    """
    from .. import net

    headers = {"Range": "bytes=0-1", "Accept-Encoding": "identity"}
    try:
        response = client.get(url, headers=headers, max_bytes=RANGE_PROBE_MAX_BYTES)
    except net.NetError as exc:
        if exc.status is not None and exc.status < 400:
            return Fetched(error=f"answered {exc.status} with the whole file, without Content-Range")
        return Fetched(error=exc.reason)
    if response.status != 206 or "Content-Range" not in response.headers:
        return Fetched(error=f"answered {response.status} without Content-Range")
    return Fetched()


def new_client(timeout: float = HTTP_TIMEOUT, deadline: float = HTTP_DEADLINE) -> net.Client:
    """The client `podcast lint URL` asks the servers with; whoever makes it closes it."""
    from .. import net

    return net.Client(user_agent=USER_AGENT, timeout=timeout, deadline=deadline)
