"""The show's pages in the output folder: which must be rendered, writing them, removing stale ones.

A page is rendered only when what it shows changed since it was written (its digest,
pages.plan) or its file is not as the build left it (record.PageRecord); every other page
is neither rendered nor read. Only pages this package wrote are ever removed: they carry its
generator mark, so an index.html a producer put in feeds/ by hand is left alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..files import unlinked_target, write_atomic
from ..layout import PAGES_EPISODES_DIR
from ..model import Episode, Show
from ..progress import Progress
from . import pages, urls
from .pages import GENERATOR
from .record import PageRecord

MARK = f'<meta name="generator" content="{GENERATOR}">'.encode()


@dataclass(frozen=True)
class RenderedPages:
    """The pages a build wants in its output folder, and those not current there to write.

    A page that uses a show's template is rendered before anything is written: the template
    may fail on the show's data, and then the folder stays as it was. A page made of the
    package's templates only is rendered as it is written, so a cold build of a large show does
    not hold every page in memory at once.
    """

    digests: dict[str, str]  # every page wanted (path under the output folder) → its digest
    rendered: dict[str, bytes]  # made with a show's template, rendered
    deferred: tuple[pages.PlannedPage, ...]  # made with the package's templates, to render when written
    record: PageRecord

    @property
    def due(self) -> list[str]:
        """Every page to write (and so render), by path."""
        return sorted([*self.rendered, *(page.path for page in self.deferred)])


def render(
    show: Show, episodes: Sequence[Episode], out: Path, progress: Progress | None = None
) -> RenderedPages:
    """The pages of `show` not current in `out` (none when pages are off); those that use the
    show's own templates rendered. Writes nothing. Raises PageError."""
    record = PageRecord.load(show.root, out)
    planned = pages.plan(show, episodes) if show.pages.enabled else []
    due = [p for p in planned if not record.current(out, p.path, p.digest)]
    shows: Iterable[pages.PlannedPage] = [p for p in due if not p.packaged]
    if progress is not None:
        shows = progress(shows, "Rendering pages")
    rendered = {page.path: page.make() for page in shows}
    deferred = tuple(page for page in due if page.packaged)
    return RenderedPages({page.path: page.digest for page in planned}, rendered, deferred, record)


def _ours(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return MARK in handle.read(4096)
    except OSError:
        return False


def _unwanted(out: Path, wanted: dict[str, str]) -> list[Path]:
    """Pages under `out` the build may have written that it does not want now: found by listing
    the folders, so the wanted pages are not opened."""
    found = [] if urls.INDEX_PAGE in wanted else [out / urls.INDEX_PAGE]
    for name in (PAGES_EPISODES_DIR, urls.LIST_DIR):
        folder = unlinked_target(out, out / name, name)  # never look (or delete) through a link
        if not folder.is_dir():
            continue
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = f"{name}/{entry.name}/{urls.INDEX_PAGE}"
                if rel in wanted or entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    found.append(out / rel)
    return [path for path in sorted(found) if path.is_file() and not path.is_symlink() and _ours(path)]


def write(out: Path, pages: RenderedPages, progress: Progress | None = None) -> list[str]:
    """Write the pages due (rendering those left to render); remove our pages no longer wanted;
    keep the record. Returns what changed."""
    record = pages.record
    changed = []
    items: Iterable[tuple[str, bytes | Callable[[], bytes]]] = [
        *pages.rendered.items(),
        *((page.path, page.make) for page in pages.deferred),
    ]
    if progress is not None:
        items = progress(items, "Writing pages")
    for rel, made in items:
        data = made if isinstance(made, bytes) else made()
        target = unlinked_target(out, out / rel, rel)
        # No fsync per page: a page lost in a power cut no longer matches the record, and the
        # next build writes it again.
        if write_atomic(target, data, durable=False):
            changed.append(rel)
        record.note(rel, pages.digests[rel], target)
    for stale in _unwanted(out, pages.digests):
        stale.unlink()
        changed.append(str(stale.relative_to(out)))
        for folder in (stale.parent, stale.parent.parent):  # the slug's folder, then episodes/
            if out in folder.parents:
                try:
                    folder.rmdir()  # only when the page was all it held
                except OSError:
                    break
    record.keep_only(pages.digests)
    record.save()
    return sorted(changed)
