"""MP4 (M4A, M4B, MP4/M4V video): iTunes atoms, Nero chapters, cover art, and truncation."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from mutagen.mp4 import MP4, MP4Cover, MP4Tags

from ..model import Chapter, Picture, Tags
from .pictures import picture


@dataclass(frozen=True)
class Box:
    name: bytes
    offset: int
    length: int  # as declared; may run past the end of a truncated file


def top_level_boxes(data) -> list[Box]:
    """The file's top-level boxes, read from their 8- or 16-byte headers."""
    boxes, pos, end = [], 0, len(data)
    while pos + 8 <= end:
        size, name = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1 and pos + 16 <= end:
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
        elif size == 0:  # runs to the end of the file
            size = end - pos
        if size < 8:
            break
        boxes.append(Box(name, pos, size))
        pos += size
    return boxes


def held_fraction(data) -> float:
    """How much of the declared media data (mdat) the file holds: 1.0 when complete."""
    declared = held = 0
    for box in top_level_boxes(data):
        if box.name == b"mdat":
            declared += box.length
            held += min(box.length, len(data) - box.offset)
    return held / declared if declared else 1.0


def has_movie_box(data) -> bool:
    return any(box.name == b"moov" for box in top_level_boxes(data))


def _first(tags: MP4Tags, key: str) -> str | None:
    values = tags.get(key)
    if not values:
        return None
    value = str(values[0]).strip()
    return value or None


def _pair(tags: MP4Tags, key: str) -> int | None:
    values = tags.get(key)
    if not values:
        return None
    number = values[0][0] if isinstance(values[0], tuple) else values[0]
    return int(number) if number else None


def read_tags(tags: MP4Tags | None) -> Tags:
    if tags is None:
        return Tags()
    return Tags(
        title=_first(tags, "©nam"),
        artist=_first(tags, "©ART"),
        album=_first(tags, "©alb"),
        date=_first(tags, "©day"),
        comment=_first(tags, "©cmt"),
        description=_first(tags, "ldes") or _first(tags, "desc"),
        track=_pair(tags, "trkn"),
        disc=_pair(tags, "disk"),
        genre=_first(tags, "©gen"),
        feed_url=_first(tags, "purl"),
        guid=_first(tags, "egid"),
        podcast=bool(tags.get("pcst")),
    )


def read_artwork(tags: MP4Tags | None) -> Picture | None:
    covers = tags.get("covr") if tags is not None else None
    if not covers:
        return None
    cover = covers[0]
    declared = "image/png" if cover.imageformat == MP4Cover.FORMAT_PNG else "image/jpeg"
    return picture(bytes(cover), declared)


def read_chapters(audio: MP4) -> tuple[Chapter, ...]:
    """Nero chapters (moov.udta.chpl): start and title; each ends where the next starts."""
    found = list(getattr(audio, "chapters", None) or ())
    chapters = []
    for index, chapter in enumerate(found):
        end = found[index + 1].start if index + 1 < len(found) else audio.info.length
        chapters.append(Chapter(start=float(chapter.start), end=float(end), title=chapter.title or ""))
    return tuple(chapters)


def write(tags: MP4Tags, values: Tags, *, artwork: Picture | None) -> None:
    """Set the iTunes atoms we own in `tags` (in memory); the caller saves."""
    text = {
        "©nam": values.title,
        "©ART": values.artist,
        "©alb": values.album,
        "©day": values.date,
        "©cmt": values.comment,
        "desc": values.description[:255] if values.description else None,
        "ldes": values.description,
        "©gen": values.genre,
        "purl": values.feed_url,
        "egid": values.guid,
    }
    for key, value in text.items():
        if value:
            tags[key] = [value]
    if values.track:
        tags["trkn"] = [(values.track, 0)]
    if values.disc:
        tags["disk"] = [(values.disc, 0)]
    if values.podcast:
        tags["pcst"] = True
    if artwork is not None:
        kind = MP4Cover.FORMAT_PNG if artwork.mime == "image/png" else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(artwork.data, imageformat=kind)]
