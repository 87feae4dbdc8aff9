"""Small pieces the per-format modules share."""

from __future__ import annotations

import mmap

# What the byte-level readers walk: the file mapped into memory, or bytes in tests and tools.
Buffer = bytes | mmap.mmap

# Bytes a header's count may exceed what the file holds by before we call the file cut short
# (padding, a tool counting its tags in, a last partial frame).
TRUNCATED_SLACK = 4096


def tag_number(value: str | None) -> int | None:
    """A track or disc number as tags store it: '7' or '7/12' → 7; None when there is none."""
    head = (value or "").split("/", 1)[0].strip()
    return int(head) if head.isdigit() and int(head) > 0 else None
