"""`podcast serve`: build the show for the preview server's own address, serve it, rebuild on change.

The preview is built into .podcast/preview/ with base_url replaced by the server's
URL, so the feed's enclosures and the pages' links lead back to the preview (a podcast
app on the same network can subscribe to it) and feeds/ is never touched.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from .. import pipeline
from ..config import read_show
from ..errors import PodcastError
from ..layout import EPISODES_DIR, SHOW_FILE, STATE_DIR
from ..model import Episode
from ..web.pages import TEMPLATES_DIR
from ..weburl import has_web_scheme
from .server import Site, app

PREVIEW_DIR = f"{STATE_DIR}/preview"
WATCHED = (SHOW_FILE, EPISODES_DIR, TEMPLATES_DIR)  # plus the artwork podcast.toml names
WATCH_MAX_FILES = 50_000  # a show directory with more is not watched past this many files
ANY_ADDRESS = ("", "0.0.0.0", "::")
# Lint findings about the preview's own address, not the show: a URL is not https (U101, U102);
# base_url moved since the last build (G105: the last preview had another port).
PREVIEW_ADDRESS_RULES = ("U101", "U102", "G105")

Say = Callable[[str], None]
Snapshot = dict[str, tuple[int, int]]


def lan_address() -> str:
    """This machine's address on its network, for URLs an app on another device can reach.

    Connecting a UDP socket sends nothing; it only makes the system choose the interface.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def preview_url(host: str, port: int) -> str:
    shown = lan_address() if host in ANY_ADDRESS else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def bind_options(host: str) -> dict[str, Any]:
    """socket.create_server's options for `host`. `::` (every interface) takes IPv4 too: the
    address the preview prints for it, and writes into the feed, is this machine's IPv4 one."""
    if ":" not in host:
        return {"family": socket.AF_INET}
    return {"family": socket.AF_INET6, "dualstack_ipv6": host == "::" and socket.has_dualstack_ipv6()}


def media_of(episodes: list[Episode]) -> dict[str, tuple[Path, str]]:
    """media/<slug>/<name> → (the audio file, its MIME type), for every published file of audio."""
    found: dict[str, tuple[Path, str]] = {}
    for episode in episodes:
        if episode.audio is not None and episode.info is not None and episode.media_path:
            found[episode.media_path] = (episode.audio, episode.info.mime)
        for other in episode.alternate_audio:
            if other.info is not None:
                found[episode.media_path_of(other.path)] = (other.path, other.info.mime)
    return found


def snapshot(root: Path) -> Snapshot:
    """(mtime, size) of every source the build reads, by path relative to `root`."""
    seen: Snapshot = {}
    starts = [root / name for name in WATCHED]
    for start in starts:
        if start.is_file():
            stat = start.stat()
            seen[start.name] = (stat.st_mtime_ns, stat.st_size)
            continue
        for folder, dirs, files in os.walk(start):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(folder) / name
                try:
                    stat = path.stat()
                except OSError:
                    continue  # gone between the listing and the look
                seen[str(path.relative_to(root))] = (stat.st_mtime_ns, stat.st_size)
                if len(seen) >= WATCH_MAX_FILES:
                    return seen
    return seen


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs between two snapshots: added, changed and removed paths, sorted."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


class PreviewServer:
    """The preview of the show in `root`, served at `url` (bound on construction)."""

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 8000, say: Say = print) -> None:
        self.root = Path(root)
        self.say = say
        self.out = self.root / PREVIEW_DIR
        self.site = Site(root=self.out, show_root=self.root)
        # Bound before the build: the port (perhaps chosen by the system) goes into every URL.
        # We bind the socket ourselves: werkzeug's own bind prints and exits on a port in use,
        # where the command wants an OSError to report as a usage mistake.
        listening = socket.create_server((host, port), **bind_options(host))
        try:
            self.http = make_server(host, port, app(self.site), threaded=True, fd=listening.fileno())
        finally:
            listening.close()  # werkzeug holds its own duplicate of the socket
        self.url = preview_url(host, self.http.socket.getsockname()[1])
        self.stopping = threading.Event()
        self.serving = False

    def build(self) -> pipeline.BuildResult:
        """Build the preview. Lint findings do not stop it: a preview is for seeing what is wrong too."""
        # Nothing here is published: lint errors and episodes gone since the last preview do not stop it.
        result = pipeline.build(self.root, out=self.out, base_url=self.url, force=True, allow_removal=True)
        self.site.media = media_of(result.catalog.published)
        result.catalog.problems[:] = [
            p
            for p in result.catalog.problems
            if not (p.code in PREVIEW_ADDRESS_RULES and self.url in p.message)
        ]
        return result

    def _artwork(self) -> str | None:
        try:
            show, _ = read_show(self.root)
        except PodcastError:
            return None
        if show.artwork and not has_web_scheme(show.artwork):
            return show.artwork
        return None

    def snapshot(self) -> Snapshot:
        seen = snapshot(self.root)
        artwork = self._artwork()
        if artwork and (self.root / artwork).is_file():
            stat = (self.root / artwork).stat()
            seen[artwork] = (stat.st_mtime_ns, stat.st_size)
        return seen

    def watch(self, interval: float = 1.0) -> None:
        """Poll the sources every `interval` seconds; rebuild and say what changed. Until stop()."""
        before = self.snapshot()
        while not self.stopping.wait(interval):
            after = self.snapshot()
            changed = changes(before, after)
            if not changed:
                continue
            before = after
            shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
            try:
                result = self.build()
            except PodcastError as exc:
                self.say(f"changed: {shown}; rebuild failed, still serving the last good preview:\n{exc}")
                continue
            pages = ", ".join(result.pages) if result.pages else "no page changed"
            feed = "feed.xml rebuilt" if result.changed else "feed.xml unchanged"
            self.say(f"changed: {shown}; {feed}; pages: {pages}")

    def serve_forever(self) -> None:
        self.serving = True
        self.http.serve_forever()

    def stop(self) -> None:
        self.stopping.set()
        if self.serving:  # shutdown() waits for serve_forever to return: only when it ran
            self.http.shutdown()
        self.http.server_close()
