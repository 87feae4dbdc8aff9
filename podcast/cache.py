"""The build cache, kept in SQLite in the show directory.

Probes: what was read from each audio file, keyed by the file's path, size,
modification and change time and inode: a file that changed in any of them is read
again (a file replaced by another of the same size and modification time, as `cp -p`
leaves it, has a new change time); one that did not is not opened at all. Every file is
read again when the code that reads them (the audio package, mutagen) changes.

Notes: rendered show notes, keyed by a hash of everything `notes.render` is given
plus the source of notes.py and the versions of the libraries it uses, so an edit
to an article or an upgrade of the renderer renders again; kept in a form of their own,
cheaper than JSON to write and read (`encode_notes`).

Episodes: what each episode folder gave the last build (see `Prepared`), keyed by the
episode's slug and a fingerprint of its inputs, so a folder nothing changed in is not read.
Every build loads all of them: what it reads of each episode is unpickled with the record, the
rest (notes, title, audio, ...) when first read (`pickle_record`). So each record is kept with
a checksum of its slug, fingerprint and bytes (`record_checksum`), and one that fails it is read
again from its folder before it is used, not found damaged deep in the build.

Values are JSON (the episodes' records: pickles, keyed by the code that made them), with a schema
version. Worker processes of a build use the cache through copies of their own (`for_worker`):
each stores what it made in a short transaction per batch (WAL mode: readers never wait, writers
only for each other's commits), so that the build's process neither receives those bytes nor
writes them; where a worker cannot, it hands them to the build's process to store.
A cache is trusted only as the file it was made as (device and inode): one copied in, or
received with a show directory, holds entries this machine did not make (notes with any markup
in them) and is emptied. A cache that cannot be read is deleted and rebuilt, and a cache that
cannot be written is skipped: the cache is never why a build fails.
"""

from __future__ import annotations

import base64
import contextlib
import copyreg
import dataclasses
import hashlib
import io
import itertools
import json
import logging
import math
import os
import pickle
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from stat import S_ISLNK
from typing import Any

from . import clock, collector, controlchars, parallel, versions
from .errors import Problem
from .files import resolved_below
from .layout import STATE_DIR
from .model import (
    EPISODE_DEFERRED,
    EPISODE_EAGER,
    AudioFile,
    AudioInfo,
    Chapter,
    Episode,
    Picture,
    Section,
    ShowNotes,
    deferred_values,
    eager_values,
    episode_deferred,
)

CACHE_FILE = f"{STATE_DIR}/cache.sqlite"
SCHEMA_VERSION = 6
NOTES_LIBRARIES = ("nh3", "markdown-it-py", "linkify-it-py", "lxml")

BATCH = 32  # files (or articles) a worker takes at a time
KEEP_RECORD = "INSERT OR REPLACE INTO episode VALUES (?, ?, ?, ?)"
# How long a worker waits for another's commit before handing its entries to the build's process.
WORKER_WAIT = 5.0
PAGE_SIZE = 65536

log = logging.getLogger(__name__)
Progress = Callable[[Iterable], Iterable]  # wraps the work as it is done (a progress bar)


def _read_batch(paths: Sequence[Path]) -> list[str | None]:
    """In a worker: each file's AudioFile as JSON, or None where it cannot be read (the build
    reads it again itself, and reports why)."""
    from . import audio

    results: list[str | None] = []
    for path in paths:
        try:
            results.append(to_json(audio.read(path, with_tags=False)))
        except Exception:  # noqa: BLE001 - the build's own reading reports it
            results.append(None)
    return results


def _render_batch(batch: Sequence[dict[str, Any]]) -> list[str | None]:
    """In a worker: the notes rendered from each set of inputs, as the cache keeps them."""
    from . import notes

    results: list[str | None] = []
    for inputs in batch:
        options = dict(inputs)
        article = options.pop("article")
        try:
            results.append(encode_notes(notes.render(article, **options)))
        except Exception:  # noqa: BLE001 - the build renders it again itself, and reports why
            results.append(None)
    return results


def _in_parallel(work: Callable, items: list, progress: Progress | None) -> list | None:
    """`work` over `items` in batches on every core; None if a batch could not be done there
    (the build then reads or renders those itself, as without this)."""
    results: list = []
    for _, found in parallel.in_order(work, parallel.batches(items, BATCH), progress=progress):
        if found is None:
            return None
        results.extend(found)
    return results


def _picture_to_json(picture: Picture | None, *, with_data: bool) -> dict | None:
    if picture is None:
        return None
    value: dict[str, Any] = {"mime": picture.mime, "width": picture.width, "height": picture.height}
    if with_data:
        value["data"] = base64.b64encode(picture.data).decode("ascii")
    return value


def _picture_from_json(value: dict | None) -> Picture | None:
    if value is None:
        return None
    data = base64.b64decode(value["data"]) if "data" in value else b""
    return Picture(mime=value["mime"], width=value["width"], height=value["height"], data=data)


# json.dumps's text, without its check for containers that hold themselves (the entry's dicts are
# made here and hold none): half the time of an entry.
_ENCODE = json.JSONEncoder(check_circular=False).encode


