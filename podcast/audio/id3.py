"""ID3v2 (MP3, WAV): tags, CHAP/CTOC chapters and APIC artwork, read and written."""

from __future__ import annotations

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCON,
    TDES,
    TDRC,
    TGID,
    TIT2,
    TPE1,
    TPOS,
    TRCK,
    WFED,
    WXXX,
    CTOCFlags,
    PictureType,
)

from ..model import Chapter, Picture, Tags
from ._common import tag_number
from .id3frames import FrameSet
from .pictures import cover

# What the readers below take: mutagen's ID3, or the frames `id3frames` read the quick way
# (both answer `get` and `getall` alike).
Id3Tags = ID3 | FrameSet

NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: the times are what players read
# The element id of the table of contents `podcast tag` writes: it marks the chapters as copies
# of the notes' or chapters.json's (editors name theirs "toc", "TOC", "ctoc"...).
TAGGED_TOC = "podcast-tag-toc"
TAGGED_CHAPTER = "podcast-tag-chp"


def chapters_written_by_tag(tags: Id3Tags | None) -> bool:
    """Whether the file's chapters are the ones `podcast tag` wrote."""
    return tags is not None and any(toc.element_id == TAGGED_TOC for toc in tags.getall("CTOC"))


def _remove_tagged_chapters(tags: ID3) -> None:
    for toc in [t for t in tags.getall("CTOC") if t.element_id == TAGGED_TOC]:
        children = set(toc.child_element_ids)
        for chap in [c for c in tags.getall("CHAP") if c.element_id in children]:
            del tags[chap.HashKey]
        del tags[toc.HashKey]


def _text(tags: Id3Tags, key: str) -> str | None:
    frame = tags.get(key)
    if frame is None or not getattr(frame, "text", None):
        return None
    value = str(frame.text[0]).strip()
    return value or None


def _comment(tags: Id3Tags) -> str | None:
    for frame in tags.getall("COMM"):
        if frame.text and str(frame.text[0]).strip() and not frame.desc.startswith("iTun"):
            return str(frame.text[0]).strip()
    for frame in tags.getall("TXXX"):  # ffmpeg writes a comment as TXXX:comment
        if frame.desc.lower() in ("comment", "description") and frame.text:
            return str(frame.text[0]).strip() or None
    return None


def read_tags(tags: Id3Tags | None) -> Tags:
    if tags is None:
        return Tags()
    wfed = tags.getall("WFED")
    return Tags(
        title=_text(tags, "TIT2"),
        artist=_text(tags, "TPE1"),
        album=_text(tags, "TALB"),
        date=_text(tags, "TDRC") or _text(tags, "TYER"),
        comment=_comment(tags),
        description=_text(tags, "TDES"),
        track=tag_number(_text(tags, "TRCK")),
        disc=tag_number(_text(tags, "TPOS")),
        genre=_text(tags, "TCON"),
        feed_url=(wfed[0].url or None) if wfed else None,
        guid=_text(tags, "TGID"),
        podcast=bool(tags.getall("PCST")),
    )


def read_artwork(tags: Id3Tags | None) -> Picture | None:
    return cover(tags.getall("APIC")) if tags is not None else None


