"""MP4 (M4A, M4B, MP4/M4V video): iTunes atoms, Nero chapters, cover art, and truncation."""

from __future__ import annotations

import bisect
import mmap
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm, MP4Tags

from ..model import Chapter, Picture, Tags
from ._common import Buffer
from .pictures import picture


@dataclass(frozen=True)
class Box:
    name: bytes
    offset: int
    length: int  # as declared; may run past the end of a truncated file
    header: int = 8  # 16 when the size is a 64-bit one: the contents start after it


def top_level_boxes(data: Buffer) -> list[Box]:
    """The file's top-level boxes, read from their 8- or 16-byte headers."""
    return _boxes_in(data, 0, len(data))


def held_fraction(data: Buffer) -> float:
    """How much of the declared media data (mdat) the file holds: 1.0 when complete."""
    declared = held = 0
    for box in top_level_boxes(data):
        if box.name == b"mdat":
            declared += box.length
            held += min(box.length, len(data) - box.offset)
    return held / declared if declared else 1.0


def _boxes_in(data: Buffer, start: int, end: int) -> list[Box]:
    boxes, pos = [], start
    while pos + 8 <= end:
        size, name = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1 and pos + 16 <= end:
            (size,), header = struct.unpack(">Q", data[pos + 8 : pos + 16]), 16
        elif size == 0:
            size = end - pos
        if size < header:
            break
        boxes.append(Box(name, pos, size, header))
        pos += size
    return boxes


def _child(data: Buffer, box: Box, *path: bytes) -> Box | None:
    """The box at `path` below `box` (first match at each level), or None."""
    for name in path:
        end = min(box.offset + box.length, len(data))
        box = next((b for b in _boxes_in(data, box.offset + box.header, end) if b.name == name), None)
        if box is None:
            return None
    return box


def _payload(data: Buffer, box: Box | None) -> bytes | None:
    """The box's contents that the file holds (a stated size may run far past its end)."""
    if box is None:
        return None
    return bytes(data[box.offset + box.header : min(box.offset + box.length, len(data))])


def _tracks(data: Buffer, handler: bytes | None = None) -> Iterator[Box]:
    """The movie's trak boxes, in file order; with `handler` (b"soun", b"vide"), only those of that kind."""
    moov = next((b for b in top_level_boxes(data) if b.name == b"moov"), None)
    if moov is None:
        return
    end = min(moov.offset + moov.length, len(data))
    for trak in (b for b in _boxes_in(data, moov.offset + moov.header, end) if b.name == b"trak"):
        hdlr = _payload(data, _child(data, trak, b"mdia", b"hdlr"))
        if handler is None or (hdlr is not None and hdlr[8:12] == handler):
            yield trak


def has_video_track(data: Buffer) -> bool:
    """Whether the movie has a video track (a chapter-image track of JPEG/PNG stills is not one)."""
    for trak in _tracks(data, b"vide"):
        stsd = _payload(data, _child(data, trak, b"mdia", b"minf", b"stbl", b"stsd"))
        codec = stsd[12:16] if stsd is not None else b""
        if codec not in (b"jpeg", b"png "):
            return True
    return False


def held_seconds(data: Buffer) -> float | None:
    """Seconds of the audio track whose samples lie wholly inside the file, from its sample table.

    None when the file has no audio track whose table we can read.
    """
    trak = next(_tracks(data, b"soun"), None)
    stbl = _child(data, trak, b"mdia", b"minf", b"stbl") if trak is not None else None
    if trak is None or stbl is None:
        return None
    boxes = {
        "mdhd": _payload(data, _child(data, trak, b"mdia", b"mdhd")),
        "stts": _payload(data, _child(data, stbl, b"stts")),
        "stsz": _payload(data, _child(data, stbl, b"stsz")),
        "stsc": _payload(data, _child(data, stbl, b"stsc")),
    }
    wide = _child(data, stbl, b"co64") is not None
    offsets_box = _payload(data, _child(data, stbl, b"co64" if wide else b"stco"))
    if offsets_box is None or any(v is None for v in boxes.values()):
        return None
    try:
        return _held(boxes, offsets_box, wide, len(data))
    except (struct.error, IndexError):
        return None  # a damaged table: the caller falls back to the share of data present