def to_json(found: AudioFile) -> str:
    """The probe entry: what a build reads of an audio file, as JSON. That is the stream's facts
    and the chapters (their images with their bytes, which the build publishes), nothing of the
    tags or the cover art (`audio.read(path, with_tags=False)` leaves them unread): a 2 KB comment
    would be most of every entry, encoded, sent from a worker, stored and checkpointed for nothing.
    The dicts are built by hand: `dataclasses.asdict` deep-copies every field, several times slower."""
    return _ENCODE(
        {
            "info": vars(found.info),  # (read, not changed: no copy)
            "chapters": [_chapter_to_json(c, with_data=True) for c in found.chapters],
            "chapters_written_by_tag": found.chapters_written_by_tag,
        }
    )


def _chapter_to_json(chapter: Chapter, *, with_data: bool) -> dict[str, Any]:
    value = dict(vars(chapter))
    value["picture"] = _picture_to_json(chapter.picture, with_data=with_data) if with_data else None
    return value


def from_json(path: Path, text: str) -> AudioFile:
    """The AudioFile of a probe entry: as `audio.read(path, with_tags=False)` reads it (an entry of
    an older build's, with tags and artwork in it, reads the same)."""
    value = json.loads(text)
    chapters = tuple(
        Chapter(**{k: v for k, v in c.items() if k != "picture"}, picture=_picture_from_json(c["picture"]))
        for c in value["chapters"]
    )
    return AudioFile(
        path=path,
        info=AudioInfo(**value["info"]),
        chapters=chapters,
        chapters_written_by_tag=value["chapters_written_by_tag"],
    )


# The form of a notes entry, part of its key: an entry of another form is never read as this one.
NOTES_ENTRY_FORM = "notes-2"
_NOTES_MARK = "n2"  # an entry's first word
_NONE = "-"  # a chapter's end that is None


def encode_notes(rendered: ShowNotes) -> str | None:
    """Rendered notes as the build cache keeps them; None when they cannot be kept (a string
    not UTF-8 can carry, which SQLite would refuse).

    Three parts: a line saying what the notes hold (the entry's mark, a checksum of its
    strings, then which strings are there and how many sections, paragraphs and chapters),
    a line of the strings' lengths, and the strings one after the other. A few joins, where
    JSON escapes every character of every string; a checksum, so that a damaged entry is
    never read as notes. The plain text is left out when it is what the sections make
    (headings and paragraphs between blank lines, as rendering makes it): a quarter of
    the entry. Chapters of notes never carry images.
    """
    shape = [_NOTES_MARK, "", "0" if rendered.title is None else "1"]
    strings = [rendered.html, rendered.description_html]
    if rendered.title is not None:
        strings.append(rendered.title)
    if rendered.text == _sections_text(rendered.sections):
        shape.append("0")
    else:
        shape.append("1")
        strings.append(rendered.text)
    shape.append(str(len(rendered.sections)))
    for section in rendered.sections:
        shape += ["0" if section.heading is None else "1", str(len(section.paragraphs))]
        if section.heading is not None:
            strings.append(section.heading)
        strings.extend(section.paragraphs)
    shape.append(str(len(rendered.chapters)))
    for chapter in rendered.chapters:
        end = _NONE if chapter.end is None else repr(chapter.end)
        shape += [
            repr(chapter.start),
            end,
            "0" if chapter.url is None else "1",
            "0" if chapter.image is None else "1",
        ]
        strings += [chapter.title, *(text for text in (chapter.url, chapter.image) if text is not None)]
    body = "".join(strings)
    try:
        shape[1] = str(zlib.crc32(body.encode()))
    except UnicodeEncodeError:  # a lone surrogate (only an article given by a caller, not a file, holds one)
        return None
    return f"{' '.join(shape)}\n{' '.join(map(str, map(len, strings)))}\n{body}"


def _sections_text(sections: Sequence[Section]) -> str:
    """The plain text of notes with these sections: headings and paragraphs, blank lines between."""
    parts: list[str] = []
    for section in sections:
        if section.heading is not None:
            parts.append(section.heading)
        parts.extend(section.paragraphs)
    return "\n\n".join(parts)


