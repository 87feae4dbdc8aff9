"""A directory as the destination: a web server's document root, a mounted volume.

Each file is copied to a temporary name beside its target and renamed over it, so
the web server serves the old file or the new one, never half of one. The web
server, not podcast, decides the headers: see the README for its settings.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..errors import PublishError
from ..layout import EPISODES_DIR, FEEDS_DIR
from .destination import Destination, Progress, Stored

CHUNK = 1 << 20
TEMP_PREFIX = ".podcast-"  # our unfinished copies; an interrupted run leaves them, the next removes them
TEMP_SUFFIX = ".part"


def path_of_file_url(url: str) -> Path:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise PublishError(f"{url}: a file:// address names a folder on this machine: file:///path", url=url)
    return Path(unquote(parts.path))


class DirectoryDestination(Destination):
    def __init__(self, url: str, path: Path, show_root: Path) -> None:
        self.url = url
        self.root = Path(path).resolve()
        self.leftovers: list[Path] = []  # temporary files of an interrupted publish, found by list()
        show = Path(show_root).resolve()
        inside = any(self.root.is_relative_to(show / part) for part in (FEEDS_DIR, EPISODES_DIR))
        if self.root == show or inside:
            raise PublishError(
                f"{url}: is the show directory or inside it where podcast reads and writes "
                "(feeds/, episodes/); publish to a folder of its own",
                url=url,
            )
        if show.is_relative_to(self.root):
            # The web server would serve the show's sources too: podcast.toml, and the audio of
            # episodes not yet due.
            raise PublishError(
                f"{url}: holds the show directory ({show}), whose sources the web server would then "
                "serve; publish to a folder of its own",
                url=url,
            )
        if self.root.exists() and not self.root.is_dir():
            raise PublishError(
                f"{url}: is a file, not a folder; name the folder the web server serves", url=url
            )
        if not self.root.parent.is_dir():
            missing = "is not a folder" if self.root.parent.exists() else "does not exist"
            raise PublishError(
                f"{url}: {self.root.parent} {missing}; create the folder, or fix the destination", url=url
            )

    def _refused(self, what: str, exc: OSError) -> PublishError:
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            advice = "check that this account may write there"
        elif exc.errno in (errno.ENOTDIR, errno.EISDIR, errno.EEXIST):
            advice = "a file or folder of that name is in the way at the destination; move it"
        elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
            advice = "the destination is full; make room, then run podcast publish again"
        else:
            advice = "fix that, then run podcast publish again"
        return PublishError(f"{self.url}: cannot {what} ({reason}); {advice}", url=self.url)

    def _target(self, key: str) -> Path:
        # Keys come from our own plan; this is a last guard against one that climbs out. Links
        # inside the destination are the server's own layout (media/ on a larger disk, say)
        # and are followed.
        parts = PurePosixPath(key).parts
        if not parts or key.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise PublishError(f"{self.url}: {key} would be written outside the destination", url=self.url)
        return self.root.joinpath(*parts)

    def list(self) -> dict[str, Stored]:
        found: dict[str, Stored] = {}
        self.leftovers: list[Path] = []
        if not self.root.is_dir():
            return found
        seen: set[Path] = set()
        for folder, folders, names in os.walk(self.root, followlinks=True):
            real = Path(folder).resolve()
            if real in seen:  # a link back to a folder already listed: do not go round again
                folders[:] = []
                continue
            seen.add(real)
            for name in names:
                path = Path(folder) / name
                if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
                    self.leftovers.append(path)  # left by an interrupted publish
                    continue
                try:
                    size = path.stat().st_size
                except OSError:
                    continue
                found[path.relative_to(self.root).as_posix()] = Stored(size)
        return found

    def tidy(self) -> None:
        for path in self.leftovers:
            path.unlink(missing_ok=True)

    def read(self, key: str, max_bytes: int) -> bytes | None:
        path = self._target(key)
        try:
            if path.stat().st_size > max_bytes:
                raise PublishError(f"{self.url}: {key} is larger than {max_bytes:,} bytes", url=self.url)
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._refused(f"read {key}", exc) from None

    def _replace(self, key: str, write) -> None:
        target = self._target(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
        except OSError as exc:
            raise self._refused(f"write {key}", exc) from None
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o644)  # mkstemp makes it private; the web server must read it
            os.replace(temp, target)
        except OSError as exc:
            Path(temp).unlink(missing_ok=True)
            raise self._refused(f"write {key}", exc) from None
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def put(
        self,
        key: str,
        source: Path,
        *,
        content_type: str,
        cache_control: str,
        progress: Progress | None = None,
    ) -> Stored:
        def copy(out) -> None:
            with open(source, "rb") as data:
                while chunk := data.read(CHUNK):
                    out.write(chunk)
                    if progress:
                        progress(len(chunk))

        self._replace(key, copy)
        return Stored(Path(source).stat().st_size)

    def put_bytes(self, key: str, data: bytes, *, content_type: str, cache_control: str) -> None:
        self._replace(key, lambda out: out.write(data))

    def delete(self, key: str) -> None:
        target = self._target(key)
        try:
            target.unlink(missing_ok=True)
        except OSError as exc:
            raise self._refused(f"delete {key}", exc) from None
        # Empty media/<slug>/ folders go too, up to (not including) the destination itself.
        folder = target.parent
        while folder != self.root and folder.is_relative_to(self.root):
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
