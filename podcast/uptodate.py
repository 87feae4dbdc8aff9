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
option) means a real build. Only stats are read: one for each file and folder, the folders'
listings being kept from the last walk (`.podcast/listings/`) while a folder is unchanged.

The walk of the inputs fingerprints each episode folder on its own; a build that follows reads
them (`folder_fingerprint`, inside `reading`) instead of walking the folders a second time. A
build that reads every folder anyway (a cold one) only begins the walk (`SnapshotStart`): whoever
reads a folder fingerprints it first, and the snapshot is put together from those parts.

This module imports only the light `layout`, `errors`, `files` and `collector` on purpose: it runs
before the heavy modules are loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from . import collector
from .errors import PodcastError
from .files import STATE_MAX_BYTES, read_bounded, read_state
from .layout import EPISODES_DIR, FEEDS_DIR, STATE_DIR

RECORD_FILE = Path(STATE_DIR) / "last-build.json"
OUTPUT_DIR = FEEDS_DIR
RECORD_VERSION = 1
PACKAGE_DIR = Path(__file__).resolve().parent
RACY_NS = 100_000_000  # 0.1 s: well over any file system's time stamp granularity
FOLDER_MAX_FILES = 64  # an episode folder holding more is not worth fingerprinting: it is read
LISTINGS_DIR = Path(STATE_DIR) / "listings"  # one file for the inputs' folders, one for feeds/'
LISTINGS_VERSION = 3
LINES_VERSION = 1
LISTINGS_RESAVE = 200  # folders listed anew (not as kept) before the listings are kept again


