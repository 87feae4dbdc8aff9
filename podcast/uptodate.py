"""Knowing from file stats alone that a build would change nothing.

A build that succeeds records three fingerprints in `.podcast/last-build.json`: one of
its inputs (every file of the show directory outside `feeds/` and the dot-folders at its
top, such as the build cache's: name, size, modification and change time, inode), taken
*before* it read them; one of what it wrote (`feeds/`), taken after; and one of the build
itself (its options, the package's own files, Python's version and the installed
libraries' versions). With them it records what it reported.

The next `podcast build` takes the same fingerprints first, before it imports anything
heavy. When all three match and no scheduled episode has come due since, the feed it
would write is the one already there: it repeats the report and stops. Anything else
(a file touched, added or removed, `feeds/` edited by hand, a newer `podcast`, another
option) means a real build. Only stats are read, so this costs milliseconds even for
ten thousand episodes.

This module imports only the light `layout` and `files` on purpose: it runs before the heavy modules
are loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .files import read_state
from .layout import FEEDS_DIR, STATE_DIR

RECORD_FILE = Path(STATE_DIR) / "last-build.json"
OUTPUT_DIR = FEEDS_DIR
RECORD_VERSION = 1
PACKAGE_DIR = Path(__file__).resolve().parent
RACY_NS = 100_000_000  # 0.1 s: well over any file system's time stamp granularity


def _walk(top: Path, digest, *, skip_top: frozenset[str] = frozenset(), hidden: bool = False) -> int:
    """Feed `digest` with (relative path, size, mtime, ctime, inode) of every file below `top`,
    in a fixed order; return the newest mtime or ctime seen (ns). The ctime and inode catch a
    file replaced by one of the same size with an old modification time (`cp -p`, `rsync -t`).

    Names starting with a dot are left out; with `hidden`, only the folders at the top are: a
    show's dot-folders (the build's own state, version control) are not its inputs, but an
    episode's `.take.mp3`, a template's `.partial.html` or artwork named `.cover.png` are."""
    newest = 0
    lines: list[str] = []
    stack = [(str(top), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            lines.append(f"!{prefix}")
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            if name == "__pycache__" or (not prefix and name in skip_top):
                continue
            try:
                if name[0] == "." and not (hidden and (prefix or not entry.is_dir(follow_symlinks=False))):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append((entry.path, f"{prefix}{name}/"))
                    continue
                stat = entry.stat()
            except OSError:
                lines.append(f"?{prefix}{name}")
                continue
            changed = max(stat.st_mtime_ns, stat.st_ctime_ns)
            if changed > newest:
                newest = changed
            lines.append(f"{prefix}{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}")
        stack.extend(subfolders)
    lines.sort()  # one sort of the whole listing, not one per folder: the order scandir gives varies
    digest.update("\n".join(lines).encode(errors="surrogateescape"))
    return newest



def inputs_fingerprint(root: Path) -> tuple[str, int]:
    """The inputs' fingerprint and the newest time stamp among them (ns)."""
    digest = hashlib.blake2b(digest_size=16)
    newest = _walk(Path(root), digest, skip_top=frozenset({OUTPUT_DIR}), hidden=True)
    return digest.hexdigest(), newest


