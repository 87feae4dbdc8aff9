"""I1xx: the show's and episodes' artwork, read once (a local file or a download) and judged by Pillow."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath

from lxml import etree

from ..artwork import (
    ARTWORK_MAX_PX,
    ARTWORK_MIN_PX,
    IMAGE_EXTENSIONS,
    is_allowed_size,
    is_jpeg_or_png,
    is_rgb,
    is_square,
)
from ..weburl import url_path
from .feeddoc import Finding, artwork_urls
from .registry import Artwork, Subject, rule
from .resources import Fetched, Resources


def _artworks(subject: Subject) -> Iterator[Artwork]:
    for url, element in artwork_urls(subject.feed).items():
        artwork = read_artwork(subject.resources, url, element)
        if artwork is not None:
            yield artwork


def read_artwork(resources: Resources, url: str, element: etree._Element) -> Artwork | None:
    """The image at `url` (named by `element`), read and opened; None when there is nothing to
    look at (offline)."""
    data = resources.read(url)
    if data is None:
        return None
    if isinstance(data, Fetched):
        return Artwork(element, url, None, data.error)
    from PIL import Image, UnidentifiedImageError  # (~10 ms to import: only when there is artwork)

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        # Pillow's own message names its internal file object; it tells a producer nothing.
        return Artwork(element, url, None, "not an image file Pillow can read")
    return Artwork(element, url, image, None)


def _artwork_rule(subject: Subject, check: Callable[[Artwork], str | None]) -> Iterator[Finding]:
    if subject.artworks is None:
        subject.artworks = list(_artworks(subject))
    for artwork in subject.artworks:
        message = check(artwork)
        if message:
            yield Finding(subject.feed.where(artwork.element, "itunes:image"), f"{artwork.url}: {message}")


@rule(
    "I101",
    "error",
    "the artwork (`itunes:image`) can be read as an image",
    "make sure the file is there and is a JPEG or PNG",
    reads=("itunes:image",),
)
def artwork_readable(subject: Subject) -> Iterator[Finding]:
    yield from _artwork_rule(subject, lambda art: art.error)


@rule(
    "I102",
    "error",
    "the artwork is JPEG or PNG",
    "save it as JPEG or PNG",
    reads=("itunes:image",),
)
def artwork_format(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        if art.image is not None and not is_jpeg_or_png(art.image):
            return f"is {art.image.format}"
        return None

    yield from _artwork_rule(subject, check)


@rule(
    "I103",
    "error",
    f"the artwork is {ARTWORK_MIN_PX} to {ARTWORK_MAX_PX} pixels on each side",
    f"export it at {ARTWORK_MIN_PX}–{ARTWORK_MAX_PX} px, e.g. 3000 × 3000",
    reads=("itunes:image",),
)
def artwork_size(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        if art.image is None:
            return None
        if not is_allowed_size(art.image):
            return f"is {art.image.width} × {art.image.height} px"
        return None

    yield from _artwork_rule(subject, check)


@rule(
    "I104",
    "error",
    "the artwork is square",
    "crop it to a square",
    reads=("itunes:image",),
)
def artwork_square(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        if art.image is not None and not is_square(art.image):
            return f"is {art.image.width} × {art.image.height} px, not square"
        return None

    yield from _artwork_rule(subject, check)


@rule(
    "I105",
    "error",
    "the artwork is in the RGB colour space (not CMYK or greyscale)",
    "convert it to RGB (sRGB) before export",
    reads=("itunes:image",),
)
def artwork_colour(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        if art.image is not None and not is_rgb(art.image):
            return f"colour mode is {art.image.mode}"
        return None

    yield from _artwork_rule(subject, check)


@rule(
    "I106",
    "warning",
    "the artwork has no transparency",
    "flatten it onto a background; apps draw transparent parts in their own colours",
    reads=("itunes:image",),
)
def artwork_opaque(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        image = art.image
        if image is not None and (image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info):
            return "has transparency"
        return None

    yield from _artwork_rule(subject, check)


@rule(
    "I107",
    "error",
    "the artwork's file extension matches its content (.jpg for JPEG, .png for PNG)",
    "rename the file to match what it is; Apple checks that the two agree",
    reads=("itunes:image",),
)
def artwork_extension(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        if art.image is None or art.image.format not in IMAGE_EXTENSIONS:
            return None
        path = url_path(art.url)
        if path is None:
            return None  # not an address at all (U103)
        suffix = PurePosixPath(path).suffix.lower()
        if suffix not in IMAGE_EXTENSIONS[art.image.format]:
            return f'is {art.image.format} but ends in "{suffix or "(nothing)"}"'
        return None

    yield from _artwork_rule(subject, check)
