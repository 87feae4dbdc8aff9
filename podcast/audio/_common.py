"""Small pieces the per-format modules share."""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import AudioError

# What the byte-level readers walk: the file mapped into memory, or bytes in tests and tools.
Buffer = bytes | mmap.mmap

# Bytes a header's count may exceed what the file holds by before we call the file cut short
# (padding, a tool counting its tags in, a last partial frame).
TRUNCATED_SLACK = 4096


def tag_number(value: str | None) -> int | None:
    """A track or disc number as tags store it: '7' or '7/12' → 7; None when there is none."""
    head = (value or "").split("/", 1)[0].strip()
    return int(head) if head.isdigit() and int(head) > 0 else None


def fail(path: Path, reason: str, todo: str) -> AudioError:
    """The error for a file we cannot read or use: the file, the reason, and what to do."""
    return AudioError(f"{path}: {reason}; {todo}", path=str(path), reason=f"{reason}; {todo}")


@contextmanager
def mapped(path: Path) -> Iterator[mmap.mmap]:
    """The file mapped into memory, read-only."""
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        yield data
