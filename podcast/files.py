"""Files at the edges: atomic writes (a reader sees the old file or the new one, never
half) and confinement (nothing outside the show directory is read or published)."""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import PodcastError, Problem


class OutsideShow(PodcastError, ValueError):
    """A path leads outside the directory it must stay in (by `..`, an absolute path or a symlink)."""


def confined(root: Path, path: Path, what: str) -> Path:
    """`path` resolved (symlinks followed), if it lies inside `root`; else `OutsideShow`.

    `what` names the path for the message, e.g. "artwork" or "episodes/a/chapters.json".
    A relative `path` is taken relative to `root`.
    """
    base = os.path.realpath(root)
    given = os.fspath(path)
    target = resolved_below(base, given if os.path.isabs(given) else os.path.join(base, given))
    if not _is_below(base, target):
        raise OutsideShow(
            f"{what}: {path} leads outside {base} (to {target}); "
            "keep the file inside the show directory, not behind a symlink or '..'",
            path=str(path),
            field=what,
        )
    return Path(target)


def resolved_below(base: str, path: str) -> str:
    """`os.path.realpath(path)`, for a `base` already resolved: when `path` runs straight down
    from it (no '.' or '..') through no symbolic link, it is its own answer, found with one
    lstat per part below `base` instead of resolving every part from the file system's root
    (a build of ten thousand episodes asks this some 100,000 times)."""
    prefix = base.rstrip(os.sep) + os.sep
    if path.startswith(prefix):
        parts = path[len(prefix) :].split(os.sep)
        if all(part not in ("", ".", "..") for part in parts):
            current = prefix
            try:
                for part in parts:
                    current += part
                    if stat.S_ISLNK(os.lstat(current).st_mode):
                        break
                    current += os.sep
                else:
                    return path
            except OSError:
                pass  # not there (yet): realpath says what it would be
    return os.path.realpath(path)


# What Path.is_file and Path.exists take to mean "not there" rather than an error.
NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def file_kind(path: Path | str) -> int | None:
    """stat.S_IFDIR, S_IFREG or another S_IFMT of `path` (links followed); None when it is not
    there, as Path.is_file() and is_dir() take it. One stat for what they find with two."""
    return _kind(os.stat, path)


def link_kind(path: Path | str) -> int | None:
    """`file_kind` of the name itself, links not followed (stat.S_IFLNK for a link); None when
    there is nothing of that name."""
    return _kind(os.lstat, path)


def _kind(stat_call: Callable[[Path | str], os.stat_result], path: Path | str) -> int | None:
    try:
        return stat.S_IFMT(stat_call(path).st_mode)
    except OSError as exc:
        if exc.errno not in NOT_THERE:
            raise
        return None
    except ValueError:  # a name with a NUL character
        return None