def outputs_fingerprint(root: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    _walk(Path(root) / OUTPUT_DIR, digest)
    return digest.hexdigest()


def build_fingerprint(options: dict) -> str:
    """The options and the code: a newer `podcast`, Python or library (feedgen, lxml, the notes'
    renderers, mutagen, Jinja all shape what a build writes), or another option builds again."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    digest.update(sys.version.encode())
    digest.update("\n".join(_installed()).encode(errors="surrogateescape"))
    _walk(PACKAGE_DIR, digest)
    return digest.hexdigest()


def _installed() -> list[str]:
    """The distributions on sys.path, as their metadata folders are named (name and version):
    a listing of a few folders, far quicker than asking importlib.metadata for each version.

    Only the names count, not the folders they are in: `python -c` and the `podcast` script
    start with different sys.path[0] (the current folder, the script's), neither holding any."""
    names: set[str] = set()
    for folder in sys.path:
        try:
            with os.scandir(folder or ".") as listing:
                names.update(e.name for e in listing if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return sorted(names)


FOLDER_MAX_FILES = 64  # an episode folder holding more is not worth fingerprinting: it is read


def folder_fingerprint(folder: Path, *, max_files: int = FOLDER_MAX_FILES) -> str | None:
    """A fingerprint of every file in an episode folder and its subfolders (name, size,
    modification and change time, inode), or None when the folder cannot be vouched for by stats:
    it is or holds a symbolic link (what it points to may change unseen), it holds more than
    `max_files` entries, it cannot be listed, or a file in it changed too recently to trust
    its time stamps (see `Snapshot.racy`)."""
    lines: list[str] = []
    newest = 0
    stack = [(str(folder), "")]
    try:
        if os.path.islink(folder):
            return None
        while stack:
            path, prefix = stack.pop()
            with os.scandir(path) as listing:
                entries = list(listing)
            for entry in entries:
                if len(lines) >= max_files or entry.is_symlink():
                    return None
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                    lines.append(f"{prefix}{entry.name}/")
                    continue
                stat = entry.stat(follow_symlinks=False)
                newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
                lines.append(
                    f"{prefix}{entry.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}"
                )
    except OSError:
        return None
    if newest >= time.time_ns() - RACY_NS:
        return None
    lines.sort()  # scandir's order is the file system's
    digest = hashlib.blake2b("\n".join(lines).encode(errors="surrogateescape"), digest_size=16)
    return digest.hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """The fingerprints of one moment, taken before a build reads its inputs."""

    inputs: str
    build: str
    newest_ns: int  # the newest time stamp among the inputs
    taken_ns: int  # when the fingerprints were taken

    @classmethod
    def take(cls, root: Path, options: dict) -> Snapshot:
        """The fingerprints now; or those `unchanged_report` took for the same show and options
        earlier in this process (still taken before the build reads anything, so as good: a
        change since then only makes the next build a real one), unless they were racy."""
        kept = _taken.pop(_snapshot_key(root, options), None)
        if kept is not None and not kept.racy:  # a racy one may not be by now: take it again
            return kept
        taken = time.time_ns()
        inputs, newest = inputs_fingerprint(root)
        return cls(inputs=inputs, build=build_fingerprint(options), newest_ns=newest, taken_ns=taken)

    @property
    def racy(self) -> bool:
        """A file changed so shortly before the snapshot that a second change within the file
        system's clock tick would leave its time stamps as they are (git's "racily clean")."""
        return self.newest_ns >= self.taken_ns - RACY_NS


_taken: dict[str, Snapshot] = {}  # the last snapshot `unchanged_report` took, for the build after it


def _snapshot_key(root: Path, options: dict) -> str:
    return json.dumps([str(Path(root).resolve()), options], sort_keys=True, default=str)


def record(root: Path, before: Snapshot, report: dict, *, due_next: datetime | None) -> None:
    """Remember a successful build: `before` as taken before reading, feeds/ as it is now.

    `due_next` is when the earliest scheduled episode comes due: the build is stale then.
    """
    if before.racy:
        forget(root)
        return
    entry = {
        "version": RECORD_VERSION,
        "inputs": before.inputs,
        "build": before.build,
        "outputs": outputs_fingerprint(root),
        "due_next": due_next.astimezone(UTC).isoformat() if due_next else None,
        "report": report,
    }
    path = Path(root) / RECORD_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(entry), "utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # only an optimisation: the next build is a full one


def forget(root: Path) -> None:
    """A build that failed or was stopped: the next one must be a full build."""
    try:
        (Path(root) / RECORD_FILE).unlink(missing_ok=True)
    except OSError:
        pass


def unchanged_report(root: Path, options: dict, *, now: datetime | None = None) -> dict | None:
    """What the last build reported, if nothing that it depends on has changed since; else None."""
    try:
        entry = json.loads(read_state(Path(root) / RECORD_FILE))
        if entry.get("version") != RECORD_VERSION:
            return None
        due_next = entry.get("due_next")
        if due_next and datetime.fromisoformat(due_next) <= (now or datetime.now(UTC)):
            return None
        _taken.clear()  # an older one must not stand for now
        now_taken = Snapshot.take(root, options)
        _taken[_snapshot_key(root, options)] = now_taken  # the build that follows starts from it
        if entry["build"] != now_taken.build or entry["inputs"] != now_taken.inputs:
            return None
        if entry["outputs"] != outputs_fingerprint(root):
            return None
        report = entry["report"]
        return report if isinstance(report, dict) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
