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
from ..model import Episode, Show
from . import pages, urls
from .pages import GENERATOR
from .record import PageRecord

MARK = f'<meta name="generator" content="{GENERATOR}">'.encode()


@dataclass(frozen=True)
class RenderedPages:
    """The pages a build wants in its output folder; the ones not current there, rendered."""

    digests: dict[str, str]  # every page wanted (path under the output folder) → its digest
    rendered: dict[str, bytes]  # the pages to write
    record: PageRecord


# Wraps work in a progress bar with a label (the CLI draws it on a terminal); must yield every item.
Progress = Callable[[Iterable, str], Iterable]


def render(
    show: Show, episodes: Sequence[Episode], out: Path, progress: Progress | None = None
) -> RenderedPages:
    """Render the pages of `show` that are not current in `out` (none when pages are off).

    Writes nothing, so a template that fails leaves the output folder as it was. Raises PageError.
    """
    record = PageRecord.load(show.root, out)
    planned = pages.plan(show, episodes) if show.pages.enabled else []
    due: Iterable[pages.PlannedPage] = [p for p in planned if not record.current(out, p.path, p.digest)]
    if progress is not None:
        due = progress(due, "Rendering pages")
    rendered = {page.path: page.make() for page in due}
    return RenderedPages({page.path: page.digest for page in planned}, rendered, record)


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
    for name in (urls.EPISODES_DIR, urls.LIST_DIR):
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
    """Write the rendered pages; remove our pages no longer wanted; keep the record. Returns what changed."""
    record = pages.record
    changed = []
    items: Iterable[tuple[str, bytes]] = pages.rendered.items()
    if progress is not None:
        items = progress(items, "Writing pages")
    for rel, data in items:
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