class FolderListing:
    """A folder of the show, listed once, that answers `confined`, `outside` and `file_kind` for
    the files in it, each exactly as those functions would.

    An episode folder is asked about half a dozen of its files (episode.md, the audio, its
    image, transcripts): resolving each from the file system's root costs more than reading
    the episode. When the folder is reached from the show's real path through no link, one
    scandir says of each of its entries whether it is a link, a file or a folder: an entry
    that is no link is inside. A link, a name the listing does not hold as it is written, and
    one that is no plain name ('..', 'a/b') are resolved as before.
    """

    def __init__(self, root: Path, folder: Path, *, real_root: str | None = None) -> None:
        """`real_root`: `os.path.realpath(root)`, when the caller found it already (once for
        all the folders of a build, rather than once a folder)."""
        self.root, self.folder = root, folder
        self.base = real_root if real_root is not None else os.path.realpath(root)
        given = os.fspath(folder)
        self._path = given if os.path.isabs(given) else os.path.join(self.base, given)
        self.real = resolved_below(self.base, self._path)
        self.outside = not _is_below(self.base, self.real)
        # Reached through no link, and named as confined() names it: the listing may answer.
        self._straight = not self.outside and self.real == self._path and os.path.isabs(given)
        self._entries: dict[str, os.DirEntry] | None = None

    def _entry(self, name: str) -> os.DirEntry | None:
        """The folder's entry named exactly `name`, when the listing may answer for it. None
        when it may not: a name not listed is resolved too (on a file system that ignores
        case, "Episode.MP3" opens episode.mp3, which the listing does not say)."""
        if name in ("", ".", "..") or os.sep in name or "\0" in name:
            return None
        entries = self._listed()
        return None if entries is None else entries.get(name)

    def _listed(self) -> dict[str, os.DirEntry] | None:
        """The folder's entries by name (listed on first use), when the listing may answer."""
        if not self._straight:
            return None
        if self._entries is None:
            try:
                with os.scandir(self._path) as entries:
                    self._entries = {entry.name: entry for entry in entries}
            except OSError:
                self._straight = False
                return None
        return self._entries

    def entries(self) -> dict[str, os.DirEntry] | None:
        """The folder's entries by name, from the one scandir, when the listing may answer for
        the folder (it is reached through no link); None when it may not."""
        return self._listed()

    def may_hold(self, name: str) -> bool:
        """False only when the folder surely has no entry `name` (what `link_kind(folder / name)`
        would find is None): none by that name, nor one a file system that ignores case could
        take for it. True when the listing cannot tell."""
        entries = self._listed()
        if entries is None or name in entries or not name.isascii():
            return True
        if name in ("", ".", "..") or os.sep in name or "\0" in name:
            return True
        lowered = name.lower()
        for other in entries:
            if not other.isascii() or other.lower() == lowered:
                return True
        return False

    def _plain(self, name: str) -> bool:
        """Whether `name` is an entry of the folder that is no link: confined, as it is."""
        entry = self._entry(name)
        return entry is not None and not entry.is_symlink()

    def confined(self, name: str, what: str) -> Path:
        """`confined(root, folder / name, what)`."""
        if self._plain(name):
            return Path(self._path, name)
        return confined(self.root, Path(self.folder, name), what)

    def require_inside(self, name: str, what: str) -> None:
        """`confined(root, folder / name, what)`, for its OutsideShow alone."""
        if not self._plain(name):
            confined(self.root, Path(self.folder, name), what)

    def read_bounded(self, name: str, max_bytes: int, what: str) -> bytes:
        """`confined(root, folder / name, what)`, then `read_bounded(folder / name, max_bytes,
        what)`. A name the listing holds as no link is read without following one: a link put
        in its place since the listing (by whoever else writes to a shared show) is refused,
        not followed outside the show."""
        if self._plain(name):  # (a plain name: its path as text is the Path's)
            return _read_bounded(f"{self.folder}{os.sep}{name}", max_bytes, what, follow_links=False)
        path = Path(self.folder, name)
        confined(self.root, path, what)
        return read_bounded(path, max_bytes, what)

    def is_outside(self, name: str) -> bool:
        """`outside(root, folder / name)`."""
        if self._plain(name):
            return False
        return outside(self.root, Path(self.folder, name))

    def kind(self, name: str) -> int | None:
        """`file_kind(folder / name)`."""
        entry = self._entry(name)
        if entry is not None and not entry.is_symlink():
            if entry.is_file(follow_symlinks=False):
                return stat.S_IFREG
            if entry.is_dir(follow_symlinks=False):
                return stat.S_IFDIR
        return file_kind(Path(self.folder, name))

    def is_file(self, name: str) -> bool:
        """`(folder / name).is_file()`."""
        return self.kind(name) == stat.S_IFREG


def _is_below(base: str, target: str) -> bool:
    return target == base or target.startswith(base.rstrip(os.sep) + os.sep)


def write_atomic(path: Path, data: bytes | Sequence[bytes], *, durable: bool = True) -> bool:
    """Write `data` (bytes, or the parts of them in order) to `path` via a temp file and rename.
    False if already identical.

    `durable=False` skips the fsync: the rename is still atomic for any reader and for a
    killed process, only not across a power cut (for many small files written in one go).
    """
    path = path if isinstance(path, Path) else Path(path)
    parts = (data,) if isinstance(data, bytes | bytearray) else tuple(data)
    staged = _stage(path, parts, durable)
    if staged is None:
        return False
    _put_in_place(staged, path)
    return True


