"""Embedded images (cover art, chapter images): what they are and how big, read with Pillow."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from typing import Protocol

from ..model import Picture

COVER_FRONT = 3  # the picture type ID3's APIC and FLAC's picture block share for the front cover


class Embedded(Protocol):
    """An embedded picture as mutagen reads it: ID3's APIC frame or FLAC's picture block."""

    type: int
    mime: str
    data: bytes


def cover(candidates: Iterable[Embedded]) -> Picture | None:
    """The front cover among a file's pictures, else the first picture; None when none has data."""
    pictures = [p for p in candidates if p.data]
    if not pictures:
        return None
    chosen = next((p for p in pictures if p.type == COVER_FRONT), pictures[0])
    return picture(chosen.data, chosen.mime)


def picture(data: bytes, declared_mime: str | None = None) -> Picture:
    """A `Picture` for image bytes; the MIME type comes from the bytes when Pillow knows them."""
    from PIL import Image  # (~10 ms to import: only for a file with a picture)

    width = height = None
    mime = (declared_mime or "").lower() or "image/jpeg"
    if mime == "image/jpg":
        mime = "image/jpeg"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decompression-bomb warnings: we only read the header
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                mime = Image.MIME.get(image.format or "", mime)
    except (OSError, ValueError, Image.DecompressionBombError):
        pass  # not an image Pillow reads: keep what the tag declares, without a size
    return Picture(mime=mime, width=width, height=height, data=data)