def _table(box: bytes, header: int, width: int) -> tuple[int, bytes]:
    """(entries, their bytes) of a sample-table box: the count it states, but never more than it holds.

    A damaged or hostile file may state billions of entries; the entries must be in the
    box, so the box's own size bounds what is read (nothing is allocated from the count).
    """
    (stated,) = struct.unpack(">I", box[header - 4 : header])
    entries = min(stated, max(len(box) - header, 0) // width)
    return entries, box[header : header + entries * width]


class _Timeline:
    """Decoding times of samples from the stts runs, without one entry per sample."""

    def __init__(self, stts: bytes) -> None:
        count, raw = _table(stts, 8, 8)
        self.firsts: list[int] = []  # the first sample of each run
        self.ticks: list[int] = []  # the time at which each run starts
        self.deltas: list[int] = []
        sample = tick = 0
        for n, delta in struct.iter_unpack(">II", raw):
            self.firsts.append(sample)
            self.ticks.append(tick)
            self.deltas.append(delta)
            sample += n
            tick += n * delta
        self.samples, self.end = sample, tick

    def at(self, sample: int) -> int:
        """The time at which `sample` starts (the end of the stream past the last one)."""
        if sample >= self.samples:
            return self.end
        run = bisect.bisect_right(self.firsts, sample) - 1
        return self.ticks[run] + (sample - self.firsts[run]) * self.deltas[run]


def _held(boxes: dict[str, bytes], offsets_box: bytes, wide: bool, file_size: int) -> float | None:
    """Sum the durations of the samples that end inside the file (stts, stsz, stsc, stco/co64).

    The work is bounded by the tables' sizes in the file, whatever counts they state.
    """
    mdhd = boxes["mdhd"]
    timescale = struct.unpack(">I", mdhd[20:24] if mdhd[0] == 1 else mdhd[12:16])[0]
    if not timescale:
        return None
    timeline = _Timeline(boxes["stts"])
    uniform, stated = struct.unpack(">II", boxes["stsz"][4:12])
    if uniform:
        sample_count = stated
        sizes = None
    else:
        sample_count, raw = _table(boxes["stsz"], 12, 4)
        sizes = [v for (v,) in struct.iter_unpack(">I", raw)]
    width = 8 if wide else 4
    chunk_count, raw = _table(offsets_box, 8, width)
    offsets = [v for (v,) in struct.iter_unpack(">Q" if wide else ">I", raw)]
    _, raw = _table(boxes["stsc"], 8, 12)
    runs = list(struct.iter_unpack(">III", raw))
    held = 0
    sample = 0
    run = 0
    for index, offset in enumerate(offsets, start=1):
        while run + 1 < len(runs) and runs[run + 1][0] <= index:
            run += 1
        per_chunk = runs[run][1] if runs and runs[run][0] <= index else 0
        count = min(per_chunk, sample_count - sample)
        if count <= 0:
            break
        if sizes is None:
            inside = max(0, min(count, (file_size - offset) // uniform)) if offset <= file_size else 0
        else:
            inside = 0
            for size in sizes[sample : sample + count]:
                offset += size
                if offset > file_size:
                    break
                inside += 1
        held += timeline.at(sample + inside) - timeline.at(sample)
        sample += count
    return held / timescale


def has_movie_box(data: Buffer) -> bool:
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


# The freeform atom `podcast tag` writes beside the Nero chapters it writes: they are copies of
# the notes' or chapters.json's chapters, not a source of their own.
TAGGED_MARK = "----:org.podcast:chapters"
TAGGED_VALUE = b"written by podcast tag"


def chapters_written_by_tag(tags: MP4Tags | None) -> bool:
    return tags is not None and any(bytes(v) == TAGGED_VALUE for v in tags.get(TAGGED_MARK, []))


def write(tags: MP4Tags, values: Tags, *, artwork: Picture | None) -> None:
    """Replace the iTunes atoms we own in `tags` (in memory); the caller saves."""
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
    atoms = {key: [value] if value else None for key, value in text.items()}
    atoms["trkn"] = [(values.track, 0)] if values.track else None
    atoms["disk"] = [(values.disc, 0)] if values.disc else None
    atoms["pcst"] = True if values.podcast else None
    for key, value in atoms.items():
        if value:
            tags[key] = value
        else:
            tags.pop(key, None)  # a value the episode no longer has leaves the file too
    if artwork is not None:
        kind = MP4Cover.FORMAT_PNG if artwork.mime == "image/png" else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(artwork.data, imageformat=kind)]


def mark_chapters(tags: MP4Tags, ours: bool) -> None:
    """Mark the file's chapters as written by `podcast tag`, or take the mark away."""
    if ours:
        tags[TAGGED_MARK] = [MP4FreeForm(TAGGED_VALUE)]
    else:
        tags.pop(TAGGED_MARK, None)


NERO_UNITS = 10_000_000  # chpl start times count 100-nanosecond units
NERO_MAX = 255  # chapters, and bytes of a title: each count is one byte


def chpl_box(chapters: tuple[Chapter, ...]) -> bytes:
    """A Nero chapter list (moov.udta.chpl) as mutagen and players read it: start, UTF-8 title."""
    body = bytearray(b"\x01\x00\x00\x00" + bytes(4) + bytes((len(chapters),)))
    for chapter in chapters:
        title = chapter.title.encode("utf-8")[:NERO_MAX].decode("utf-8", "ignore").encode("utf-8")
        body += struct.pack(">QB", round(chapter.start * NERO_UNITS), len(title)) + title
    return struct.pack(">I4s", 8 + len(body), b"chpl") + body


def chapters_refusal(data: Buffer, chapters: tuple[Chapter, ...], *, unhook: bool = False) -> str | None:
    """Why `write_chapters` cannot write `chapters` into this file, or None when it can."""
    if len(chapters) > NERO_MAX:
        return f"an MP4 holds at most {NERO_MAX} chapters, not {len(chapters)}"
    boxes = top_level_boxes(data)
    moov = next((b for b in boxes if b.name == b"moov"), None)
    if moov is None or moov.offset + moov.length > len(data):
        return "its movie box is missing or cut short"
    if data[moov.offset : moov.offset + 4] == b"\x00\x00\x00\x01":
        return "its movie box has a 64-bit size"
    if any(b.name == b"moof" for b in boxes):
        return "it is a fragmented MP4"
    try:
        _rebuilt_movie(data, moov, chapters, unhook=unhook)
    except ChunkOffsetsFull as exc:
        return str(exc)
    except (struct.error, ValueError):
        return "its movie box is damaged"
    return None


class ChunkOffsetsFull(ValueError):
    """Moving the media data would push a 32-bit chunk offset (stco) past 4 GB."""


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A copy of the file, beside it, to change; when the block ends it replaces the file in one step.

    If anything fails (a full disk, a damaged box) the copy is deleted and the file is as
    it was: never tags without their chapters. A symlink stays a link (the file it points
    to is replaced); a hard link's other names keep the file as it was.
    """
    target = Path(os.path.realpath(path))
    with open(target, "r+b"):
        pass  # a file its owner made read-only is refused, as writing it in place would be
    before = _identity(target)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    work = Path(name)
    try:
        with open(target, "rb") as source, os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(source, out, _COPY_CHUNK)
        yield work
        with open(work, "rb+") as out:
            os.fsync(out.fileno())
        _keep_owner(target, work)
        shutil.copymode(target, work)
        if _identity(target) != before:
            raise FileChanged("it changed while it was being tagged (another program saved it)")
        os.replace(work, target)
    except BaseException:
        work.unlink(missing_ok=True)
        raise


class FileChanged(ValueError):
    """Another program wrote the file while we copied it: replacing it would lose that."""


def _identity(path: Path) -> tuple[int, int, int, int]:
    """What changes when anything writes or replaces the file."""
    found = os.stat(path)
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns


def _keep_owner(target: Path, work: Path) -> None:
    """Give the copy the file's owner and group, where we may (root tagging a producer's file)."""
    owner = target.stat()
    if (owner.st_uid, owner.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(work, owner.st_uid, owner.st_gid)
        except PermissionError:
            pass  # an ordinary user cannot give a file away: it becomes theirs, as any editor's save would


_COPY_CHUNK = 1 << 20  # bytes copied at a time: a 5 GB video is never read into memory whole


def write_chapters(work: Path, chapters: tuple[Chapter, ...], *, unhook: bool = False) -> None:
    """Replace the Nero chapters in `work`, a private copy from `replacing`, with `chapters` (or none).

    mutagen writes iTunes atoms but not chapters, so the movie box is rebuilt here: the
    chapter list replaced inside moov.udta, the box sizes above it and, when media data
    follows the movie box, every chunk offset moved by the change in size. The copy is
    changed where it lies, what follows the movie box moved a piece at a time. With
    `unhook`, a QuickTime chapter track stops being one (see `_without_chapter_track`).
    """
    with open(work, "r+b") as out:
        with mmap.mmap(out.fileno(), 0, access=mmap.ACCESS_READ) as data:
            refusal = chapters_refusal(data, chapters, unhook=unhook)
            if refusal is not None:
                raise ValueError(refusal)
            moov = next(b for b in top_level_boxes(data) if b.name == b"moov")
            movie = _rebuilt_movie(data, moov, chapters, unhook=unhook)
        _move_tail(out, moov.offset + moov.length, len(movie) - moov.length)
        out.seek(moov.offset)
        out.write(movie)


def _move_tail(out, start: int, delta: int) -> None:
    """Move the bytes from `start` to the end of the file by `delta`, a piece at a time."""
    size = os.fstat(out.fileno()).st_size
    if delta > 0:
        out.truncate(size + delta)
        pos = size
        while pos > start:  # from the end backwards, so nothing is overwritten before it moves
            piece = min(_COPY_CHUNK, pos - start)
            pos -= piece
            out.seek(pos)
            chunk = out.read(piece)
            out.seek(pos + delta)
            out.write(chunk)
    elif delta < 0:
        pos = start
        while pos < size:
            out.seek(pos)
            chunk = out.read(min(_COPY_CHUNK, size - pos))
            out.seek(pos + delta)
            out.write(chunk)
            pos += len(chunk)
        out.truncate(size + delta)


def _rebuilt_movie(data: Buffer, moov: Box, chapters: tuple[Chapter, ...], *, unhook: bool) -> bytes:
    """The movie box holding `chapters`, its chunk offsets moved if it changes size before the media."""
    movie = _with_chapters(bytes(data[moov.offset : moov.offset + moov.length]), chapters, unhook=unhook)
    delta = len(movie) - moov.length
    return _moved_chunks(movie, moov.offset, delta) if delta else movie


def _with_chapters(movie: bytes, chapters: tuple[Chapter, ...], *, unhook: bool = False) -> bytes:
    """The movie box with the chapter lists of its udta boxes replaced by one of `chapters` (or none).

    FFmpeg reads a chapter list in any of the movie's udta boxes, so none is left behind.
    """
    children = _boxes_in(movie, 8, len(movie))
    if any(b.offset + b.length > len(movie) for b in children):
        raise ValueError("a box runs past the end of the movie box")
    new_list = chpl_box(chapters) if chapters else b""
    parts = []
    for box in children:
        if box.name == b"trak" and chapters and unhook:
            parts.append(_without_chapter_track(movie[box.offset : box.offset + box.length]))
            continue
        if box.name != b"udta":
            parts.append(movie[box.offset : box.offset + box.length])
            continue
        end = box.offset + box.length
        inside = _boxes_in(movie, box.offset + box.header, end)
        if any(b.offset + b.length > end for b in inside):
            raise ValueError("a box runs past the end of the user data box")
        inner = b"".join(movie[b.offset : b.offset + b.length] for b in inside if b.name != b"chpl")
        inner, new_list = inner + new_list, b""  # ours goes into the first udta
        parts.append(struct.pack(">I4s", 8 + len(inner), b"udta") + inner)
    if new_list:
        parts.append(struct.pack(">I4s", 8 + len(new_list), b"udta") + new_list)
    body = b"".join(parts)
    return struct.pack(">I4s", 8 + len(body), b"moov") + body


def _without_chapter_track(trak: bytes) -> bytes:
    """The trak box without its `chap` reference to a QuickTime chapter track.

    Apple's apps and FFmpeg show such a track's chapters before (or mixed with) a Nero list;
    when ours replace an editor's, the track stays in the file (disabled, as editors write
    it) but nothing points to it as chapters any more.
    """
    head = _boxes_in(trak, 0, len(trak))[0].header
    tref = next((b for b in _boxes_in(trak, head, len(trak)) if b.name == b"tref"), None)
    if tref is None:
        return trak
    end = tref.offset + tref.length
    refs = _boxes_in(trak, tref.offset + tref.header, end)
    if end > len(trak) or any(b.offset + b.length > end for b in refs):
        raise ValueError("a track reference runs past its box")
    if not any(b.name == b"chap" for b in refs):
        return trak
    kept = b"".join(trak[b.offset : b.offset + b.length] for b in refs if b.name != b"chap")
    references = struct.pack(">I4s", 8 + len(kept), b"tref") + kept if kept else b""
    body = trak[head : tref.offset] + references + trak[end:]
    return struct.pack(">I4s", 8 + len(body), b"trak") + body


def _moved_chunks(movie: bytes, moov_offset: int, delta: int) -> bytes:
    """The movie box with every chunk offset past it moved by `delta` (its change in size)."""
    patched = bytearray(movie)
    for trak in (b for b in _boxes_in(movie, 8, len(movie)) if b.name == b"trak"):
        stbl = _child(movie, trak, b"mdia", b"minf", b"stbl")
        if stbl is None:
            continue
        for table in _boxes_in(movie, stbl.offset + stbl.header, stbl.offset + stbl.length):
            if table.name not in (b"stco", b"co64"):
                continue
            width = 8 if table.name == b"co64" else 4
            form = ">Q" if width == 8 else ">I"
            count, _ = _table(movie[table.offset + table.header : table.offset + table.length], 8, width)
            start = table.offset + table.header + 8
            for pos in range(start, start + count * width, width):
                (offset,) = struct.unpack_from(form, movie, pos)
                if offset > moov_offset:
                    if offset + delta >= 1 << (8 * width):
                        raise ChunkOffsetsFull(
                            "its media data would move past the 4 GB its chunk offsets (stco) can point to"
                        )
                    struct.pack_into(form, patched, pos, offset + delta)
    return bytes(patched)
