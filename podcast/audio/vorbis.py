"""Vorbis comments (Ogg Vorbis, Opus, FLAC): tags and cover art, read and written."""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING

from mutagen.flac import FLAC
from mutagen.flac import Picture as FlacPicture
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from .. import clock
from ..model import Chapter, Picture, Tags
from ._common import tag_number
from .pictures import COVER_FRONT, cover

if TYPE_CHECKING:  # the common base of OggVCommentDict, OggOpusVComment and VCFLACDict
    from mutagen._vorbis import VCommentDict

VorbisFile = OggVorbis | OggOpus | FLAC

# The comment `podcast tag` writes beside its CHAPTERnnn comments: they are copies of the notes'
# or chapters.json's chapters, not a source of their own.
TAGGED_MARK = "podcast_chapters"
TAGGED_VALUE = "written by podcast tag"


def chapters_written_by_tag(comments: VCommentDict | None) -> bool:
    return comments is not None and _first(comments, TAGGED_MARK) == TAGGED_VALUE


def _first(comments: VCommentDict | None, *keys: str) -> str | None:
    for key in keys:
        values = comments.get(key) if comments is not None else None
        if values and str(values[0]).strip():
            return str(values[0]).strip()
    return None


def read_tags(comments: VCommentDict | None) -> Tags:
    if comments is None:
        return Tags()
    return Tags(
        title=_first(comments, "title"),
        artist=_first(comments, "artist"),
        album=_first(comments, "album"),
        date=_first(comments, "date"),
        comment=_first(comments, "comment", "description"),
        description=_first(comments, "description"),
        track=tag_number(_first(comments, "tracknumber")),
        disc=tag_number(_first(comments, "discnumber")),
        genre=_first(comments, "genre"),
        feed_url=_first(comments, "podcasturl"),
        guid=_first(comments, "podcastguid"),
        podcast=bool(_first(comments, "podcast")),
    )


_CHAPTER_KEY = re.compile(r"^chapter(\d{3})$")
_CHAPTER_TIME = re.compile(r"^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$")


def read_chapters(comments: VCommentDict | None, duration: float) -> tuple[Chapter, ...]:
    """Chapters as Vorbis comments (CHAPTER001=00:01:30.000, CHAPTER001NAME=..., CHAPTER001URL=...)."""
    if comments is None:
        return ()
    found = []
    for key in comments.keys():
        number = _CHAPTER_KEY.match(key.lower())
        time = _CHAPTER_TIME.match(_first(comments, key) or "") if number else None
        if time:
            hours, minutes, seconds = time.groups()
            start = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
            prefix = key.lower()
            found.append((start, _first(comments, prefix + "name") or "", _first(comments, prefix + "url")))
    found.sort()
    return tuple(
        Chapter(start=start, end=found[i + 1][0] if i + 1 < len(found) else duration, title=title, url=url)
        for i, (start, title, url) in enumerate(found)
    )


def _pictures(audio: VorbisFile) -> list[FlacPicture]:
    if isinstance(audio, FLAC):
        return list(audio.pictures)
    found = []
    for encoded in (audio.tags or {}).get("metadata_block_picture", []):
        try:
            found.append(FlacPicture(base64.b64decode(encoded)))
        except (ValueError, TypeError):
            continue  # a damaged picture block: ignore it, the audio is fine
    return found


def read_artwork(audio: VorbisFile) -> Picture | None:
    return cover(_pictures(audio))


def _remove_chapters(comments: VCommentDict) -> None:
    for key in [k for k in comments.keys() if k.lower().startswith("chapter") or k.lower() == TAGGED_MARK]:
        del comments[key]


def write(
    audio: VorbisFile, values: Tags, *, artwork: Picture | None, chapters: tuple[Chapter, ...] | None = None
) -> None:
    """Replace the comments we own on `audio` (in memory); the caller saves.

    `chapters` None leaves chapter comments alone; () removes those `podcast tag` wrote before;
    chapters replace all chapter comments, marked as written by `podcast tag`.
    """
    if audio.tags is None:
        audio.add_tags()
    comments = audio.tags
    text = {
        "title": values.title,
        "artist": values.artist,
        "album": values.album,
        "date": values.date,
        "comment": values.comment,
        "description": values.description,
        "tracknumber": str(values.track) if values.track else None,
        "discnumber": str(values.disc) if values.disc else None,
        "genre": values.genre,
        "podcasturl": values.feed_url,
        "podcastguid": values.guid,
        "podcast": "1" if values.podcast else None,
    }
    for key, value in text.items():
        if value:
            comments[key] = [value]
        elif key in comments:
            del comments[key]  # a value the episode no longer has leaves the file too
    if chapters is not None and not chapters and chapters_written_by_tag(comments):
        _remove_chapters(comments)
    if chapters:
        _remove_chapters(comments)
        comments[TAGGED_MARK] = [TAGGED_VALUE]
        for number, chapter in enumerate(chapters, start=1):
            key = f"CHAPTER{number:03d}"
            comments[key] = [clock.normal_play_time(chapter.start)]
            comments[key + "NAME"] = [chapter.title]
            if chapter.url:
                comments[key + "URL"] = [chapter.url]
    if artwork is not None:
        block = FlacPicture()
        block.type, block.mime, block.data = COVER_FRONT, artwork.mime, artwork.data
        block.width, block.height = artwork.width or 0, artwork.height or 0
        if isinstance(audio, FLAC):
            audio.clear_pictures()
            audio.add_picture(block)
        else:
            comments["metadata_block_picture"] = [base64.b64encode(block.write()).decode("ascii")]
