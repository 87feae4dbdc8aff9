"""The show's pages in the output folder: which must be rendered, writing them, removing stale ones.

A page is rendered only when what it shows changed since it was written (its digest,
pages.plan) or its file is not as the build left it (record.PageRecord); every other page
is neither rendered nor read. Only pages this package wrote are ever removed: they carry its
generator mark, so an index.html a producer put in feeds/ by hand is left alone.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import collector
from ..files import unlinked_target
from ..layout import PAGES_EPISODES_DIR
from ..model import Episode, Show
from ..progress import Progress
from . import forked, pages, urls
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
    show: Show,
    episodes: Sequence[Episode],
    out: Path,
    progress: Progress | None = None,
    keys: Mapping[str, bytes] | None = None,
) -> RenderedPages:
    """The pages of `show` not current in `out` (none when pages are off); those that use the
    show's own templates rendered. Writes nothing. Raises PageError. `keys`: episodes' page
    keys made already, by slug (pages.plan)."""
    with collector.paused():
        record = PageRecord.load(show.root, out)
        if show.pages.enabled:
            planned = pages.SitePlan(show, episodes, keys)
            digests = planned.digests
            current = record.current
            due = planned.pages([path for path, digest in digests.items() if not current(out, path, digest)])
        else:
            digests, due = {}, []
    shows: Iterable[pages.PlannedPage] = [p for p in due if not p.packaged]
    if progress is not None:
        shows = progress(shows, "Rendering pages")
    rendered = {page.path: page.make() for page in shows}
    deferred = tuple(page for page in due if page.packaged)
    return RenderedPages(digests, rendered, deferred, record)


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
    """Write the pages due (rendering those left to render), on every core when there are many;
    remove our pages no longer wanted; keep the record. Returns what changed."""
    record = pages.record
    items: list[tuple[str, bytes | Callable[[], bytes]]] = [
        *pages.rendered.items(),
        *((page.path, page.make) for page in pages.deferred),
    ]
    processes = max(1, min(PROCESSES or forked.cores(), len(items) // max(1, PAGES_PER_PROCESS)))

    def shown(part: Sequence[tuple[str, bytes | Callable[[], bytes]]]) -> Iterable:
        return progress(part, "Writing pages") if progress is not None else part

    folders = _folders_there(out, items)
    if processes > 1:
        # The folders made here, before the processes start: making 10,000 in one folder at once
        # from two processes only has them wait on each other (the kernel locks the folder).
        for rel, _ in items:
            _folder(out, rel.rpartition("/")[0], folders)
    with collector.paused():
        work = functools.partial(_write_pages, out, folders=folders)
        slices = forked.map_slices(work, items, processes, shown)
    changed = []
    for written in slices:
        for rel, fresh, made in written:
            record.note(rel, pages.digests[rel], made)
            if fresh:
                changed.append(rel)
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


# A page written: its path, whether its bytes changed, its file's stat for the record.
Written = tuple[str, bool, tuple[int, int, int]]


def _write_pages(
    out: Path, items: Iterable[tuple[str, bytes | Callable[[], bytes]]], folders: dict[str, bool]
) -> list[Written]:
    """Render (when not yet) and write each page; what the record needs of each. `folders`: those
    checked to be no link, and there (whether this build made them); more are added."""
    folders = dict(folders)
    return [
        _write_page(out, rel, made if isinstance(made, bytes) else made(), folders) for rel, made in items
    ]


def _folders_there(out: Path, items: Sequence[tuple[str, object]]) -> dict[str, bool]:
    """The folders the pages of `items` go in that are there already as real folders (not
    links), each as _folder would find it (False: not made now): found by listing their parents
    once, where asking for each would cost a system call or two a page."""
    folders: dict[str, bool] = {}
    parents = {rel.rpartition("/")[0].rpartition("/")[0] for rel, _ in items}
    for parent in sorted(parents):
        if not parent:
            continue
        try:
            if _folder(out, parent, folders):
                continue  # made now: empty
            with os.scandir(os.path.join(out, parent)) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):  # a link is left to _folder, which refuses it
                        folders[f"{parent}/{entry.name}"] = False
        except OSError:
            pass  # what was found stands; _folder looks at the rest, and says what is wrong
    return folders


def _folder(out: Path, folder: str, folders: dict[str, bool]) -> bool:
    """out/folder made when missing, never through a link (each folder checked once); whether it
    was made now (then it is empty)."""
    if folder in folders:
        return folders[folder]
    if folder:
        _folder(out, folder.rpartition("/")[0], folders)
    where = os.path.join(out, folder) if folder else str(out)
    try:  # made first, looked at only when it is there: a first build makes every folder
        (os.mkdir if folder else os.makedirs)(where)
        folders[folder] = True
        return True
    except FileExistsError:  # a link is not followed: it is there, and refused below
        found = os.lstat(where)
    if stat.S_ISLNK(found.st_mode):
        unlinked_target(out, Path(where), folder or ".")  # raises, naming the link
    if not stat.S_ISDIR(found.st_mode):
        os.mkdir(where)  # raises FileExistsError naming it: a file where a folder is needed
    folders[folder] = False
    return False


def _write_page(out: Path, rel: str, data: bytes, folders: dict[str, bool]) -> Written:
    """out/rel written atomically (temp file, rename; no fsync: a page lost in a power cut no
    longer matches the record, and the next build writes it again) unless it holds `data`
    already; never through a link. files.write_atomic's work, with the fewest system calls
    (creating 10,000 folders and files costs more than rendering their pages)."""
    folder, _, name = rel.rpartition("/")
    fresh = _folder(out, folder, folders)
    where = os.path.join(out, folder) if folder else str(out)
    target = os.path.join(where, name)
    if not fresh:
        try:
            before = os.lstat(target)
        except FileNotFoundError:
            pass
        else:
            if stat.S_ISLNK(before.st_mode):
                unlinked_target(out, Path(target), rel)  # raises, naming the link
            if before.st_size == len(data) and stat.S_ISREG(before.st_mode) and _holds(target, data):
                return rel, False, (before.st_size, before.st_mtime_ns, before.st_ino)
    temporary = os.path.join(where, f".{name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        handle = os.open(temporary, flags, 0o644)
    except FileExistsError:  # left by a build that was killed
        os.unlink(temporary)
        handle = os.open(temporary, flags, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            os.fchmod(handle, 0o644)  # whatever the umask, as write_atomic
            made = os.fstat(handle)
        finally:
            os.close(handle)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return rel, True, (made.st_size, made.st_mtime_ns, made.st_ino)


def _holds(path: str, data: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False