class _Listings:
    """The folders' listings a walk made, kept in `.podcast/listings/` for the next walk
    (as JSON: marshal reads faster, but is not safe on crafted data, and `.podcast/` may come
    with a show copied from someone else).

    A folder's listing changes only with its own modification and change time (a name added,
    removed or renamed in it updates both), so while those and its inode are as recorded, the
    recorded names stand for a new listing: one stat instead of opening and reading the folder.
    A listing made within RACY_NS of the folder's last change is not kept (a second change in
    the same clock tick would leave its time stamps as they were).

    The walk of feeds/ also keeps its files' stat lines, in a file of their own (`lines`; only
    the walk `record` takes reads them, see `outputs_fingerprint`): for each folder whose files
    were all settled, "mtime/ctime/inode" of the folder, then each file's line without the
    folder's prefix, "/" (which no name holds) in place of its NULs (which JSON would escape as
    six characters), all joined by "//" (which no line holds: none of its fields is empty)."""

    def __init__(self, file: Path, kept: dict[str, list], lines: dict[str, str] | None = None) -> None:
        self.file = file
        self.kept = kept  # by folder (relative, ending in "/"): [mtime, ctime, inode, files, folders, links]
        self.now: dict[str, list] = {}
        # Listings made in other processes, as members of the JSON object `now` is saved as
        # ('"rel":[...]', comma-separated): they are only saved, and so never decoded here.
        self.encoded: list[str] = []
        self.listed = 0  # folders listed anew (their listing was not kept or no longer held)
        self.until_ns = time.time_ns() - RACY_NS
        self.lines = lines  # the kept lines of feeds/' folders, when read (None: not read)
        self.lines_now: dict[str, str] = {}  # this walk's, taken from `lines`
        # The folders whose files this walk stated, settled: (folder, where its lines start and
        # end in `walked`), made into kept lines only when the listings are saved.
        self.stated: list[tuple[str, int, int]] = []
        self.walked: list[str] = []
        # Folders the build's writers stated as they left them (`folder_stated`), by folder:
        # taken instead of listing and stating them while the folder's stamps are as stated.
        self.handed: Mapping[str, str] = {}
        self._handed_now: dict[str, tuple[str, list[str]]] = {}

    @classmethod
    def load(cls, root: Path, tree: str, *, lines: bool = False) -> _Listings:
        """The listings kept of `tree` ("inputs" or "outputs"), and with `lines` the stat lines
        kept of its files; none when the record is missing, unreadable or of another version (a
        listing of the wrong shape is not believed either)."""
        file = Path(root) / LISTINGS_DIR / f"{tree}.json"
        kept = _read_kept(file, LISTINGS_VERSION)
        if not all(type(listing) is list and len(listing) == 6 for listing in kept.values()):
            kept = {}
        return cls(file, kept, _read_kept(_lines_file(file), LINES_VERSION) if lines else None)

    def save(self, *, anyway: bool = False) -> None:
        """Keep this walk's listings for the next, when enough of those kept no longer held
        (or `anyway`); and the stat lines, when it kept any.

        Writing them costs ~6 ms at 10,000 episodes, listing a folder again ~10 µs: a build
        that changed a few folders leaves the record as it is, and the next walks list those again."""
        if self.kept and self.listed < LISTINGS_RESAVE and not anyway:
            return
        now, walked, lines = self.now, self.walked, self.lines_now
        for rel, start, end in self.stated:
            listing = now.get(rel)
            if listing is not None:
                cut = len(rel)
                stated = (line[cut:].replace("\0", "/") for line in walked[start:end])
                lines[rel] = "//".join((f"{listing[0]}/{listing[1]}/{listing[2]}", *stated))
        self.kept, self.listed = dict(now), 0
        document = {"version": LISTINGS_VERSION, "folders": now}
        text = json.dumps(document, separators=(",", ":"))
        if self.encoded:  # ("folders" is the last member: the text ends with the two objects' ends)
            text = text[:-2] + ("," if now else "") + ",".join(self.encoded) + "}}"
        _write_state(self.file, text.encode())
        if lines or self.stated:
            document = {"version": LINES_VERSION, "folders": lines}
            _write_state(_lines_file(self.file), json.dumps(document, separators=(",", ":")).encode())

    def entries(
        self, path: str, rel: str, scanned: Iterable[os.DirEntry] | None = None
    ) -> tuple[list[str], list[str], list[str], list | None]:
        """(files, folders, symbolic links) in the folder `path`, and the listing kept of it when
        it still holds, or the one the build's writers stated of it (`handed`), while it holds
        (else None). `scanned`: its entries, when the caller has just listed it. Raises OSError."""
        stat = os.lstat(path)
        kept = self.kept.get(rel)
        if (
            kept is not None
            and kept[0] == stat.st_mtime_ns
            and kept[1] == stat.st_ctime_ns
            and kept[2] == stat.st_ino
            and type(kept[3]) is type(kept[4]) is type(kept[5]) is list  # (a damaged record is not)
        ):
            self.now[rel] = kept
            return kept[3], kept[4], kept[5], kept
        self.listed += 1
        handed = self.handed.get(rel)
        if handed is not None:
            stamp, *lines = handed.split("//")
            if stamp == f"{stat.st_mtime_ns}/{stat.st_ctime_ns}/{stat.st_ino}":  # (settled: folder_stated)
                files = [line.partition("/")[0] for line in lines]
                listing = self.now[rel] = [stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, files, [], []]
                self._handed_now[rel] = (handed, lines)
                return files, [], [], listing
        files, folders, links = _list(path, scanned)
        if max(stat.st_mtime_ns, stat.st_ctime_ns) < self.until_ns:
            self.now[rel] = [stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, files, folders, links]
        return files, folders, links, None

    def apart(self) -> _Listings:
        """Listings that answer from the same kept ones as of the same moment, with nothing listed
        yet: what a walk of one folder made, to be sent where the whole walk is put together."""
        copy = _Listings(self.file, self.kept)
        copy.until_ns = self.until_ns
        return copy

    def kept_lines(self, rel: str, listing: list) -> list[str] | None:
        """The stat lines kept of the files of the folder `rel` (without its prefix), when they
        were kept with the listing `listing`, which still holds (None otherwise); or those the
        build's writers stated of it, when `entries` took them (kept in turn when settled)."""
        handed = self._handed_now.pop(rel, None)
        if handed is not None:
            self.lines_now[rel] = handed[0]
            return handed[1]
        text = self.lines.get(rel) if self.lines is not None else None
        if type(text) is not str:
            return None
        stamp, *lines = text.split("//")
        if stamp != f"{listing[0]}/{listing[1]}/{listing[2]}":
            return None
        self.lines_now[rel] = text
        return lines


def _lines_file(listings: Path) -> Path:
    return listings.with_name(listings.stem + "-lines.json")


def _read_kept(file: Path, version: int) -> dict:
    """The "folders" of a kept record of `version`; empty when missing, damaged or of another."""
    try:
        entry = json.loads(read_bounded(file, STATE_MAX_BYTES, str(file)))
        kept = entry["folders"] if entry.get("version") == version else {}
        return kept if type(kept) is dict else {}
    except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError, PodcastError):
        return {}


