"""What each page in an output folder was last made from, so an unchanged page is left alone.

For every page it wrote, the build keeps the page's digest (pages.plan: everything the
page shows) and the file's size, modification time and inode as they were after writing,
in `.podcast/pages/<output>.json`, one record per output folder (feeds/, the preview's).
A page is current when its digest is the one recorded and its file still has the recorded
stat: a page deleted, edited by hand or replaced in the output folder is made again.

The record is only an optimisation: one that is missing, unreadable or of another version
is an empty record (every page is rendered, and compared with the file before writing).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from ..files import read_state
from ..layout import STATE_DIR

RECORD_DIR = f"{STATE_DIR}/pages"
RECORD_VERSION = 2

# An entry is one string, "<digest> <size> <mtime (ns)> <inode>": 10,000 of them load and save
# several times faster as JSON strings than as lists, and a page is checked by comparing one.


def _entry(digest: str, size: int, mtime_ns: int, inode: int) -> str:
    return f"{digest} {size} {mtime_ns} {inode}"


class PageRecord:
    """The record of one output folder's pages."""

    def __init__(self, file: Path, out: str, entries: dict[str, str]) -> None:
        self.file = file
        self.out = out
        self.entries = entries
        self.changed = False  # since it was loaded: saved only then

    @classmethod
    def load(cls, root: Path, out: Path) -> PageRecord:
        """The record of `out`'s pages, kept in the show directory `root`."""
        root, out = Path(root).resolve(), Path(out).resolve()
        name = out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)
        file = root / RECORD_DIR / (hashlib.blake2b(name.encode(), digest_size=8).hexdigest() + ".json")
        try:
            data = json.loads(read_state(file))
            if data["version"] != RECORD_VERSION or data["out"] != name:
                raise ValueError
            entries = data["pages"]
            if type(entries) is not dict or not all(type(entry) is str for entry in entries.values()):
                raise ValueError
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = {}
        return cls(file, name, entries)

    def current(self, out: Path | str, path: str, digest: str) -> bool:
        """Whether out/path is the page `digest` stands for, as this record wrote it."""
        entry = self.entries.get(path)
        if entry is None or not entry.startswith(digest) or entry[len(digest) : len(digest) + 1] != " ":
            return False
        try:
            found = os.lstat(f"{out}/{path}")
        except OSError:
            return False
        return entry == _entry(digest, found.st_size, found.st_mtime_ns, found.st_ino)

    def due(self, out: Path | str, digests: Mapping[str, str]) -> list[str]:
        """The paths among `digests` (path → digest) that are not current in `out`, in their
        order: `current` of each, in one loop (10,000 pages are asked at every build). The files
        are looked up from a handle on `out`, not by their whole path each."""
        entries, lstat = self.entries, os.lstat
        due = []
        try:
            folder = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return list(digests)
        try:
            for path, digest in digests.items():
                entry = entries.get(path)
                cut = len(digest)
                if entry is None or entry[cut : cut + 1] != " " or not entry.startswith(digest):
                    due.append(path)
                    continue
                try:
                    found = lstat(path, dir_fd=folder)
                except OSError:
                    due.append(path)
                    continue
                if entry[cut + 1 :] != f"{found.st_size} {found.st_mtime_ns} {found.st_ino}":
                    due.append(path)
        finally:
            os.close(folder)
        return due

    def note(self, path: str, digest: str, written: tuple[int, int, int]) -> None:
        """out/path, whose file now has the `written` size, mtime (ns) and inode, holds the page
        `digest` stands for."""
        entry = _entry(digest, *written)
        if self.entries.get(path) != entry:
            self.entries[path] = entry
            self.changed = True

    def keep_only(self, paths: set[str] | dict[str, str]) -> None:
        kept = {path: entry for path, entry in self.entries.items() if path in paths}
        if len(kept) != len(self.entries):
            self.entries = kept
            self.changed = True

    def save(self) -> None:
        """Written whole, atomically, when it changed; a record that cannot be written only costs
        the next build time."""
        if not self.changed and self.file.exists():
            return
        data = {"version": RECORD_VERSION, "out": self.out, "pages": self.entries}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
            try:
                temporary.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
                os.replace(temporary, self.file)
            finally:
                temporary.unlink(missing_ok=True)
        except OSError:
            pass
        self.changed = False
