"""Publish only what the last build made, and only when that build is current.

`podcast build` writes feeds/; publishing an older feeds/ would put yesterday's show
online (or miss an episode that is due today). The feed the sources make now is
rendered in memory and compared with feeds/feed.xml, and each sidecar the build
copies (artwork, transcripts, episode images, JSON chapters) with its source.
"""

from __future__ import annotations

from pathlib import Path

from .. import chapters, feed
from ..errors import PublishError, errors_in
from ..feed import paging
from ..layout import FEED_FILENAME, FEEDS_DIR
from ..pipeline import Catalog

BUILD_FIRST = "run `podcast build` first (or `podcast publish --build`)"


def built_feed(catalog: Catalog) -> bytes:
    """feeds/feed.xml, when it and its sidecars are what the sources make now."""
    show = catalog.show
    errors = errors_in(catalog.problems)
    if errors:
        raise PublishError(
            f"the show has {len(errors)} error(s); nothing was published: fix them and {BUILD_FIRST}",
            problems=errors,
        )
    out = show.root / FEEDS_DIR
    try:
        document = (out / FEED_FILENAME).read_bytes()
    except OSError:
        raise PublishError(f"{FEEDS_DIR}/{FEED_FILENAME} is missing: {BUILD_FIRST}") from None
    stale = []
    # The items the build rendered (its catalog keeps them; its episodes no longer hold their articles).
    for name, page in paging.split(show, feed.assemble(show, catalog.published, catalog.items).document):
        if name == FEED_FILENAME and document != page:
            stale.append(FEED_FILENAME)
        elif name != FEED_FILENAME and not _same_bytes(page, out / name):
            stale.append(name)
    copies: list[tuple[Path, str]] = []
    if show.artwork_path and show.artwork:
        copies.append((show.root / show.artwork, show.artwork_path))
    for episode in catalog.published:
        copies += [(t.path, t.publish_path) for t in episode.transcripts]
        if episode.image_path and episode.image:
            copies.append((show.root / episode.folder / episode.image, episode.image_path))
        if episode.chapters and not _same_bytes(
            chapters.to_json(episode.chapters, show.url_for), out / episode.chapters_path
        ):
            stale.append(episode.chapters_path)
    for source, published in copies:
        if not _same_file(source, out / published):
            stale.append(published)
    if stale:
        shown = ", ".join(f"{FEEDS_DIR}/{name}" for name in stale[:3]) + (" …" if len(stale) > 3 else "")
        raise PublishError(f"{shown} older than the show's sources: {BUILD_FIRST}")
    return document


def _same_bytes(data: bytes, path: Path) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _same_file(source: Path, copy: Path) -> bool:
    try:
        return source.stat().st_size == copy.stat().st_size and source.read_bytes() == copy.read_bytes()
    except OSError:
        return False
