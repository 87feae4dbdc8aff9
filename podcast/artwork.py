"""Apple's artwork rules, in one place for `podcast new`, lint (I102-I105) and the importer.

The figures come from Podcasts Connect ("A Podcaster's Guide to RSS"). Each rule is a
predicate over an opened Pillow image; lint words its findings its own way (with codes),
and `refusal` words them for a producer choosing an image.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image  # (imported where an image is opened: `podcast new` and lint need it rarely)

ARTWORK_MIN_PX, ARTWORK_MAX_PX = 1400, 3000
IMAGE_EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
RGB_MODES = ("RGB", "RGBA", "P", "PA")  # palette images are RGB too


def is_jpeg_or_png(image: Image.Image) -> bool:
    """I102: JPEG or PNG."""
    return image.format in IMAGE_EXTENSIONS


def is_allowed_size(image: Image.Image) -> bool:
    """I103: each side from ARTWORK_MIN_PX to ARTWORK_MAX_PX."""
    return all(ARTWORK_MIN_PX <= side <= ARTWORK_MAX_PX for side in image.size)


def is_square(image: Image.Image) -> bool:
    """I104: as wide as it is high."""
    return image.width == image.height


def is_rgb(image: Image.Image) -> bool:
    """I105: in the RGB colour space (not CMYK or greyscale)."""
    return image.mode in RGB_MODES


def refusal(data: bytes) -> str | None:
    """Why an image would fail Apple's artwork rules (lint's I101-I105), or None when it passes."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                return _first_fault(image)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return "it is not an image that can be read"


def _first_fault(image: Image.Image) -> str | None:
    (width, height) = image.size
    if not is_jpeg_or_png(image):
        return f"it is {image.format}, not JPEG or PNG"
    if not is_square(image):
        return f"it is {width} × {height} px, not square"
    if not is_allowed_size(image):
        return f"it is {width} × {height} px, not {ARTWORK_MIN_PX}–{ARTWORK_MAX_PX}"
    if not is_rgb(image):
        return f"its colour mode is {image.mode}, not RGB"
    return None