def _stage(path: Path, parts: Sequence[bytes], durable: bool) -> str | None:
    """The temp file beside `path` that holds `parts` (synced to disk when `durable`), to be
    renamed over it; None when `path` holds them already. Nothing is left behind on failure."""
    if holds(path, parts):
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # (~3 ms to import, with shutil: a build with nothing to write needs neither)

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            write_parts(fd, parts)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _put_in_place(tmp: str, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StagedWrite:
    """`write_atomic(path, data)` begun now, in a thread of its own, and finished by `commit`:
    the bytes are compared with the file there, written to a temp file and synced to disk while
    the caller goes on (the build writes its pages and sidecars meanwhile; a feed of 10,000
    episodes is 50 MB to write and sync), and put in place, or not, when the caller says.

    `commit` renames the temp file over `path` (False, as write_atomic says, when the file held
    the bytes already) and raises what staging met; `discard` leaves `path` as it was. Either
    way no temp file is left. The parts must not change until then."""

    def __init__(self, path: Path, data: Sequence[bytes], *, durable: bool = True) -> None:
        self.path = path if isinstance(path, Path) else Path(path)
        self._parts = tuple(data)
        self._durable = durable
        self._staged: str | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"write {self.path.name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._staged = _stage(self.path, self._parts, self._durable)
        except BaseException as exc:  # raised by `commit`, in the caller's thread
            self._error = exc

    def commit(self) -> bool:
        """Put the bytes in place; False when the file held them already."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        staged, self._staged = self._staged, None
        if staged is None:
            return False
        _put_in_place(staged, self.path)
        return True

    def discard(self) -> None:
        """Leave the file as it was (a build stopped before writing its feed)."""
        self._thread.join()
        self._error = None
        staged, self._staged = self._staged, None
        if staged is not None:
            Path(staged).unlink(missing_ok=True)


# Parts `write_parts` hands the system in one call (Linux takes 1,024).
try:
    PARTS_PER_CALL = max(16, min(os.sysconf("SC_IOV_MAX"), 1024))
except (AttributeError, ValueError, OSError):
    PARTS_PER_CALL = 16


def write_parts(fd: int, parts: Sequence[bytes]) -> None:
    """Write `parts`, in order, to the file open at `fd`: with os.writev, a thousand parts a
    system call (a feed's 10,000 items went through a buffered file in two calls each, and
    were copied into its buffer). A short write goes on where it stopped."""
    if not hasattr(os, "writev"):  # (not on Windows)
        for part in parts:
            _write_rest(fd, memoryview(part))
        return
    start, count = 0, len(parts)
    while start < count:
        batch = parts[start : start + PARTS_PER_CALL]
        done = os.writev(fd, batch)
        if done == sum(map(len, batch)):  # (all of it, as a file takes it but for a full disk)
            start += len(batch)
            continue
        for part in batch:
            if done < len(part):
                _write_rest(fd, memoryview(part)[done:])  # its rest, then the next batch
                start += 1
                break
            done -= len(part)
            start += 1


def _write_rest(fd: int, rest: memoryview) -> None:
    while rest:
        done = os.write(fd, rest)
        if not done:  # (a file takes some of any write, or says why not)
            raise OSError(errno.EIO, "the file took none of what was written to it")
        rest = rest[done:]


def holds(path: Path | str, parts: Sequence[bytes]) -> bool:
    """Whether the file at `path` holds exactly `parts`, read a part at a time (a feed of 10,000
    episodes is 50 MB: it is not read whole beside the one about to be written). Only a regular
    file counts, never read through a link, nor waited on when a FIFO was swapped in."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        facts = os.fstat(handle)
        if not stat.S_ISREG(facts.st_mode) or facts.st_size != sum(len(part) for part in parts):
            return False
        with open(handle, "rb", closefd=False) as stream:
            return all(stream.read(len(part)) == part for part in parts)
    except OSError:
        return False
    finally:
        os.close(handle)


def copy_atomic(source: Path, target: Path) -> bool:
    """Copy `source` to `target` atomically. False if `target` already matches.

    Sidecars (artwork, transcripts, chapter images) are small, so reading them whole is fine.
    """
    return write_atomic(target, Path(source).read_bytes())


def outside(root: Path, path: Path) -> bool:
    """Whether `path` leads out of `root` once symlinks are resolved (see `confined`)."""
    try:
        confined(root, path, str(path))
    except OutsideShow:
        return True
    return False


def unlinked_target(base: Path, target: Path, what: str) -> Path:
    """`target`, when neither `base` nor any folder between it and `target` (nor `target`) is a symlink.

    Output is written only into real folders: a feeds/ that is a link (or holds one) would
    make a build write, replace or delete files wherever the link points.
    """
    base = base if isinstance(base, Path) else Path(base)
    target = target if isinstance(target, Path) else Path(target)
    relative = target.relative_to(base)
    current = os.fspath(base)  # strings, not Paths: every page and sidecar written asks
    for part in ("", *relative.parts):
        if part:  # (as Path joins: "." / "feeds" is "feeds")
            current = part if current == "." else os.path.join(current, part)
        if _is_link(current):
            raise OutsideShow(
                f"{what}: {current} is a symbolic link (to {os.readlink(current)}); "
                "podcast writes only into real folders inside the show",
                path=str(current),
                field=what,
            )
    return target


def _is_link(path: str) -> bool:
    """Path(path).is_symlink(): not there is no link; other errors are raised."""
    return link_kind(path) == stat.S_IFLNK


class TooLarge(PodcastError, ValueError):
    """A file larger than anything of its kind should be: read no further."""


def read_bounded(path: Path | str, max_bytes: int, what: str, *, follow_links: bool = True) -> bytes:
    """The bytes of a regular file no larger than `max_bytes`, checked before reading.

    A symlink to /dev/zero or a FIFO is not a regular file and is refused, and a
    file that grows while it is read is cut at max_bytes + 1 and refused. With
    `follow_links=False` a symlink itself is refused (the caller found a file there).
    """
    if not isinstance(path, Path):
        path = Path(path)  # (as messages, and OSError's filename, name it)
    return _read_bounded(path, max_bytes, what, follow_links=follow_links)


def _read_bounded(path: Path | str, max_bytes: int, what: str, *, follow_links: bool) -> bytes:
    """`read_bounded`, for a path given as text too (its messages name it as a Path would; only
    an OSError names it as given)."""
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK
    if follow_links:
        # Asked before it is opened, so that no device a link leads to is ever opened.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise _not_regular(path, what)
    else:
        flags |= os.O_NOFOLLOW  # the caller saw a plain file here: a link since is refused
    # Opened without waiting (a FIFO linked in after the stat would block the open until a
    # writer came), and asked again what it is: the name may lead elsewhere by now.
    try:
        handle = os.open(path, flags)
    except OSError as exc:
        if exc.errno != errno.ELOOP or follow_links:
            raise
        raise _not_regular(path, what) from None
    try:
        facts = os.fstat(handle)
        if not stat.S_ISREG(facts.st_mode):
            raise _not_regular(path, what)
        if facts.st_size > max_bytes:
            shown = Path(path)
            raise TooLarge(
                f"{what}: {shown} is {facts.st_size:,} bytes; at most {max_bytes:,} are read for such a file",
                path=str(shown),
                field=what,
            )
        # Ask for the size the stat gave (reading max_bytes + 1 would allocate that much for
        # every small file); only a file that grew since is read on, up to the cap. (os.read,
        # not open(): a buffered file object costs as much again as the read, for every
        # episode.md.)
        data = _read_up_to(handle, facts.st_size + 1)
        if len(data) > facts.st_size:
            data += _read_up_to(handle, max_bytes + 1 - len(data))
    finally:
        os.close(handle)
    if len(data) > max_bytes:
        shown = Path(path)
        raise TooLarge(f"{what}: {shown} is larger than {max_bytes:,} bytes", path=str(shown), field=what)
    return data


def _not_regular(path: Path | str, what: str) -> TooLarge:
    shown = Path(path)
    return TooLarge(f"{what}: {shown} is not a regular file", path=str(shown), field=what)


def _read_up_to(handle: int, count: int) -> bytes:
    """Up to `count` bytes from the file descriptor, fewer only at the end of the file."""
    parts = []
    while count > 0 and (part := os.read(handle, count)):
        parts.append(part)
        count -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


STATE_MAX_BYTES = 256_000_000  # a record in .podcast/ of a 10,000-episode show is a few MB


def read_state(path: Path) -> str:
    """A record the build keeps in .podcast/, read as text, bounded like any file of the show:
    one that came with a copied show may be a link to /dev/zero or a gigabyte. Raises OSError,
    ValueError or PodcastError; every caller then treats the record as missing."""
    return read_bounded(path, STATE_MAX_BYTES, str(path)).decode("utf-8")


def write_problem(exc: OSError, root: Path | None = None) -> Problem:
    """What a failed write or mkdir means to the producer: which file or folder, and what to do.

    A file where a folder is needed (a file named `feeds`, or `episodes`) is named as such.
    Paths are shown relative to `root` when they are inside it.
    """
    where = Path(exc.filename) if exc.filename else None
    # mkdir of a folder that is a file fails with EEXIST; anything below a file, with ENOTDIR.
    candidates = ([where] if exc.errno == errno.EEXIST else []) + list(where.parents if where else ())
    in_the_way = next((p for p in candidates if p.exists() and not p.is_dir()), None)

    def shown(path: Path | None) -> str:
        if path is None:
            return str(root or ".")
        return str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)

    if in_the_way is not None:
        return Problem(
            shown(in_the_way),
            "is a file where a folder is needed",
            hint="move or rename the file, then run the command again",
        )
    return Problem(
        shown(where),
        f"cannot be written: {exc.strerror or exc}",
        hint="check that the folder can be written (permissions, free space)",
    )