def _notes_entry_parts(value: object) -> tuple[list[str], list[int], str]:
    """A notes entry's shape (its first line's words), its strings' lengths and the body they
    measure, once the entry's mark and checksum are right; ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"a notes entry is text, not {type(value).__name__}")
    line, _, rest = value.partition("\n")
    lengths_line, newline, body = rest.partition("\n")
    shape = line.split(" ")
    if not newline or shape[0] != _NOTES_MARK or len(shape) < 6:
        raise ValueError("not a notes entry")
    if shape[1] != str(zlib.crc32(body.encode("utf-8", "surrogatepass"))):
        raise ValueError("a damaged notes entry (its checksum differs)")
    lengths = [int(length) for length in lengths_line.split(" ")]
    return shape, lengths, body


def decode_notes(value: object) -> ShowNotes:
    """The notes an entry of `encode_notes` holds. Raises ValueError for anything else: an entry
    damaged, cut short, of another form or made up, whose parts do not agree."""
    shape, lengths, body = _notes_entry_parts(value)
    offsets = list(itertools.accumulate(lengths, initial=0))
    if min(lengths) < 0 or offsets[-1] != len(body):
        raise ValueError("a notes entry whose lengths do not measure its strings")
    strings = iter([body[start:end] for start, end in zip(offsets, offsets[1:], strict=False)])
    facts = iter(shape[2:])
    try:
        with_title, with_text = next(facts) == "1", next(facts) == "1"
        html, description = next(strings), next(strings)
        title = next(strings) if with_title else None
        text = next(strings) if with_text else None
        sections = []
        for _ in range(int(next(facts))):
            heading = next(strings) if next(facts) == "1" else None
            count = int(next(facts))
            paragraphs = tuple(itertools.islice(strings, count))
            if len(paragraphs) != count:
                raise ValueError("a notes entry with fewer strings than its sections")
            sections.append(Section(heading, paragraphs))
        chapters = []
        for _ in range(int(next(facts))):
            start, end = _seconds(next(facts)), next(facts)
            with_url, with_image = next(facts) == "1", next(facts) == "1"
            chapters.append(
                Chapter(
                    start=start,
                    title=next(strings),
                    end=None if end == _NONE else _seconds(end),
                    url=next(strings) if with_url else None,
                    image=next(strings) if with_image else None,
                )
            )
    except StopIteration:
        raise ValueError("a notes entry cut short") from None
    if next(facts, None) is not None or next(strings, None) is not None:
        raise ValueError("a notes entry with more in it than it says")
    return ShowNotes(
        sections=tuple(sections),
        html=html,
        description_html=description,
        text=_sections_text(sections) if text is None else text,
        title=title,
        chapters=tuple(chapters),
    )


def decode_notes_html(value: object) -> tuple[str, str]:
    """`decode_notes(value)`'s html and description_html, read without making the rest of the
    notes (an item made again reads only these): refuses every entry decode_notes refuses,
    with a ValueError, after the same checks."""
    shape, lengths, body = _notes_entry_parts(value)
    if min(lengths) < 0 or sum(lengths) != len(body):
        raise ValueError("a notes entry whose lengths do not measure its strings")
    facts = iter(shape[2:])
    try:
        with_title, with_text = next(facts) == "1", next(facts) == "1"
        wanted = 2 + with_title + with_text  # strings the shape says there are
        for _ in range(int(next(facts))):
            wanted += next(facts) == "1"
            count = int(next(facts))
            wanted += count
            if count < 0 or wanted > len(lengths):
                raise ValueError("a notes entry with fewer strings than its sections")
        for _ in range(int(next(facts))):
            _seconds(next(facts))
            end = next(facts)
            if end != _NONE:
                _seconds(end)
            wanted += 1 + (next(facts) == "1") + (next(facts) == "1")
    except StopIteration:
        raise ValueError("a notes entry cut short") from None
    if wanted > len(lengths):
        raise ValueError("a notes entry cut short")
    if next(facts, None) is not None or wanted < len(lengths):
        raise ValueError("a notes entry with more in it than it says")
    return body[: lengths[0]], body[lengths[0] : lengths[0] + lengths[1]]


def _seconds(word: str) -> float:
    found = int(word) if word.isdigit() else float(word)  # as written: 5 stays an int, 5.0 a float
    if not math.isfinite(found):
        raise ValueError("a notes entry with a chapter at no time")
    return found


def notes_key(renderer: str, inputs: Mapping[str, Any]) -> str:
    """The key of the notes rendered from `inputs` by the renderer `renderer` (its fingerprint).

    Each input is written as its name, its kind, its length and itself: no two sets of inputs
    write the same, and an article is not escaped (as JSON would: a third of what keying cost).
    """
    parts = [renderer, NOTES_ENTRY_FORM]
    for name in sorted(inputs):
        value = inputs[name]
        if isinstance(value, str):
            parts += [f"\n{name} s{len(value)}:", value]
        else:  # None, a number (repr writes a float exactly)
            written = repr(value)
            parts += [f"\n{name} r{len(written)}:", written]
    return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _reader_fingerprint() -> str:
    """Changes whenever the code that reads audio (our audio package, mutagen) changes: a probe
    kept by other code may say another duration, or miss the chapters. Not kept for the process,
    which may outlive an upgrade (`podcast serve`); hashing a dozen sources costs a millisecond."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).with_name("audio").glob("*.py")):  # (the package, not imported)
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    mutagen = versions.versions(["mutagen"])["mutagen"]
    digest.update(f"mutagen={mutagen}".encode() if mutagen is not None else b"mutagen")
    return digest.hexdigest()


def _renderer_fingerprint() -> str:
    """Changes whenever notes.py, a module of ours it renders with or a library it renders with
    changes. Taken once per build cache: a process may outlive an upgrade (`podcast serve`)."""
    digest = hashlib.sha256(Path(__file__).with_name("notes.py").read_bytes())  # (not imported)
    digest.update(Path(controlchars.__file__).read_bytes())  # notes.py cleans articles with it
    digest.update(Path(clock.__file__).read_bytes())  # and reads the timestamps of chapters with it
    for name, version in versions.versions(NOTES_LIBRARIES).items():
        digest.update(f"{name}={version}".encode() if version is not None else name.encode())
    return digest.hexdigest()