def _list(path: str, scanned: Iterable[os.DirEntry] | None = None) -> tuple[list[str], list[str], list[str]]:
    """(files, folders, symbolic links) in `path`, as scandir gives their kinds with their names
    (`scanned`: its entries, when the caller has just listed it)."""
    if scanned is None:
        with os.scandir(path) as listing:
            return _kinds(listing)
    return _kinds(scanned)


def _kinds(entries: Iterable[os.DirEntry]) -> tuple[list[str], list[str], list[str]]:
    files: list[str] = []
    folders: list[str] = []
    links: list[str] = []
    for entry in entries:
        try:
            if entry.is_symlink():
                links.append(entry.name)
            elif entry.is_dir(follow_symlinks=False):
                folders.append(entry.name)
            else:
                files.append(entry.name)
        except OSError:
            files.append(entry.name)  # its stat fails too, and says so
    return files, folders, links


def folder_stated(path: str, name: str = "", facts: os.stat_result | None = None) -> str | None:
    """A folder of feeds/ as the walk `record` takes would find it, stated by the build's writer
    as it leaves the folder (the entries are in the kernel's caches then, and the writers work on
    every core while `record` runs alone): the folder's stamps and its files' stat lines, in the
    form kept of them (`_Listings`). None when the walk would not keep them, for it states and
    lists the folder itself then: something in it changed within RACY_NS (a page just written),
    or it holds what that form does not say (a folder, a link, a dot-name), or a stat fails.

    The stamps are taken before the listing, and are settled: a name added, removed or renamed
    later gives the folder others, and `record` takes these only for a folder that still has
    them. A file changed in place after it was stated gives a fingerprint no walk of feeds/
    matches: the next check builds (see `outputs_fingerprint`). `facts`: the stat of the file
    `name` in it, taken by the caller just before (a page found holding its bytes)."""
    settled_ns = time.time_ns() - RACY_NS
    try:
        found = os.lstat(path)
        if found.st_mtime_ns >= settled_ns or found.st_ctime_ns >= settled_ns:
            return None
        files, folders, links = _list(path)
        if folders or links:
            return None
        parts = [f"{found.st_mtime_ns}/{found.st_ctime_ns}/{found.st_ino}"]
        for entry in files:
            if entry[0] == "." or entry in _PYCACHE:
                return None
            stated = facts if entry == name and facts is not None else os.stat(f"{path}/{entry}")
            modified, changed = stated.st_mtime_ns, stated.st_ctime_ns
            if modified >= settled_ns or changed >= settled_ns:
                return None
            parts.append(f"{entry}/{stated.st_size}/{modified}/{changed}/{stated.st_ino}")
    except OSError:
        return None
    return "//".join(parts)


def _listed(
    listings: _Listings | None, path: str, rel: str, scanned: Iterable[os.DirEntry] | None = None
) -> tuple[list[str], list[str], list[str], list | None]:
    return listings.entries(path, rel, scanned) if listings is not None else (*_list(path, scanned), None)


