"""Where a show is published: one small interface, one class per kind (picked by URL scheme
in destinations.py).

Like requests' adapters, a destination only moves bytes: `list` what is there,
`read` a small file, `put` one file (so that a reader sees the old file or the new
one, never half of it), `delete`, `close`. Keys are relative paths with `/`, as the
feed's URLs name them under `base_url`: `feed.xml`, `chapters/ep1.json`,
`media/ep1/ep1.mp3`. What goes where and in which order is the plan's business.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Progress = Callable[[int], None]  # called with the number of bytes just sent


@dataclass(frozen=True)
class Stored:
    """A file as the destination lists it."""

    size: int
    etag: str | None = None  # the store's checksum, when it keeps one (S3: MD5 for a plain upload)


class Destination(ABC):
    """One place a show is published to. Use as a context manager."""

    url: str  # as the user named it, for messages

    @abstractmethod
    def list(self) -> dict[str, Stored]:
        """Every file under the destination, by key."""

    @abstractmethod
    def read(self, key: str, max_bytes: int) -> bytes | None:
        """A small file's bytes, or None when there is none."""

    @abstractmethod
    def put(
        self,
        key: str,
        source: Path,
        *,
        content_type: str,
        cache_control: str,
        progress: Progress | None = None,
    ) -> Stored:
        """Publish `source` as `key`, replacing any file there in one step."""

    @abstractmethod
    def put_bytes(self, key: str, data: bytes, *, content_type: str, cache_control: str) -> None:
        """Publish `data` as `key`, replacing any file there in one step."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove `key`; no error when it is already gone."""

    def tidy(self) -> None:  # noqa: B027 - only some destinations leave debris
        """Remove what an interrupted publish left half done (temporary files, open uploads)."""

    def close(self) -> None:  # noqa: B027 - most destinations hold nothing to release
        """Release connections."""

    def __enter__(self) -> Destination:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