def _home(file: Path) -> str:
    """Which file the cache is: a cache copied in (a show received with its .podcast/, another
    show's) is another file, whose entries this machine did not make and so does not trust."""
    facts = file.stat()
    return f"{facts.st_dev}:{facts.st_ino}"


def _stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What says a file is the one that was read: its size, modification and change time, inode."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


@dataclass(frozen=True)
class Prepared:
    """What one episode folder contributed to a build, before the build's clock split the
    episodes into published, scheduled and drafts (so a record stays true as time passes).

    `ready` and what follows exist once the episode was due: its audio read, notes rendered,
    chapters chosen, and its feed item rendered.
    """

    # As read from episode.md (None: the folder gave no episode); once ready, the ready one.
    episode: Episode | None
    problems: tuple[Problem, ...]  # reading it
    ready: Episode | None = None  # probed and complete, as published
    ready_problems: tuple[Problem, ...] = ()  # probing and completing it
    item: bytes | None = None  # its <item> in the feed
    lint: tuple[Problem, ...] = ()  # what lint's rules over one item found in it
    digest: bytes | None = None  # the item with the tags lint's rules over the whole feed read
    # Made with the item, so that a build that keeps the record makes neither again:
    chapters_json: bytes | None = None  # its feeds/chapters/<slug>.json, when it has chapters
    page_key: bytes | None = None  # web.pages.page_key of the ready episode, when the show has pages
    item_key: str | None = None  # the show's settings the item was made with (pipeline.item_key)
    notes_key: str | None = None  # its notes' entry in the cache (`notes_key`): the item is made of them


def _pickled(value: object) -> bytes:
    """`value` pickled as the records' parts are (see `pickle_record`)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _RECORD_PICKLING
    pickler.dump(value)
    return out.getvalue()


def _kept_episode(form: str, eager: tuple, parts: tuple) -> Episode:
    """An Episode as `pickle_record` wrote it: the values of what every build reads of it, in
    order and without their names (`model.EPISODE_EAGER`; its date as `_moment_values`), and each
    group of the rest pickled apart, unpickled only when the build reads one of them
    (`model.episode_deferred`): most builds read them of a few episodes, and 10,000 records load
    in a fraction of the time. Raises ValueError for an episode of another form (`RECORD_FORM`)."""
    if form != RECORD_FORM:
        raise ValueError(f"an episode of another form ({form}, not {RECORD_FORM})")
    values = list(eager)
    values[_DATE] = _moment(values[_DATE])
    return episode_deferred(tuple(values), pickle.loads, parts)


def _episode_parts(episode: Episode, parts: tuple | None = None) -> tuple:
    """`episode` as `_kept_episode` takes it; `parts`: its groups' parts as pickled already."""
    eager = list(eager_values(episode))
    eager[_DATE] = _moment_values(eager[_DATE])
    if parts is None:
        # (pickle.dumps: a group holds no Episode or Prepared, the only classes `_pickled`
        # writes otherwise, and a pickler of its own costs a fifth of a group's pickling.)
        parts = tuple(pickle.dumps(values(episode), pickle.HIGHEST_PROTOCOL) for values in deferred_values)
    return _kept_episode, (RECORD_FORM, tuple(eager), parts)


_DATE = EPISODE_EAGER.index("date")

# The zones of the dates in records read, by their pickle: a show's dates are in one or two.
_ZONES: dict[bytes, tzinfo | None] = {}
_ZONES_KEPT = 64
# The pickles of the zones of dates stored, by the zone's identity (equal zones may pickle apart:
# timezones of one offset and two names), each with its zone, which keeps its id from being reused.
_ZONE_PICKLES: dict[int, tuple[tzinfo | None, bytes]] = {}


def _moment_values(moment: datetime) -> tuple:
    """A datetime as plain values (what `_moment` takes): unpickling one the usual way finds
    three classes by name and makes a timedelta and a zone, a third of what a record cost."""
    zone_pickled = _ZONE_PICKLES.get(id(moment.tzinfo))
    if zone_pickled is None:
        zone_pickled = (moment.tzinfo, _pickled(moment.tzinfo))
        if len(_ZONE_PICKLES) < _ZONES_KEPT:
            _ZONE_PICKLES[id(moment.tzinfo)] = zone_pickled
    zone = zone_pickled[1]
    return (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
        moment.fold,
        zone,
    )


def _moment(values: tuple) -> datetime:
    """The datetime `_moment_values` gave `values` of."""
    *fields, fold, pickled_zone = values
    try:
        zone = _ZONES[pickled_zone]
    except KeyError:
        zone = pickle.loads(pickled_zone)
        if not (zone is None or isinstance(zone, tzinfo)):
            raise ValueError(f"a date in a zone of type {type(zone).__name__}") from None
        if len(_ZONES) < _ZONES_KEPT:
            _ZONES[pickled_zone] = zone
    return datetime(*fields, tzinfo=zone, fold=fold)