def _walk(
    top: Path,
    digest,
    *,
    skip_top: frozenset[str] = frozenset(),
    hidden: bool = False,
    listings: _Listings | None = None,
    episodes: dict[str, tuple[str, int] | None] | None = None,
    recent: _Recent | None = None,
    after_build: bool = False,
    deferred: _Deferred | None = None,
) -> int:
    """Feed `digest` with (relative path, size, mtime, ctime, inode) of every file below `top`,
    in a fixed order; return the newest mtime or ctime seen (ns). The ctime and inode catch a
    file replaced by one of the same size with an old modification time (`cp -p`, `rsync -t`).
    A symbolic link is taken for what it points to.

    Names starting with a dot are left out; with `hidden`, only the folders at the top are: a
    show's dot-folders (the build's own state, version control) are not its inputs, but an
    episode's `.take.mp3`, a template's `.partial.html` or artwork named `.cover.png` are.

    With `episodes`, each folder in episodes/ is fingerprinted on its own (`_folder_walk`): its
    fingerprint stands for its files in the listing, and goes into `episodes` by name with its
    newest time stamp (None when it cannot vouch for the folder), for the build to take instead
    of walking the folder again. With `listings`, a folder unchanged since the last walk is not
    listed again (`_Listings`). With `recent`, the listing's lines are kept there, with where each
    file or episode folder changed since `recent.since` is, so that they alone can be looked at
    again (`Snapshot.refreshed`).

    With `deferred` instead of `episodes`, the folders in episodes/ are not walked but named
    there, and the walk's lines are left there unsorted, for the digest to be made once the
    folders are fingerprinted too (`SnapshotStart`); `digest` is not fed.

    A walk with `listings` and without `episodes` (feeds/') keeps its files' stat lines with the
    folders' listings; with `after_build` it takes them for the files of a folder whose listing
    still holds, instead of stating them (`outputs_fingerprint`)."""
    newest = 0
    lines: list[str] = []
    append, stat = lines.append, os.stat
    keeping = listings is not None and episodes is None and deferred is None
    settled_ns = listings.until_ns if listings is not None else 0
    stack = [(str(top), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            files, folders, links, kept = _listed(listings, folder, prefix)
        except OSError:
            append(f"!{prefix}")
            continue
        skipped = {*skip_top, "__pycache__"} if not prefix else _PYCACHE
        reused = listings.kept_lines(prefix, kept) if after_build and kept is not None else None
        if reused is not None:
            lines.extend([prefix + line.replace("/", "\0") for line in reused])
            files = links = []  # stated by the walk that kept them (see `outputs_fingerprint`)
        start, settled = len(lines), True
        for name in (*files, *links) if links else files:
            if name in skipped or (name[0] == "." and not hidden):
                continue
            try:
                found = stat(f"{folder}/{name}")
            except OSError:
                append(f"?{prefix}{name}")
                settled = False
                continue
            modified, changed = found.st_mtime_ns, found.st_ctime_ns
            if changed > newest or modified > newest:
                newest = max(newest, modified, changed)
            if recent is not None and max(modified, changed) >= recent.since:
                recent.files.append((len(lines), f"{folder}/{name}", f"{prefix}{name}"))
            if modified >= settled_ns or changed >= settled_ns:
                settled = False
            append(f"{prefix}{name}\0{found.st_size}\0{modified}\0{changed}\0{found.st_ino}")
        if keeping and settled and reused is None:
            listings.stated.append((prefix, start, len(lines)))
        for name in folders:
            if name in skipped or (name[0] == "." and (not prefix or not hidden)):
                continue
            if deferred is not None and prefix == EPISODES_PREFIX:
                deferred.names.append(name)
                continue
            if episodes is not None and prefix == EPISODES_PREFIX:
                fingerprint, changed, vouched = _folder_walk(f"{folder}/{name}", f"{prefix}{name}/", listings)
                if recent is not None and changed >= recent.since:
                    recent.folders.append((len(lines), f"{folder}/{name}", name))
                append(f"{prefix}{name}/\0{fingerprint}")
                newest = max(newest, changed)
                episodes[name] = (fingerprint, changed) if vouched else None
                continue
            stack.append((f"{folder}/{name}", f"{prefix}{name}/"))
    if recent is not None:
        recent.lines = list(lines)  # in the walk's order, as the indexes above are
    if keeping:
        listings.walked = list(lines)  # (as `stated` has them)
    if deferred is not None:
        deferred.lines = lines
        return newest
    lines.sort()  # one sort of the whole listing, not one per folder: the order scandir gives varies
    digest.update("\n".join(lines).encode(errors="surrogateescape"))
    return newest


@dataclass
class _Recent:
    """What a walk of the inputs saw change since `since` (ns): the files (line index, path,
    relative path) and episode folders (line index, path, name), with every line of the walk."""

    since: int
    files: list[tuple[int, str, str]] = field(default_factory=list)
    folders: list[tuple[int, str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass
class _Deferred:
    """What a walk of the inputs left for later: the episode folders' names, and its lines."""

    names: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


_PYCACHE = frozenset({"__pycache__"})
EPISODES_PREFIX = f"{EPISODES_DIR}/"


def _folder_walk(
    top: str,
    rel: str,
    listings: _Listings | None,
    *,
    max_files: int = FOLDER_MAX_FILES,
    stop: bool = False,
    scanned: Iterable[os.DirEntry] | None = None,
) -> tuple[str, int, bool]:
    """An episode folder's fingerprint (every file in it and its subfolders, dot-files too), its
    newest time stamp, and whether it can vouch for the folder: it could be read whole, holds no
    symbolic link (what one points to may change unseen) and no more than `max_files` entries.
    With `stop`, stop at the first thing that cannot be vouched for (the fingerprint is then "").
    `scanned`: the folder's entries, when the caller has just listed it (not its subfolders')."""
    lines: list[str] = []
    append, stat = lines.append, os.stat
    newest = 0
    try:
        listed = _listed(listings, top, rel, scanned)
    except OSError:
        listed = None
    if listed is not None and not listed[1] and not listed[2] and len(listed[0]) <= max_files:
        # The usual folder, files alone: the walk below, without its stack.
        try:
            for name in listed[0]:
                found = stat(f"{top}/{name}")
                modified, changed = found.st_mtime_ns, found.st_ctime_ns
                if changed > newest or modified > newest:
                    newest = max(newest, modified, changed)
                append(f"{name}\0{found.st_size}\0{modified}\0{changed}\0{found.st_ino}")
        except OSError:
            lines.clear()  # the walk below says what could not be stated
            newest = 0
        else:
            lines.sort()  # scandir's order is the file system's
            fingerprint = hashlib.blake2b("\n".join(lines).encode(errors="surrogateescape"), digest_size=16)
            return fingerprint.hexdigest(), newest, True
    vouched = True
    stack = [(top, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            files, folders, links, _ = _listed(listings, folder, rel + prefix, None if prefix else scanned)
        except OSError:
            append(f"!{prefix}")
            vouched = False
            if stop:
                return "", newest, False
            continue
        if links or len(lines) + len(files) + len(folders) > max_files:
            vouched = False
            if stop:
                return "", newest, False
        for name in (*files, *links) if links else files:
            try:
                found = stat(f"{folder}/{name}")
            except OSError:
                append(f"?{prefix}{name}")
                vouched = False
                if stop:
                    return "", newest, False
                continue
            modified, changed = found.st_mtime_ns, found.st_ctime_ns
            if changed > newest or modified > newest:
                newest = max(newest, modified, changed)
            append(f"{prefix}{name}\0{found.st_size}\0{modified}\0{changed}\0{found.st_ino}")
        for name in folders:
            append(f"{prefix}{name}/")
            stack.append((f"{folder}/{name}", f"{prefix}{name}/"))
    lines.sort()  # scandir's order is the file system's
    fingerprint = hashlib.blake2b("\n".join(lines).encode(errors="surrogateescape"), digest_size=16)
    return fingerprint.hexdigest(), newest, vouched


def inputs_fingerprint(root: Path) -> tuple[str, int]:
    """The inputs' fingerprint and the newest time stamp among them (ns)."""
    digest = hashlib.blake2b(digest_size=16)
    newest = _walk(Path(root), digest, skip_top=frozenset({OUTPUT_DIR}), hidden=True, episodes={})
    return digest.hexdigest(), newest


def outputs_fingerprint(
    root: Path,
    *,
    listed: bool = False,
    after_build: bool = False,
    expected: str | None = None,
    stated: Mapping[str, str] | None = None,
) -> str:
    """feeds/' fingerprint; with `listed`, its folders are listed again only where they changed
    since the last walk that kept their listings (`_Listings`).

    With `after_build` (`record`, right after a build wrote feeds/), a folder still as listed
    before is taken to hold its files as the last walk stated them, unstated: every file the
    build writes or removes goes through a rename, an unlink or a mkdir in its folder, which
    changes the folder's time stamps, so such a folder had nothing written into it. A file
    changed in place since it was stated (by hand) gives a fingerprint that no walk of feeds/
    matches: the next check's walk (which states every file) finds feeds/ changed and builds,
    never the other way round. A walk that finds another fingerprint than `expected` (the
    last build's) keeps the lines it stated, so that the build it leads to agrees with them.

    `stated` (with `after_build`): folders as the build's writers left them (`folder_stated`), by
    folder under feeds/ ("episodes/<slug>/"), taken for a folder whose stamps are still as stated,
    instead of listing it and stating its files: the same lines, by the same argument."""
    digest = hashlib.blake2b(digest_size=16)
    listings = _Listings.load(root, "outputs", lines=after_build) if listed else None
    if listings is not None and after_build and stated:
        listings.handed = stated
    _walk(Path(root) / OUTPUT_DIR, digest, listings=listings, after_build=after_build and listed)
    found = digest.hexdigest()
    if listings is not None:
        listings.save(anyway=expected is not None and found != expected)
    return found


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


def folder_fingerprint(folder: Path, *, max_files: int = FOLDER_MAX_FILES) -> str | None:
    """A fingerprint of every file in an episode folder and its subfolders (name, size,
    modification and change time, inode), or None when the folder cannot be vouched for by stats:
    it is or holds a symbolic link (what it points to may change unseen), it holds more than
    `max_files` entries, it cannot be listed, or a file in it changed too recently to trust
    its time stamps (see `Snapshot.racy`).

    While a build reads the show (`reading`), the one its snapshot took is given: the folder is
    not walked a second time."""
    known = _reading
    if isinstance(known, Snapshot) and known.episodes is not None and max_files == FOLDER_MAX_FILES:
        parent, _, name = os.fspath(folder).rpartition("/")  # (os.path's parts cost 5 µs a folder)
        if parent == known.episodes_dir and name:
            return known.episodes.get(name)  # not walked (a link): None
    try:
        if os.path.islink(folder):
            return None
    except OSError:
        return None
    found, newest, vouched = _folder_walk(os.fspath(folder), "", None, max_files=max_files, stop=True)
    if not vouched or newest >= time.time_ns() - RACY_NS:
        return None
    return found


@dataclass(frozen=True)
class Snapshot:
    """The fingerprints of one moment, taken before a build reads its inputs."""

    inputs: str
    build: str
    newest_ns: int  # the newest time stamp among the inputs
    taken_ns: int  # when the fingerprints were taken
    # Where the show's episode folders are, and each one's fingerprint as `folder_fingerprint`
    # gives it, by name (None: not to be vouched for); None when episodes/ was not walked.
    episodes_dir: str = ""
    episodes: dict[str, str | None] | None = field(default=None, compare=False, repr=False)
    recent: _Recent | None = field(default=None, compare=False, repr=False)

    @classmethod
    def take(cls, root: Path, options: dict) -> Snapshot:
        """The fingerprints now; or those `unchanged_report` took for the same show and options
        earlier in this process (still taken before the build reads anything, so as good: a
        change since then only makes the next build a real one). A racy one is taken again
        when it would no longer be racy (else the walk would be for nothing)."""
        kept = _taken.pop(_snapshot_key(root, options), None)
        if kept is None:
            return cls._now(Path(root), options)
        if kept.racy and kept.newest_ns < time.time_ns() - RACY_NS:
            return kept.refreshed() or cls._now(Path(root), options)
        return kept

    @classmethod
    def begin(cls, root: Path, options: dict) -> Snapshot | SnapshotStart:
        """The fingerprints now but the episode folders', which are left to whoever reads them
        (`SnapshotStart`); or, when `unchanged_report` took a snapshot of the show earlier in
        this process, that one (`take`)."""
        if _snapshot_key(root, options) in _taken:
            return cls.take(root, options)
        return SnapshotStart(Path(root), options)

    def completed(self) -> Snapshot:
        """This snapshot (`SnapshotStart.completed`'s counterpart: it is complete)."""
        return self

    @classmethod
    def _now(cls, root: Path, options: dict) -> Snapshot:
        taken = time.time_ns()
        listings = _Listings.load(root, "inputs")
        digest = hashlib.blake2b(digest_size=16)
        folders: dict[str, tuple[str, int] | None] = {}
        recent = _Recent(since=taken - RACY_NS)
        newest = _walk(
            root,
            digest,
            skip_top=frozenset({OUTPUT_DIR}),
            hidden=True,
            listings=listings,
            episodes=folders,
            recent=recent,
        )
        listings.save()
        settled = taken - RACY_NS  # a folder with a file changed since is not vouched for
        episodes = {name: kept[0] if kept and kept[1] < settled else None for name, kept in folders.items()}
        return cls(
            inputs=digest.hexdigest(),
            build=build_fingerprint(options),
            newest_ns=newest,
            taken_ns=taken,
            episodes_dir=os.fspath(root / EPISODES_DIR),
            episodes=episodes,
            recent=recent,
        )

    def refreshed(self) -> Snapshot | None:
        """This snapshot taken again now by looking again only at what changed within RACY_NS of
        it (None when it does not know what that was, or a look fails: take it in full).

        Equivalent to a new walk for what the record may trust: every other file and folder
        had its time stamps older than RACY_NS before this snapshot, so any later change to it
        gives it new ones, and the next build's walk sees that. What is looked at again is
        stated as it is now, its time stamps checked against this moment."""
        recent = self.recent
        if recent is None or self.episodes is None:
            return None
        taken = time.time_ns()
        lines = list(recent.lines)
        episodes = dict(self.episodes)
        newest = 0
        for index, path, relative in recent.files:
            try:
                found = os.stat(path)
            except OSError:
                return None
            modified, changed = found.st_mtime_ns, found.st_ctime_ns
            newest = max(newest, modified, changed)
            lines[index] = f"{relative}\0{found.st_size}\0{modified}\0{changed}\0{found.st_ino}"
        settled = taken - RACY_NS
        for index, path, name in recent.folders:
            fingerprint, changed, vouched = _folder_walk(path, f"{EPISODES_PREFIX}{name}/", None)
            newest = max(newest, changed)
            lines[index] = f"{EPISODES_PREFIX}{name}/\0{fingerprint}"
            episodes[name] = fingerprint if vouched and changed < settled else None
        if newest >= settled:
            return None  # changed again meanwhile: still racy
        lines.sort()
        digest = hashlib.blake2b("\n".join(lines).encode(errors="surrogateescape"), digest_size=16)
        # Everything not looked at again is older than this snapshot's racy window, so older
        # than the new one's: newest_ns only has to say the new one is not racy.
        return replace(
            self,
            inputs=digest.hexdigest(),
            newest_ns=max(newest, min(self.newest_ns, recent.since - 1)),
            taken_ns=taken,
            episodes=episodes,
            recent=None,
        )

    @property
    def racy(self) -> bool:
        """A file changed so shortly before the snapshot that a second change within the file
        system's clock tick would leave its time stamps as they are (git's "racily clean")."""
        return self.newest_ns >= self.taken_ns - RACY_NS


class FolderPrint(NamedTuple):
    """An episode folder's part of a snapshot, as a walk of it found it (`SnapshotStart.walk`)."""

    name: str
    fingerprint: str  # as `_folder_walk` gives it
    changed: int  # its newest time stamp (ns)
    vouched: str | None  # the fingerprint, when it can vouch for the folder (`folder_fingerprint`)


class FolderPrints(NamedTuple):
    """The parts of a few episode folders (None for a folder the snapshot does not walk), with the
    listings their walk made (see `_Listings`), encoded as the listings are saved: the process
    that puts the snapshot together only saves them."""

    parts: list[FolderPrint | None]
    listings: str  # members of a JSON object, by folder
    listed: int  # of their folders, those listed anew


class SnapshotStart:
    """A snapshot begun: taken (`taken_ns`) and walked but for the insides of the episode folders
    (`names`), which whoever reads a folder fingerprints first (`walk`, in any process: what it
    gives is sent back to be `add`ed); `completed` is then the snapshot `Snapshot.take` would have
    taken at `taken_ns`.

    A build that reads every folder anyway (a cold one) starts its worker processes on them at
    once, and each walks its folders as it reads them, instead of this process walking them all
    before any worker starts. Each folder is fingerprinted after `taken_ns` and before it is read,
    like the snapshot's walk: a file changed since is read as changed, or seen changed by the
    next build; one changed within RACY_NS of `taken_ns`, or after it, makes the snapshot racy."""

    def __init__(self, root: Path, options: dict) -> None:
        self.root, self.options = root, options
        self.taken_ns = time.time_ns()
        self.episodes_dir = os.fspath(root / EPISODES_DIR)
        self.listings = _Listings.load(root, "inputs")
        walked = _Deferred()
        self.newest = _walk(
            root, None, skip_top=frozenset({OUTPUT_DIR}), hidden=True, listings=self.listings, deferred=walked
        )
        self.lines = walked.lines
        self.names = frozenset(walked.names)  # the folders in episodes/ the walk fingerprints
        self.episodes: dict[str, str | None] = {}  # those fingerprinted: their fingerprint if vouched
        self.snapshot: Snapshot | None = None  # once completed

    def walk(
        self, names: Sequence[str], scanned: Sequence[Iterable[os.DirEntry] | None] | None = None
    ) -> FolderPrints:
        """The parts of the episode folders `names`, from a walk of each now (None for one the
        snapshot's walk would not fingerprint, such as a symbolic link). `scanned`: each one's
        entries, when its reader has just listed it (the walk takes them instead of listing it)."""
        listings = self.listings.apart()
        settled = self.taken_ns - RACY_NS
        parts: list[FolderPrint | None] = []
        for number, name in enumerate(names):
            if name not in self.names:
                parts.append(None)
                continue
            found, changed, vouched = _folder_walk(
                f"{self.episodes_dir}/{name}",
                f"{EPISODES_PREFIX}{name}/",
                listings,
                scanned=scanned[number] if scanned else None,
            )
            parts.append(FolderPrint(name, found, changed, found if vouched and changed < settled else None))
        encoded = json.dumps(listings.now, separators=(",", ":"))[1:-1] if listings.now else ""
        return FolderPrints(parts, encoded, listings.listed)

    def add(self, prints: FolderPrints) -> None:
        """Folders' parts, for the snapshot. Only the first of a folder counts (a folder read again
        was fingerprinted again before; the first is older still, and as good), and none once
        the snapshot is completed (whoever reads a folder after that, it was fingerprinted then)."""
        if self.snapshot is not None:
            return
        parts = [part for part in prints.parts if part is not None]
        encoded = prints.listings
        if any(part.name in self.episodes for part in parts):  # (some added already: rare)
            parts = [part for part in parts if part.name not in self.episodes]
            decoded = json.loads(f"{{{encoded}}}")
            names = {part.name for part in parts}
            kept = {rel: listing for rel, listing in decoded.items() if _folder_of(rel) in names}
            encoded = json.dumps(kept, separators=(",", ":"))[1:-1] if kept else ""
        for part in parts:
            self.lines.append(f"{EPISODES_PREFIX}{part.name}/\0{part.fingerprint}")
            if part.changed > self.newest:
                self.newest = part.changed
            self.episodes[part.name] = part.vouched
        if encoded:
            self.listings.encoded.append(encoded)
        self.listings.listed += prints.listed

    def completed(self) -> Snapshot:
        """The snapshot, with the parts of the folders not yet fingerprinted taken now; the
        listings the walk made are kept for the next (`_Listings.save`). Made once: asked again,
        the same."""
        if self.snapshot is not None:
            return self.snapshot
        # (No cycles among the lines and listings: a pass of the collector over a build's heap is
        # all it would cost.)
        with collector.paused():
            self.add(self.walk(sorted(self.names - self.episodes.keys())))
            self.listings.save()
            lines = self.lines
            lines.sort()
            digest = hashlib.blake2b("\n".join(lines).encode(errors="surrogateescape"), digest_size=16)
            self.snapshot = Snapshot(
                inputs=digest.hexdigest(),
                build=build_fingerprint(self.options),
                newest_ns=self.newest,
                taken_ns=self.taken_ns,
                episodes_dir=self.episodes_dir,
                episodes=self.episodes,
            )
        return self.snapshot


def _folder_of(rel: str) -> str:
    """The episode folder whose listing (its own or a subfolder's) `rel` is ("episodes/<name>/...")."""
    return rel[len(EPISODES_PREFIX) :].partition("/")[0]


_taken: dict[str, Snapshot] = {}  # the last snapshot `unchanged_report` took, for the build after it
_reading: Snapshot | SnapshotStart | None = None  # the snapshot of the show a build is reading


@contextmanager
def reading(snapshot: Snapshot | SnapshotStart | None) -> Iterator[None]:
    """While a build reads the show `snapshot` was taken of, `folder_fingerprint` answers from it;
    or, when it is only begun, `begun` gives it, for the reading to fingerprint the folders."""
    global _reading
    _reading = snapshot
    try:
        yield
    finally:
        _reading = None


def begun() -> SnapshotStart | None:
    """The snapshot begun of the show a build is reading, whose episode folders the reading
    fingerprints (`SnapshotStart`); None when the build has its snapshot whole, or none."""
    return _reading if isinstance(_reading, SnapshotStart) else None


def _write_state(path: Path, data: str | bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, path)
    except OSError:
        pass  # only an optimisation: the next build walks or builds in full


def _snapshot_key(root: Path, options: dict) -> str:
    return json.dumps([str(Path(root).resolve()), options], sort_keys=True, default=str)


def record(
    root: Path,
    before: Snapshot,
    report: dict,
    *,
    due_next: datetime | None,
    stated: Mapping[str, str] | None = None,
) -> None:
    """Remember a successful build: `before` as taken before reading, feeds/ as it is now.

    `due_next` is when the earliest scheduled episode comes due: the build is stale then.
    `stated`: folders of feeds/ as the build's writers left them (see `outputs_fingerprint`).
    """
    if before.racy:
        forget(root)
        return
    # The walk's 20,000 lines and listings hold no cycle; a build's heap is large by now, and
    # the collector would go over it (a full pass and ~90 young ones at 10,000 episodes: ~8 ms).
    with collector.paused():
        outputs = outputs_fingerprint(root, listed=True, after_build=True, stated=stated)
    entry = {
        "version": RECORD_VERSION,
        "inputs": before.inputs,
        "build": before.build,
        "outputs": outputs,
        "due_next": due_next.astimezone(UTC).isoformat() if due_next else None,
        "report": report,
    }
    _write_state(Path(root) / RECORD_FILE, json.dumps(entry))


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
        if entry["outputs"] != outputs_fingerprint(root, listed=True, expected=entry["outputs"]):
            return None
        report = entry["report"]
        return report if isinstance(report, dict) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
