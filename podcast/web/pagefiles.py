"""Writing the show's pages into the output folder, with the fewest system calls a page.

Creating 10,000 folders and files costs more than rendering their pages, and a page found
holding its bytes already is left alone (a stat and a read, no write). Nothing is written
through a link: a folder or a page that is one is refused, naming it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..files import holds, unlinked_target
from ..uptodate import folder_stated

# Fewer pages than this look at their folders one by one: listing 10,000 folders to write two
# pages costs more than a system call or two for each.
LISTED_FROM = 64

# A page written: its path, whether its bytes changed, its file's stat for the record, and its
# folder as the writer left it (uptodate.folder_stated: the walk of feeds/ after the build takes it).
Written = tuple[str, bool, tuple[int, int, int], str | None]


def write_pages(
    out: Path, items: Iterable[tuple[str, bytes | Callable[[], bytes]]], folders: dict[str, bool]
) -> list[Written]:
    """Render (when not yet) and write each page; what the record needs of each. `folders`: those
    checked to be no link, and there (whether this build made them); more are added."""
    folders = dict(folders)
    return [write_page(out, rel, made if isinstance(made, bytes) else made(), folders) for rel, made in items]


def folders_there(out: Path, items: Sequence[tuple[str, object]]) -> dict[str, bool]:
    """The folders the pages of `items` go in that are there already as real folders (not
    links), each as ensure_folder would find it (False: not made now): found by listing their parents
    once, where asking for each would cost a system call or two a page. Only a parent that holds
    LISTED_FROM of them or more is listed: an episode added writes 200 list pages and one page
    in episodes/, whose 10,000 folders are not worth listing for it."""
    folders: dict[str, bool] = {}
    if len(items) < LISTED_FROM:
        return folders
    parents = Counter(rel.rpartition("/")[0].rpartition("/")[0] for rel, _ in items)
    for parent in sorted(parents):
        if not parent or parents[parent] < LISTED_FROM:
            continue
        try:
            if ensure_folder(out, parent, folders):
                continue  # made now: empty
            with os.scandir(os.path.join(out, parent)) as entries:
                for entry in entries:
                    if entry.is_dir(
                        follow_symlinks=False
                    ):  # a link is left to ensure_folder, which refuses it
                        folders[f"{parent}/{entry.name}"] = False
        except OSError:
            pass  # what was found stands; ensure_folder looks at the rest, and says what is wrong
    return folders


def ensure_folder(out: Path, folder: str, folders: dict[str, bool]) -> bool:
    """out/folder made when missing, never through a link (each folder checked once); whether it
    was made now (then it is empty)."""
    if folder in folders:
        return folders[folder]
    if folder:
        ensure_folder(out, folder.rpartition("/")[0], folders)
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


def write_page(out: Path, rel: str, data: bytes, folders: dict[str, bool]) -> Written:
    """out/rel written atomically (temp file, rename; no fsync: a page lost in a power cut no
    longer matches the record, and the next build writes it again) unless it holds `data`
    already; never through a link. files.write_atomic's work, with the fewest system calls
    (creating 10,000 folders and files costs more than rendering their pages)."""
    folder, _, name = rel.rpartition("/")
    fresh = ensure_folder(out, folder, folders)
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
            if before.st_size == len(data) and stat.S_ISREG(before.st_mode) and holds(target, (data,)):
                made = (before.st_size, before.st_mtime_ns, before.st_ino)
                return rel, False, made, _stated(where, folder, name, before)
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
    return rel, True, (made.st_size, made.st_mtime_ns, made.st_ino), None  # (just changed: walked)


def found_holding(out: Path, rel: str, data: bytes) -> Written | None:
    """out/rel as write_page gives it when it is a file (not a link) holding `data` already; else
    None. Makes and writes nothing, so a page can be looked for before the build may write (the
    folders on the way are checked for links when it writes: see ensure_folder)."""
    target = os.path.join(out, rel)
    try:
        before = os.lstat(target)
    except OSError:
        return None
    if stat.S_ISREG(before.st_mode) and before.st_size == len(data) and holds(target, (data,)):
        folder, _, name = rel.rpartition("/")
        where = os.path.join(out, folder) if folder else str(out)
        made = (before.st_size, before.st_mtime_ns, before.st_ino)
        return rel, False, made, _stated(where, folder, name, before)
    return None


def _stated(where: str, folder: str, name: str, page: os.stat_result) -> str | None:
    """The folder of the page `name`, found holding its bytes (`page`: its stat), as its writer
    leaves it, for the walk of feeds/ after the build; not the output folder itself, which the
    build goes on writing into. (A page written is not: its folder has just changed.)"""
    return folder_stated(where, name, page) if folder else None