_PREPARED_FIELDS = tuple(field.name for field in dataclasses.fields(Prepared))
# Which fields a record holds, in which order and parts: a record of another form (another
# version's) is never read as this one, whichever of its parts it differs in.
RECORD_FORM = hashlib.blake2b(
    repr((_PREPARED_FIELDS, EPISODE_EAGER, EPISODE_DEFERRED)).encode(), digest_size=6
).hexdigest()


def _kept_record(form: str, values: tuple) -> Prepared:
    """A Prepared from its fields' values in order, as `pickle_record` writes it (the names
    would be spelled out in each record again). Raises ValueError for another form."""
    if form != RECORD_FORM or len(values) != len(_PREPARED_FIELDS):
        raise ValueError(f"a record of another form ({form}, not {RECORD_FORM})")
    record = object.__new__(Prepared)
    record.__dict__.update(zip(_PREPARED_FIELDS, values, strict=True))
    return record


def _record_values(record: Prepared) -> tuple:
    return _kept_record, (RECORD_FORM, tuple(record.__dict__[name] for name in _PREPARED_FIELDS))


_RECORD_PICKLING = {**copyreg.dispatch_table, Episode: _episode_parts, Prepared: _record_values}


def pickle_record(record: Prepared, ready_parts: tuple | None = None) -> bytes:
    """`record` as the build cache keeps it (and worker processes send it): pickled, itself and
    its episodes as their values alone (`_kept_record`), the episodes' in parts (`_kept_episode`).
    `ready_parts`: the parts its ready episode was loaded from (`model.unread_parts`, taken
    before any was read), stored as they are: pickling its groups again gives what they were
    loaded from, at a cost a build that makes every item again pays for every record.
    Raises what pickle raises."""
    if ready_parts is None:
        return _pickled(record)
    ready = record.ready

    def episode_parts(episode: Episode) -> tuple:
        return _episode_parts(episode, ready_parts if episode is ready else None)

    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**_RECORD_PICKLING, Episode: episode_parts}
    pickler.dump(record)
    return out.getvalue()


def record_checksum(slug: str, fingerprint: str, value: bytes) -> int:
    """What the cache keeps with the record `value` of the folder `slug` with `fingerprint`, to
    know it for the one it wrote there: a record's episode reads most of its fields only when
    the build first reads one (`_kept_episode`), long after the record was taken for good, so
    one damaged on disk, or another's row copied over it, must be known before it is used."""
    return zlib.crc32(value, zlib.crc32(f"{slug}\0{fingerprint}\0".encode("utf-8", "surrogatepass")))


def _unpickled(slug: str, fingerprint: str, value: bytes, checksum: int) -> Prepared | None:
    """The record kept as `value` for the folder `slug` with `fingerprint`; None when it is
    not the one the cache wrote there (damaged, or another's), or unreadable: the folder is read
    again."""
    if not isinstance(value, bytes) or checksum != record_checksum(slug, fingerprint, value):
        log.warning("episode record %s damaged (its checksum differs); reading the folder", slug)
        return None
    try:
        found = pickle.loads(value)
    except Exception as exc:  # noqa: BLE001 - any unreadable record is read again from the folder
        log.warning("episode record %s unreadable (%s); reading the folder", slug, exc)
        return None
    return found if isinstance(found, Prepared) else None


def _close(db: sqlite3.Connection) -> None:
    try:
        db.close()
    except sqlite3.Error as exc:
        log.warning("build cache not saved (%s)", exc)


_closing: list[threading.Thread] = []  # caches closing in a thread (`BuildCache.close(wait=False)`)


def wait_closed() -> None:
    """Return once every cache this process closed without waiting is closed: its log copied into
    its file, nothing of it left to vanish under a copy or a removal of the show."""
    while _closing:
        _closing.pop().join()


