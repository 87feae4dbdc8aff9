"""The show's pages in the output folder: which must be rendered, writing them, removing stale ones.

A page is rendered only when what it shows changed since it was written (its digest,
pages.plan) or its file is not as the build left it (record.PageRecord); every other page
is neither rendered nor read. Only pages this package wrote are ever removed: they carry its
generator mark, so an index.html a producer put in feeds/ by hand is left alone.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import collector
from ..files import unlinked_target
from ..layout import PAGES_EPISODES_DIR
from ..model import Episode, Show
from ..progress import Progress
from . import forked, pages, urls
from .ahead import Ahead
from .keptrows import KEPT_FROM, KeptRows, rows_in
from .pagefiles import Written, ensure_folder, folders_there, write_pages
from .pages import GENERATOR
from .record import PageRecord

MARK = f'<meta name="generator" content="{GENERATOR}">'.encode()
# Due pages are rendered and written by several processes (forked; see forked.py), one a core at
# most (or PROCESSES, when set: $PODCAST_PAGE_PROCESSES, 1 for none but this one), each given at
# least PAGES_PER_PROCESS: fewer are not worth a fork.
PAGES_PER_PROCESS = 100


def _processes_set() -> int | None:
    value = os.environ.get("PODCAST_PAGE_PROCESSES", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None  # anything else: the cores


PROCESSES: int | None = _processes_set()


@dataclass(frozen=True)
class PlannedPages:
    """The pages a build wants in its output folder and those not current there (due), planned
    before anything is rendered or written; the due pages made of the package's templates may be
    rendering ahead meanwhile (`ahead`, see ahead.py): write the pages or `cancel`."""

    digests: dict[str, str]  # every page wanted (path under the output folder) → its digest
    due: list[pages.PlannedPage]
    record: PageRecord
    ahead: Ahead | None = None
    rows: pages.ListRows | None = None  # where the list pages' kept rows go, when many are due
    quick: frozenset[str] = frozenset()  # due pages made of kept rows: not worth another process

    def cancel(self) -> None:
        """No page is rendered ahead any more (none is written: the build stopped, or wrote them)."""
        if self.ahead is not None:
            self.ahead.cancel()


@dataclass(frozen=True)
class RenderedPages:
    """The pages a build wants in its output folder, and those not current there to write.

    A page that uses a show's template is rendered before anything is written: the template
    may fail on the show's data, and then the folder stays as it was. A page made of the
    package's templates only is rendered as it is written (or ahead, in another process, holding
    few), so a cold build of a large show does not hold every page in memory at once.
    """

    digests: dict[str, str]  # every page wanted (path under the output folder) → its digest
    rendered: dict[str, bytes]  # made with a show's template, rendered
    deferred: tuple[pages.PlannedPage, ...]  # made with the package's templates, to render when written
    record: PageRecord
    ahead: Ahead | None = None  # rendering `deferred` already
    rows: KeptRows | None = None  # the list pages' rows kept by the last build, when many are due
    quick: frozenset[str] = frozenset()  # see PlannedPages

    @property
    def due(self) -> list[str]:
        """Every page to write (and so render), by path."""
        return sorted([*self.rendered, *(page.path for page in self.deferred)])


def _processes() -> int:
    return PROCESSES or forked.cores()


def plan(
    show: Show,
    episodes: Sequence[Episode],
    out: Path,
    keys: Mapping[str, bytes] | None = None,
    *,
    ahead: bool = True,
) -> PlannedPages:
    """The pages of `show` (none when pages are off) and which are not current in `out`. Renders
    and writes nothing here; with `ahead`, when many packaged pages are due and there is a core
    to spare, one process starts rendering them (ahead.py). `keys`: episodes' page keys made
    already, by slug (pages.plan)."""
    with collector.paused():
        record = PageRecord.load(show.root, out)
        if not show.pages.enabled:
            return PlannedPages({}, [], record)
        planned = pages.SitePlan(show, episodes, keys)
        digests = planned.digests
        due = planned.pages(record.due(out, digests))
        rows = _list_rows(planned, due)
        quick = frozenset(planned.list_paths if rows is not None and KeptRows.there(record.file) else ())
    deferred = [(page.path, page.make) for page in due if page.packaged]
    # The list pages last: the process rendering ahead starts from the last, so it renders them
    # (about ten times an episode page's cost each, when not made of kept rows) in its head start.
    listed = planned.list_paths
    deferred.sort(key=lambda item: item[0] in listed)
    costly = sum(path not in quick for path, _ in deferred)
    started = None
    if ahead and _processes() > 1 and costly >= 2 * PAGES_PER_PROCESS and forked.can_fork():
        # The rows it renders come back (none is loaded yet, see render): all rendered once it has
        # taken the list pages, so made to be sent from then.
        after = functools.partial(rows_in, rows.store) if rows is not None else None
        lists_from = len(deferred) - sum(path in listed for path, _ in deferred)
        try:
            started = Ahead(out, deferred, after, after_from=lists_from)
        except (OSError, ImportError):  # no process to spare, or no lock to share (no /dev/shm)
            started = None  # all written at go, as with one core
    return PlannedPages(digests, due, record, started, rows, quick)


def _list_rows(planned: pages.SitePlan, due: Sequence[pages.PlannedPage]) -> pages.ListRows | None:
    """Where the list pages' rows go, when enough of them are due to load the kept ones
    (keptrows.KEPT_FROM) and they are the package's."""
    slot = planned.list_rows()
    listed = planned.list_paths
    if slot is None or sum(page.path in listed for page in due) < KEPT_FROM:
        return None
    return slot