def read_chapters(tags: Id3Tags | None) -> tuple[Chapter, ...]:
    """CHAP frames, in the order of the top-level CTOC when there is one, else by start time."""
    if tags is None:
        return ()
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    order: list[str] = []
    for toc in tags.getall("CTOC"):
        if toc.flags & CTOCFlags.TOP_LEVEL:
            order = [i for i in toc.child_element_ids if i in chaps]
            break
    frames = [chaps[i] for i in order] or sorted(chaps.values(), key=lambda f: f.start_time)
    chapters = []
    for number, frame in enumerate(frames, start=1):
        sub = frame.sub_frames
        title = _text(sub, "TIT2") or f"Chapter {number}"
        urls = [f.url for f in sub.getall("WXXX") if f.url]
        chapters.append(
            Chapter(
                start=frame.start_time / 1000,
                end=frame.end_time / 1000 if frame.end_time != NO_OFFSET else None,
                title=title,
                url=urls[0] if urls else None,
                picture=cover(sub.getall("APIC")),
            )
        )
    return tuple(chapters)


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def write(
    tags: ID3,
    values: Tags,
    *,
    artwork: Picture | None,
    chapters: tuple[Chapter, ...] | None,
    duration: float,
) -> None:
    """Replace the frames we own in `tags` (in memory); the caller saves as ID3v2.4.

    `chapters` None leaves the chapter frames alone; () removes those `podcast tag` wrote before;
    chapters replace all chapter frames, marked as written by `podcast tag`.
    """
    _write_text(tags, values)
    if artwork is not None:
        tags.delall("APIC")
        tags.add(
            APIC(encoding=3, mime=artwork.mime, type=PictureType.COVER_FRONT, desc="", data=artwork.data)
        )
    if chapters is not None and not chapters:
        _remove_tagged_chapters(tags)
    if chapters:
        _write_chapters(tags, chapters, duration)


_OWNED = (
    "TIT2",
    "TPE1",
    "TALB",
    "TDRC",
    "TYER",
    "COMM",
    "TRCK",
    "TPOS",
    "TCON",
    "PCST",
    "WFED",
    "TGID",
    "TDES",
)


def _write_text(tags: ID3, values: Tags) -> None:
    """The text frames, the feed URL and the podcast flag; a value the episode no longer has leaves."""
    for key in _OWNED:
        tags.delall(key)
    frames = [
        (values.title, lambda v: TIT2(encoding=3, text=v)),
        (values.artist, lambda v: TPE1(encoding=3, text=v)),
        (values.album, lambda v: TALB(encoding=3, text=v)),
        (values.date, lambda v: TDRC(encoding=3, text=v)),
        (values.comment, lambda v: COMM(encoding=3, lang="eng", desc="", text=v)),
        (values.track, lambda v: TRCK(encoding=3, text=str(v))),
        (values.disc, lambda v: TPOS(encoding=3, text=str(v))),
        (values.genre, lambda v: TCON(encoding=3, text=v)),
        (values.feed_url, lambda v: WFED(url=v)),
        (values.guid, lambda v: TGID(encoding=3, text=v)),
        (values.description, lambda v: TDES(encoding=3, text=v)),
    ]
    for value, make in frames:
        if value is not None and value != "":
            tags.add(make(value))
    if values.podcast:
        tags.add(PCST(value=1))


def _write_chapters(tags: ID3, chapters: tuple[Chapter, ...], duration: float) -> None:
    """All chapter frames replaced by `chapters`, under the table of contents that marks them ours."""
    tags.delall("CHAP")
    tags.delall("CTOC")
    ids = [f"{TAGGED_CHAPTER}{number}" for number in range(len(chapters))]
    for index, chapter in enumerate(chapters):
        end = chapter.end
        if end is None:
            end = chapters[index + 1].start if index + 1 < len(chapters) else duration
        tags.add(
            CHAP(
                element_id=ids[index],
                start_time=_ms(chapter.start),
                end_time=_ms(end),
                start_offset=NO_OFFSET,
                end_offset=NO_OFFSET,
                sub_frames=_chapter_frames(chapter),
            )
        )
    tags.add(
        CTOC(
            element_id=TAGGED_TOC,
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text="Chapters")],
        )
    )


def _chapter_frames(chapter: Chapter) -> list:
    """A chapter's title, link and image, as frames inside its CHAP."""
    sub = [TIT2(encoding=3, text=chapter.title)]
    if chapter.url:
        sub.append(WXXX(encoding=3, desc="", url=chapter.url))
    if chapter.picture is not None and chapter.picture.data:
        pic = chapter.picture
        sub.append(APIC(encoding=3, mime=pic.mime, type=PictureType.OTHER, desc="", data=pic.data))
    return sub