class BuildCache:
    """`read(path)` and `notes(...)` through the cache. A context manager; results are saved on exit."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.file = self.root / CACHE_FILE
        self.real_root = os.path.realpath(self.root)
        self.opened = 0  # audio files actually read (cache misses) in this run
        self.renderer = _renderer_fingerprint()
        # In a worker's copy (`for_worker`): the entries it made, until it stores them or hands
        # them to the build's process to store.
        self.pending: list[tuple[str, tuple]] | None = None
        self.shared = False  # in WAL mode: other processes may write while this one reads
        # A worker's copy whose snapshot of the cache has no probe entries (see `for_worker`).
        self.no_probes = False
        self.writer: sqlite3.Connection | None = None  # a worker's copy's, to store what it made
        self.db: sqlite3.Connection | None = self._connect()

    def for_worker(self) -> BuildCache:
        """This cache as a forked worker process uses it: through connections of its own (one is
        never shared across a fork). It reads the cache as it was when the worker started (one
        read transaction: the other workers' commits neither show nor make it read its pages
        again; what they store is for other episodes); what it would add is kept in `pending`
        until `save_pending` stores it through another connection (or `take_pending` hands it
        over)."""
        copy = object.__new__(BuildCache)
        copy.root, copy.file, copy.real_root = self.root, self.file, self.real_root
        copy.renderer = self.renderer
        copy.opened = 0
        copy.pending = []
        copy.shared = False
        copy.no_probes = False
        copy.writer = None
        copy.db = None
        if self.db is not None:
            try:
                copy.db = sqlite3.connect(self.file, isolation_level=None)
                if self.shared:
                    copy.db.execute("BEGIN")
                    copy.db.execute("SELECT 1 FROM meta").fetchone()  # the snapshot taken
                    copy.shared = True
                    # In a cold build the snapshot holds no probe: no file's lookup can find one.
                    copy.no_probes = copy.db.execute("SELECT 1 FROM probe LIMIT 1").fetchone() is None
            except sqlite3.Error as exc:
                log.warning("build cache %s not readable in a worker (%s)", self.file, exc)
        return copy

    def save_pending(self) -> bool:
        """In a worker's copy: store what it made since last asked (entries and kept records) in
        one transaction of its own. False when it could not (not in WAL mode, the cache locked
        too long, a write failed): nothing of it is stored then, and the caller hands it to the
        build's process (`take_pending`)."""
        if self.db is None or self.pending is None or not self.shared:
            return False
        if not self.pending:
            return True
        try:
            if self.writer is None:
                self.writer = sqlite3.connect(self.file, timeout=WORKER_WAIT, isolation_level=None)
                # Per connection: without these each commit would wait for the disk, and a worker
                # would copy the log into the file (closing the cache does, once).
                self.writer.execute("PRAGMA synchronous = NORMAL")
                self.writer.execute("PRAGMA wal_autocheckpoint = 0")
            self.writer.execute("BEGIN IMMEDIATE")
            try:
                for statement, run in itertools.groupby(self.pending, key=lambda entry: entry[0]):
                    self.writer.executemany(statement, [values for _, values in run])
                self.writer.execute("COMMIT")
            except BaseException:
                self.writer.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            log.debug("a worker could not store its entries (%s); the build's process does", exc)
            return False
        self.pending = []
        return True

    def take_pending(self) -> list[tuple[str, tuple]]:
        """What a worker's copy would have stored since last asked (see `for_worker`)."""
        found = self.pending or []
        if self.pending is not None:
            self.pending = []
        return found

    def store(self, entries: Iterable[tuple[str, tuple]]) -> None:
        """Store the entries a worker's copy made (a statement at a time for a run of them)."""
        if self.pending is not None:
            self.pending.extend(entries)
            return
        for statement, run in itertools.groupby(entries, key=lambda entry: entry[0]):
            if self.db is not None:
                try:
                    self.db.executemany(statement, [values for _, values in run])
                except sqlite3.Error as exc:
                    log.warning("build cache not updated (%s)", exc)

    def commit(self) -> None:
        """End this process's transaction, so that worker processes can write (see `save_pending`)."""
        if self.db is None:
            return
        try:
            self.db.commit()
        except sqlite3.Error as exc:
            log.warning("build cache not saved (%s)", exc)

    def _write(self, statement: str, values: tuple) -> None:
        if self.pending is not None:
            self.pending.append((statement, values))
            return
        if self.db is None:
            return
        try:
            self.db.execute(statement, values)
        except sqlite3.Error as exc:
            log.warning("build cache not updated (%s)", exc)

    def _connect(self) -> sqlite3.Connection | None:
        for _attempt in range(2):
            try:
                self.file.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.file, check_same_thread=False)  # (closed in a thread)
                # Records of a few KB each: pages that hold one or two, not chains of overflow pages.
                db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # (only a new, empty file takes it)
                # Forked workers read, and store what they made, while this process reads: in WAL
                # mode readers never wait, and a writer only for another's commit.
                self.shared = db.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
                db.execute("PRAGMA synchronous = NORMAL")  # a cache: a power cut may lose its last build
                # The log is copied into the file when the cache is closed (see `close`), not in
                # the middle of a commit of this process's.
                db.execute("PRAGMA wal_autocheckpoint = 0")
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if row is None or row[0] != str(SCHEMA_VERSION):
                    db.execute("DROP TABLE IF EXISTS probe")
                    db.execute("DROP TABLE IF EXISTS notes")
                    db.execute("DROP TABLE IF EXISTS episode")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                home = _home(self.file)
                row = db.execute("SELECT value FROM meta WHERE key = 'home'").fetchone()
                if row is None or row[0] != home:  # made elsewhere (copied in, or came with the show)
                    for table in ("probe", "notes", "episode"):
                        db.execute(f"DROP TABLE IF EXISTS {table}")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('home', ?)", (home,))
                db.execute(
                    "CREATE TABLE IF NOT EXISTS probe (path TEXT PRIMARY KEY, size INTEGER NOT NULL,"
                    " mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,"
                    " value TEXT NOT NULL)"
                )
                reader = _reader_fingerprint()
                row = db.execute("SELECT value FROM meta WHERE key = 'reader'").fetchone()
                if row is None or row[0] != reader:  # read by other code: every file is read again
                    db.execute("DELETE FROM probe")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('reader', ?)", (reader,))
                db.execute("CREATE TABLE IF NOT EXISTS notes (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS episode (slug TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,"
                    " value BLOB NOT NULL, checksum INTEGER NOT NULL)"
                )
                db.commit()
                return db
            except (sqlite3.Error, OSError) as exc:
                log.warning("build cache %s unusable (%s); starting a new one", self.file, exc)
                try:
                    self.file.unlink(missing_ok=True)
                except OSError:
                    return None
        return None

    def _key(self, path: Path) -> str:
        """The file's real path, relative to the show's when inside it."""
        real = resolved_below(self.real_root, os.fspath(path.absolute()))
        prefix = self.real_root.rstrip(os.sep) + os.sep
        return real[len(prefix) :] if real.startswith(prefix) else real

    def _stat_and_key(self, path: Path) -> tuple[os.stat_result, str]:
        """The file's stat (following links) and `_key`. A file that is no link is its own stat
        (one system call for both), and `_key` then need only look at its folders."""
        name = os.fspath(path.absolute())
        facts = os.lstat(name)
        folder, _, base = name.rpartition(os.sep)
        if S_ISLNK(facts.st_mode) or base in ("", ".", ".."):
            return os.stat(name), self._key(path)
        real = os.path.join(resolved_below(self.real_root, folder), base)
        prefix = self.real_root.rstrip(os.sep) + os.sep
        return facts, real[len(prefix) :] if real.startswith(prefix) else real

    def read(self, path: Path) -> AudioFile:
        """What `audio.read(path, with_tags=False)` returns (no tags or cover art: a build reads
        none), without opening the file when it has not changed."""
        if not isinstance(path, Path):
            path = Path(path)
        try:
            stat, key = self._stat_and_key(path)
        except OSError:
            return self._read_and_store(path, None, None)
        if self.db is not None and not self.no_probes:
            try:
                row = self.db.execute(
                    "SELECT value FROM probe WHERE path = ? AND size = ? AND mtime_ns = ? AND ctime_ns = ?"
                    " AND inode = ?",
                    (key, *_stamp(stat)),
                ).fetchone()
                if row is not None:
                    return from_json(path, row[0])
            except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
                log.warning("probe cache entry for %s unreadable (%s); reading the file", key, exc)
        return self._read_and_store(path, key, stat)

    def _read_and_store(self, path: Path, key: str | None, stat) -> AudioFile:
        from . import audio

        self.opened += 1
        found = audio.read(path, with_tags=False)
        if key is not None and (self.db is not None or self.pending is not None):
            value = to_json(found)
            self._write("INSERT OR REPLACE INTO probe VALUES (?, ?, ?, ?, ?, ?)", (key, *_stamp(stat), value))
        return found

    def _stale(self, path: Path) -> tuple[str, os.stat_result] | None:
        """(key, stat) of a file the cache has no entry for in its present state; None if it has."""
        try:
            stat = path.stat()
        except OSError:
            return None  # the build's own reading says why
        key = self._key(path)
        if self.db is not None:
            try:
                row = self.db.execute(
                    "SELECT 1 FROM probe WHERE path = ? AND size = ? AND mtime_ns = ? AND ctime_ns = ?"
                    " AND inode = ?",
                    (key, *_stamp(stat)),
                ).fetchone()
                if row is not None:
                    return None
            except sqlite3.Error:
                pass
        return key, stat

    def read_ahead(self, paths: Iterable[Path], progress: Progress | None = None) -> int:
        """Read every file the cache does not know yet on all cores, so that `read` then finds
        them. A cold build of a large show spends most of its time here. Returns how many."""
        if self.db is None:
            return 0
        stale = [(path, found) for path in paths if (found := self._stale(Path(path))) is not None]
        if len(stale) < parallel.threshold():
            return 0
        results = _in_parallel(_read_batch, [path for path, _ in stale], progress)
        if results is None:
            return 0
        for (_, (key, stat)), value in zip(stale, results, strict=True):
            if value is None:
                continue
            self.opened += 1
            try:
                self.db.execute(
                    "INSERT OR REPLACE INTO probe VALUES (?, ?, ?, ?, ?, ?)", (key, *_stamp(stat), value)
                )
            except sqlite3.Error as exc:
                log.warning("probe cache not updated (%s)", exc)
                return 0
        return len(stale)

    def _notes_key(self, inputs: dict[str, Any]) -> str:
        return notes_key(self.renderer, inputs)

    def render_ahead(self, all_inputs: Iterable[dict[str, Any]], progress: Progress | None = None) -> int:
        """Render, on all cores, the notes of every set of inputs the cache has not seen."""
        if self.db is None:
            return 0
        stale = []
        for inputs in all_inputs:
            key = self._notes_key(inputs)
            try:
                if self.db.execute("SELECT 1 FROM notes WHERE key = ?", (key,)).fetchone() is None:
                    stale.append((key, inputs))
            except sqlite3.Error:
                return 0
        if len(stale) < parallel.threshold():
            return 0
        results = _in_parallel(_render_batch, [inputs for _, inputs in stale], progress)
        if results is None:
            return 0
        for (key, _), value in zip(stale, results, strict=True):
            if value is not None:
                try:
                    self.db.execute("INSERT OR REPLACE INTO notes VALUES (?, ?)", (key, value))
                except sqlite3.Error as exc:
                    log.warning("notes cache not updated (%s)", exc)
                    return 0
        return len(stale)

    def notes(
        self, inputs: dict[str, Any], render: Callable[[], ShowNotes], key: str | None = None
    ) -> ShowNotes:
        """`render()`, unless notes were already rendered from exactly these `inputs`; `key`:
        `notes_key(inputs)`, when the caller has it already."""
        key = key or self._notes_key(inputs)
        if self.db is not None:
            try:
                row = self.db.execute("SELECT value FROM notes WHERE key = ?", (key,)).fetchone()
                if row is not None:
                    return decode_notes(row[0])
            except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
                log.warning("notes cache entry unreadable (%s); rendering again", exc)
        rendered = render()
        value = encode_notes(rendered) if self.db is not None or self.pending is not None else None
        if value is not None:
            self._write("INSERT OR REPLACE INTO notes VALUES (?, ?)", (key, value))
        return rendered

    def notes_key(self, inputs: dict[str, Any]) -> str:
        """The key `notes(inputs, ...)` keeps the notes rendered from `inputs` under."""
        return self._notes_key(inputs)

    def stored_notes(self, key: str) -> ShowNotes | None:
        """The notes kept under `key` (see `notes_key`); None when there are none, or unreadable."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM notes WHERE key = ?", (key,)).fetchone()
            return None if row is None else decode_notes(row[0])
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            log.warning("notes cache entry unreadable (%s)", exc)
            return None

    def stored_notes_html(self, key: str) -> tuple[str, str] | None:
        """The html and description_html of the notes kept under `key` (`stored_notes`, reading
        no more of them); None when there are none, or unreadable."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM notes WHERE key = ?", (key,)).fetchone()
            return None if row is None else decode_notes_html(row[0])
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            log.warning("notes cache entry unreadable (%s)", exc)
            return None

    def kept(self, fingerprints: Mapping[str, str]) -> dict[str, Prepared]:
        """The records kept of the folders in `fingerprints` (slug: fingerprint) that still have
        that fingerprint, by slug. The records of folders not in `fingerprints` (gone, or not to
        be kept this build) are forgotten.

        One pass over the table, the fingerprints compared here: a third less than a join with
        them in a table of their own, and what it reads in vain (the records of folders that
        changed) is read once, as those of folders gone are forgotten."""
        if self.db is None or not fingerprints:
            return {}
        found: dict[str, Prepared] = {}
        try:
            gone = []
            rows = self.db.execute("SELECT slug, fingerprint, value, checksum FROM episode")
            with collector.paused(frozen=True):
                for slug, fingerprint, value, checksum in rows:
                    wanted = fingerprints.get(slug)
                    if wanted is None:
                        gone.append((slug,))
                    elif wanted == fingerprint:
                        record = _unpickled(slug, fingerprint, value, checksum)
                        if record is not None:
                            found[slug] = record
            self.db.commit()  # its snapshot released: workers may write now, and so may this process
        except sqlite3.Error as exc:
            log.warning("episode records unreadable (%s); reading the folders", exc)
            return {}
        if gone:  # (waits for another build writing; the next build forgets them when this cannot)
            try:
                self.db.executemany("DELETE FROM episode WHERE slug = ?", gone)
                self.db.commit()
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    self.db.rollback()
                log.warning("the records of %d folders gone not forgotten (%s)", len(gone), exc)
        return found

    def keep_prepared(self, slug: str, fingerprint: str, prepared: Prepared) -> None:
        if self.db is None:
            return
        try:
            value = pickle_record(prepared)
        except (pickle.PicklingError, TypeError) as exc:
            log.warning("episode record %s not kept (%s)", slug, exc)
            return
        self.keep_pickled([(slug, fingerprint, value)])

    def keep_pickled(self, records: Sequence[tuple[str, str, bytes]]) -> None:
        """Keep records pickled already (by worker processes): (slug, fingerprint, pickle) each."""
        rows = [(*record, record_checksum(*record)) for record in records]
        if self.pending is not None:
            self.pending.extend((KEEP_RECORD, row) for row in rows)
            return
        if self.db is None:
            return
        try:
            self.db.executemany(KEEP_RECORD, rows)
        except sqlite3.Error as exc:
            log.warning("%d episode records not kept (%s)", len(records), exc)

    def close(self, *, wait: bool = True) -> None:
        """Commit, and close. Closing copies the log of a WAL cache into its file and waits for
        the disk (after a cold build of 10,000 episodes, ~200 MB and a third of a second): with
        `wait` false that goes on in a thread while the caller carries on (what is committed is
        there for any connection meanwhile), and the process waits for it before it exits."""
        db, self.db = self.db, None
        if db is None:
            return
        try:
            db.commit()
        except sqlite3.Error as exc:
            log.warning("build cache not saved (%s)", exc)
        if wait:
            _close(db)
        else:
            closing = threading.Thread(target=_close, args=(db,), name="build cache closing")
            closing.start()
            _closing.append(closing)

    def __enter__(self) -> BuildCache:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