def render(
    show: Show,
    episodes: Sequence[Episode],
    out: Path,
    progress: Progress | None = None,
    keys: Mapping[str, bytes] | None = None,
    planned: PlannedPages | None = None,
) -> RenderedPages:
    """The pages of `show` not current in `out` (none when pages are off); those that use the
    show's own templates rendered. Writes nothing. Raises PageError. `planned`: as `plan` gave
    them (else planned here, none ahead); `keys`: see plan."""
    if planned is None:
        planned = plan(show, episodes, out, keys, ahead=False)
    shows: Iterable[pages.PlannedPage] = [p for p in planned.due if not p.packaged]
    if progress is not None:
        shows = progress(shows, "Rendering pages")
    try:
        rendered = {page.path: page.make() for page in shows}
    except BaseException:
        planned.cancel()
        raise
    deferred = tuple(page for page in planned.due if page.packaged)
    # The rows kept are loaded once the feed is linted, when the build holds least.
    slot = planned.rows
    rows = None
    if slot is not None:
        with collector.paused():  # 10,000 rows, no cycle among them
            rows = KeptRows.load(planned.record.file, slot.code, slot.store, slot.listed)
    return RenderedPages(
        planned.digests, rendered, deferred, planned.record, planned.ahead, rows, planned.quick
    )


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


def write(
    out: Path,
    pages: RenderedPages,
    progress: Progress | None = None,
    *,
    stated: dict[str, str] | None = None,
) -> list[str]:
    """Write the pages due (rendering those left to render), on every core when there are many;
    remove our pages no longer wanted; keep the record. Returns what changed. `stated` is given
    each page's folder as its writer left it, by folder ("episodes/<slug>/"; see
    uptodate.folder_stated): `uptodate.record` takes them instead of walking those folders."""
    record = pages.record
    items: list[tuple[str, bytes | Callable[[], bytes]]] = [
        *pages.rendered.items(),
        *((page.path, page.make) for page in pages.deferred),
    ]
    costly = sum(path not in pages.quick for path, _ in items)
    processes = max(1, min(_processes(), costly // max(1, PAGES_PER_PROCESS)))

    def shown(part: Sequence[tuple[str, bytes | Callable[[], bytes]]]) -> Iterable:
        return progress(part, "Writing pages") if progress is not None else part

    try:
        folders = folders_there(out, items)
        if processes > 1 or pages.ahead is not None:
            # The folders made here, before the processes start (or go): making 10,000 in one
            # folder at once from two processes only has them wait on each other (the kernel
            # locks the folder). A link among them is refused before any page is written.
            for rel, _ in items:
                ensure_folder(out, rel.rpartition("/")[0], folders)
    except BaseException:
        if pages.ahead is not None:
            pages.ahead.cancel()
        raise
    rows = pages.rows
    with collector.paused():
        if pages.ahead is not None:
            own = write_pages(out, pages.rendered.items(), folders)
            slices = [own, pages.ahead.finish(folders, shown)]
            if rows is not None:
                rows.add(pages.ahead.sent or {})
        else:
            work = functools.partial(_write_slice, out, folders, rows)
            sent = forked.map_slices(work, items, processes, shown)
            slices = [written for written, _ in sent]
            if rows is not None:
                for _, fresh in sent[1:]:  # (the first slice's are this process's own)
                    rows.add(fresh)
    changed = []
    for written in slices:
        for rel, fresh, made, folder in written:
            record.note(rel, pages.digests[rel], made)
            if fresh:
                changed.append(rel)
            if folder is not None and stated is not None:
                stated[rel[: rel.rindex("/") + 1]] = folder
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
    if rows is not None:
        rows.save()
        rows.release()  # every page is written: the feed, written next, has their memory
    return sorted(changed)


def _write_slice(
    out: Path,
    folders: dict[str, bool],
    rows: KeptRows | None,
    items: Iterable[tuple[str, bytes | Callable[[], bytes]]],
) -> tuple[list[Written], dict]:
    """write_pages over a slice (in a forked process, or this one), and the rows a forked one
    rendered for it (this one's are in the store already)."""
    written = write_pages(out, items, folders)
    return written, (rows.fresh() if rows is not None and rows.forked() else {})
