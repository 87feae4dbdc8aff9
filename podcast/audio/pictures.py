"""Embedded images (cover art, chapter images): what they are and how big, read with Pillow."""

from __future__ import annotations

import io
import warnings

from PIL import Image

from ..model import Picture


def picture(data: bytes, declared_mime: str | None = None) -> Picture:
    """A `Picture` for image bytes; the MIME type comes from the bytes when Pillow knows them."""
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
