"""Opening an audio file with mutagen's reader for its container, or saying plainly why not.

Reading goes through `ClampedReads`, so a damaged header never makes us allocate more
than the file holds. A file the reader its name and first bytes point to cannot read
is tried with the reader its contents alone point to (raw AAC named .mp3), so the
message can name the real format.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import mutagen

from ..errors import AudioError
from ._common import fail
from .containers import AAC_FILE, Container, ranked
from .formats import format_for_suffix


class ClampedReads(io.RawIOBase):
    """A file, read-only, whose reads never ask for more than it still holds.

    mutagen reads as many bytes as a header says (an ID3 tag "of 64 MB", an atom "of
    4 GB"), and Python allocates the whole request before the read comes up short. Read
    through this, a damaged header costs at most the file's own size.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._file = open(path, "rb")  # noqa: SIM115 - closed with this object
        self._size = os.fstat(self._file.fileno()).st_size
        self.name = str(path)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        remaining = max(self._size - self._file.tell(), 0)
        if size is None or size < 0 or size > remaining:
            size = remaining
        return self._file.read(size)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
        super().close()


def _load(container: Container, path: Path, *, for_writing: bool = False) -> mutagen.FileType:
    """The file read by the container's mutagen reader (which must hold it by name to write)."""
    if for_writing:
        return container.reader(path)
    with ClampedReads(path) as handle:
        return container.reader(handle)


def _by_contents(path: Path, header: bytes) -> tuple[Container, mutagen.FileType] | None:
    """The file read by the reader its first bytes point to, ignoring its name; None if none can."""
    try:
        if header[:1] == b"\xff" and header[1] & 0xF6 == 0xF0:  # an ADTS sync word (mutagen asks the name)
            return AAC_FILE, _load(AAC_FILE, path)
        for container in ranked(path, header, by_name=False)[:1]:
            return container, _load(container, path)
    except Exception:  # noqa: BLE001 - a damaged file may break any reader in any way
        pass
    return None


def open_audio(path: Path, *, for_writing: bool = False) -> tuple[int, Container, mutagen.FileType]:
    """(size, container, mutagen's reading) of an audio file; AudioError naming the file if none reads it."""
    if path.is_dir():
        raise fail(path, "is a folder, not an audio file", "name the audio file inside it")
    try:
        facts = path.stat()
    except FileNotFoundError:
        raise fail(path, "not found", "check the file name") from None
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror})", "check the file's permissions") from None
    if not stat.S_ISREG(facts.st_mode):  # a FIFO would make the open below wait for a writer
        raise fail(path, "is not a regular file (a pipe, socket or device)", "name the audio file itself")
    size = facts.st_size
    if size == 0:
        raise fail(path, "is empty (0 bytes)", "export or upload the audio again")
    try:
        with open(path, "rb") as handle:
            header = handle.read(128)
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror})", "check it is a file you may read") from None
    found = ranked(path, header)
    audio = None
    if found:
        try:
            audio = _load(found[0], path, for_writing=for_writing)
        except Exception:  # noqa: BLE001 - mutagen meets damaged files with IndexError, ValueError, …
            # The suffix may have steered us to the wrong reader (raw AAC named .mp3): try the
            # one the contents alone point to, so the message can name the real format.
            actual = _by_contents(path, header)
            if actual is not None:
                return size, *actual
            if header[4:8] == b"ftyp":
                raise fail(
                    path,
                    "is an MP4 file without its index (no moov box): it looks cut short",
                    "upload or export it again",
                ) from None
            raise _unreadable(path) from None
    if audio is None or audio.info is None:
        raise _unreadable(path)
    return size, found[0], audio


def _unreadable(path: Path) -> AudioError:
    """A file no reader accepts, in plain words (mutagen's reasons speak of its internals)."""
    named = format_for_suffix(path)
    if named is None:
        return fail(path, "is not an audio file we recognise", "export it as MP3 or M4A")
    return fail(
        path,
        f"is not a valid {named.label} file (damaged, cut short, or not audio)",
        "export or upload it again, e.g. as MP3 or M4A",
    )
