"""What a build last wrote into an output folder besides the feed and the pages (the sidecars:
chapters, their images, transcripts, episode images, artwork), so an unchanged one is neither
written again nor read to be compared.

For every such file it writes, the build keeps a digest of its bytes and the file's size,
modification and change time and inode as they were after writing, in
`.podcast/written/<output>.json`, one record per output folder (feeds/, the preview's). A file
is current when the bytes it should hold have the recorded digest and it still has the recorded
stat: one deleted, edited by hand or replaced in the output folder is written again. A file
copied from the show (a transcript, an image) also keeps its source's stat, so while neither
changed the source is not read either.

The record is only an optimisation: one that is missing, unreadable or of another version is
an empty record (every file is compared with what it should hold, and written if it differs).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .files import read_state, unlinked_target, write_atomic
from .layout import FEEDS_DIR, STATE_DIR

RECORD_DIR = f"{STATE_DIR}/written"
RECORD_VERSION = 1


def _stat_of(path: Path | str) -> list[int]:
    facts = os.lstat(path)
    return [facts.st_size, facts.st_mtime_ns, facts.st_ctime_ns, facts.st_ino]


def _digest(data: bytes | Sequence[bytes]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in (data,) if isinstance(data, bytes | bytearray) else data:
        digest.update(part)
    return digest.hexdigest()


class WrittenRecord:
    """The record of the sidecars one build writes into one output folder."""

    def __init__(self, file: Path, out: Path, name: str, entries: dict[str, list]) -> None:
        self.file = file
        self.out = out
        self.name = name
        self.entries = entries  # by path under `out`: [digest, size, mtime, ctime, inode, source stat...]
        self.written: dict[str, list] = {}  # this build's
        self.changed = False

    @classmethod
    def load(cls, root: Path, out: Path) -> WrittenRecord:
        """The record of `out`, kept in the show directory `root`."""
        root, out = Path(root), Path(out)
        resolved_root, resolved_out = root.resolve(), out.resolve()
        if resolved_out.is_relative_to(resolved_root):
            name = resolved_out.relative_to(resolved_root).as_posix()
        else:
            name = str(resolved_out)
        file = root / RECORD_DIR / (hashlib.blake2b(name.encode(), digest_size=8).hexdigest() + ".json")
        try:
            data = json.loads(read_state(file))
            if data["version"] != RECORD_VERSION or data["out"] != name:
                raise ValueError
            entries = {str(path): list(entry) for path, entry in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = {}
        return cls(file, out, name, entries)

    def _current(self, relative: str, target: Path, digest: str, source: list[int] | None) -> bool:
        entry = self.entries.get(relative)
        if entry is None or entry[0] != digest or (source is not None and entry[5:] != source):
            return False
        try:
            return _stat_of(target) == entry[1:5]
        except OSError:
            return False

    def put(self, relative: str, data: bytes | Sequence[bytes]) -> Path:
        """Write `data` to out/<relative> atomically, never through a symlink, unless it holds it."""
        return self._put(relative, _digest(data), None, lambda: data)

    def copy(self, relative: str, source: Path, read: Callable[[], bytes]) -> Path:
        """Put the bytes `read` gives (the file `source`'s) at out/<relative>; while neither the
        source nor the copy changed since this record was kept, neither is read."""
        try:
            facts = os.stat(source)  # a link followed: what it points to may change
        except OSError:
            return self.put(relative, read())  # reading it says what is wrong
        source_stat = [facts.st_size, facts.st_mtime_ns, facts.st_ctime_ns, facts.st_ino]
        entry = self.entries.get(relative)
        if entry is not None and entry[5:] == source_stat:
            target = self.out / relative
            if self._current(relative, target, entry[0], source_stat):
                self.written[relative] = entry
                return target
        data = read()
        return self._put(relative, _digest(data), source_stat, lambda: data)

    def _put(
        self,
        relative: str,
        digest: str,
        source: list[int] | None,
        data: Callable[[], bytes | Sequence[bytes]],
    ) -> Path:
        target = self.out / relative
        if self._current(relative, target, digest, source):
            self.written[relative] = self.entries[relative]
            return target
        target = unlinked_target(self.out, target, f"{FEEDS_DIR}/{relative}")
        write_atomic(target, data())  # (compares first: a file that holds it already is left alone)
        self.written[relative] = [digest, *_stat_of(target), *(source or [])]
        self.changed = True
        return target

    def save(self) -> None:
        """Keep what this build wrote (and nothing else); written whole, atomically. A record
        that cannot be written only costs the next build time."""
        if not self.changed and self.written.keys() == self.entries.keys():
            return
        data = {"version": RECORD_VERSION, "out": self.name, "files": self.written}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.file, json.dumps(data).encode("utf-8"), durable=False)
        except OSError:
            pass
