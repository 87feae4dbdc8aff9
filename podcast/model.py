"""The data that flows between stages: frozen dataclasses, no I/O.

Like mutagen, what the stream *is* (`AudioInfo`) is kept apart from what the
producer *says* about it (`Episode`) and from the text around it (`ShowNotes`).
Stages return new objects (`dataclasses.replace`) rather than mutating.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from .layout import ARTWORK_STEM, CHAPTERS_DIR, EPISODE_IMAGES_DIR, FEED_FILENAME, MEDIA_DIR, SHOW_FILE
from .weburl import has_web_scheme

EpisodeType = Literal["full", "trailer", "bonus"]

Data = TypeVar("Data")


def replaced(value: Data, **changes: object) -> Data:
    """`dataclasses.replace(value, **changes)` for the frozen dataclasses here, which have no
    __post_init__ to run: a copy of the instance's fields with `changes` over them, without
    calling __init__ (an Episode has over thirty fields; making one ready replaces it a dozen
    times: 2 µs instead of 6). How to copy each class is worked out once (`_copier`)."""
    cls = type(value)
    found = _COPIERS.get(cls)
    if found is None:
        found = _COPIERS[cls] = _copier(cls)
    fields, copy = found
    if not fields.issuperset(changes):
        unknown = next(name for name in changes if name not in fields)
        raise TypeError(f"{cls.__name__} has no field {unknown!r} to replace")
    return copy(value, changes)


# By class: the names of the fields `replaced` may change, and how it copies an instance.
_COPIERS: dict[type, tuple[frozenset[str], Callable[[Any, dict[str, object]], Any]]] = {}


def _copier(cls: type) -> tuple[frozenset[str], Callable[[Any, dict[str, object]], Any]]:
    """`replaced`'s way with instances of `cls`: the fields it may change (those __init__
    takes), and a function copying an instance with changes."""
    fields = frozenset(f.name for f in dataclasses.fields(cls) if f.init)
    if hasattr(cls, "__post_init__"):  # which the copy must run: dataclasses.replace does

        def copy(value: Any, changes: dict[str, object]) -> Any:
            return dataclasses.replace(value, **changes)

    elif "__slots__" in cls.__dict__:
        copy = _slot_setter(
            cls, "value, changes", lambda n: f"changes[{n!r}] if {n!r} in changes else value.{n}"
        )
    else:

        def copy(value: Any, changes: dict[str, object]) -> Any:
            new = object.__new__(cls)
            held = new.__dict__
            held.update(value.__dict__)
            held.update(changes)
            return new

    return fields, copy


def _slot_setter(
    cls: type, arguments: str, value_of: Callable[[str], str], names: Sequence[str] | None = None
) -> Callable:
    """A function making an instance of `cls` (a frozen dataclass with slots) from `arguments`,
    each field (of `names`, by default all) set to the expression `value_of(name)`: written out
    field by field, as dataclasses writes __init__ (a loop over the fields costs twice as much)."""
    names = [f.name for f in dataclasses.fields(cls)] if names is None else list(names)
    body = "".join(f"    put(new, {n!r}, {value_of(n)})\n" for n in names)
    source = f"def made({arguments}):\n    new = make(cls)\n{body}    return new\n"
    scope: dict[str, Any] = {"make": object.__new__, "put": object.__setattr__, "cls": cls}
    exec(source, scope)  # noqa: S102 - our own field names, as dataclasses does
    return scope["made"]


ShowType = Literal["episodic", "serial"]


@dataclass(frozen=True)
class Person:
    name: str
    role: str = "host"
    group: str = "cast"
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class Picture:
    """An image embedded in an audio file (cover art, a chapter's image)."""

    mime: str
    width: int | None = None
    height: int | None = None
    data: bytes = field(default=b"", repr=False)

    @property
    def suffix(self) -> str:
        return {"image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}.get(self.mime, ".jpg")


@dataclass(frozen=True)
class Chapter:
    start: float  # seconds from the start of the audio
    title: str
    end: float | None = None
    url: str | None = None
    image: str | None = None  # a URL (JSON chapters) or a file published beside the feed
    picture: Picture | None = None  # an image embedded in the audio's chapter frame


@dataclass(frozen=True)
class Transcript:
    path: Path  # local file in the episode folder
    mime: str
    language: str | None = None
    captions: bool = False  # timed (VTT, SRT, JSON segments): written with rel="captions"
    publish_path: str = ""  # where it is published, relative to base_url (and to feeds/)


# ---------------------------------------------------------------- Podcasting 2.0 values
# One small class per podcast: tag; the feed extension only turns them into XML.


@dataclass(frozen=True)
class Funding:
    url: str
    text: str


@dataclass(frozen=True)
class Locked:
    locked: bool  # podcast:locked yes/no
    owner: str | None = None  # the e-mail that proves ownership


@dataclass(frozen=True)
class Location:
    name: str  # what people read, e.g. "Austin, TX"
    geo: str | None = None  # "geo:30.2672,-97.7431"
    osm: str | None = None  # "R113314"
    country: str | None = None  # ISO 3166-1 alpha-2, lower case
    rel: str | None = None  # "subject" or "creator"


@dataclass(frozen=True)
class License:
    identifier: str  # an SPDX id in lower case, or your own license's short name
    url: str | None = None


@dataclass(frozen=True)
class Txt:
    text: str
    purpose: str | None = None


@dataclass(frozen=True)
class UpdateFrequency:
    text: str  # "Weekly"
    rrule: str | None = None  # RFC 5545, e.g. "FREQ=WEEKLY"
    dtstart: str | None = None  # ISO 8601


@dataclass(frozen=True)
class Soundbite:
    start: float  # seconds
    duration: float  # seconds
    title: str | None = None


@dataclass(frozen=True)
class AlternateAudio:
    """The episode's audio in another format, next to the main file."""

    path: Path
    info: AudioInfo | None = None  # filled in by the probe stage


@dataclass(frozen=True)
class RemoteAudio:
    """Audio published elsewhere, named by URL in the front matter (`audio_url`, `length`,
    `type`, `duration`): the enclosure says what the producer recorded, as it is."""

    url: str
    length: int  # bytes
    type: str  # MIME type, e.g. audio/mpeg
    duration: float | None = None  # seconds; None when unknown

    @property
    def info(self) -> AudioInfo:
        """The facts the feed needs, as if read from a file (0 s: no itunes:duration)."""
        suffix = Path(self.url.split("?", 1)[0].split("#", 1)[0]).suffix.lstrip(".").lower()
        return AudioInfo(size=self.length, mime=self.type, duration=self.duration or 0.0, format=suffix)


@dataclass(frozen=True)
class AudioInfo:
    """Facts read from the audio file itself."""

    size: int  # bytes, exactly as on disk
    mime: str
    duration: float  # seconds
    format: str = ""  # short name: mp3, m4a, ogg, ...
    bitrate: int | None = None  # bits per second
    sample_rate: int | None = None
    channels: int | None = None
    duration_estimated: bool = False  # True when no header states the length
    truncated: bool = False  # the header promises more bytes than the file holds


@dataclass(frozen=True)
class Tags:
    """What an audio file's tags say about it (ID3, MP4 atoms, Vorbis comments)."""

    title: str | None = None
    artist: str | None = None
    album: str | None = None
    date: str | None = None  # as written: "2025", "2025-04-02", ...
    comment: str | None = None
    description: str | None = None
    track: int | None = None  # the episode number
    disc: int | None = None  # the season
    genre: str | None = None
    feed_url: str | None = None  # ID3 WFED / MP4 purl
    guid: str | None = None  # ID3 TGID / MP4 egid
    podcast: bool = False  # ID3 PCST / MP4 pcst


@dataclass(frozen=True)
class AudioFile:
    """Everything read from one audio file: the stream, its tags, chapters and artwork."""

    path: Path
    info: AudioInfo
    tags: Tags = Tags()
    chapters: tuple[Chapter, ...] = ()
    artwork: Picture | None = None
    # The chapters carry the mark `podcast tag` leaves: copies of the notes' or chapters.json's,
    # not a source of their own (an editor's chapters never carry it).
    chapters_written_by_tag: bool = False


@dataclass(frozen=True)
class Section:
    heading: str | None
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ShowNotes:
    """An episode's article text turned into what apps display."""

    sections: tuple[Section, ...]
    html: str  # full notes, for content:encoded
    description_html: str  # Apple's subset, at most 4000 bytes, for <description>
    text: str  # plain text, for clients without HTML and for audio comment tags
    title: str | None = None
    chapters: tuple[Chapter, ...] = ()


PUBNOTIFY_URL = "https://api.podcastindex.org/api/1.0/hub/pubnotify"


@dataclass(frozen=True)
class PublishSettings:
    """The [publish] table: where `podcast publish` puts the show, and whom it tells.

    Credentials are never here: S3 reads them from the AWS environment and config files.
    """

    to: str | None = None  # a directory, file://…, or s3://bucket/prefix
    endpoint_url: str | None = None  # an S3-compatible service other than AWS (R2, B2, MinIO, …)
    region: str | None = None
    profile: str | None = None  # a profile of ~/.aws/config and ~/.aws/credentials
    hubs: tuple[str, ...] = ()  # WebSub hubs: named in the feed, pinged after each publish
    pubnotify: str | None = PUBNOTIFY_URL  # Podcast Index's pubnotify; None: not told


@dataclass(frozen=True)
class Pages:
    """The show's web pages (feeds/index.html and one page per episode): see podcast/web/."""

    enabled: bool = True
    subscribe: tuple[tuple[str, str], ...] = ()  # (label, URL) of each directory that lists the show


@dataclass(frozen=True)
class Show:
    root: Path  # the show directory
    title: str
    description: str
    author: str
    owner_name: str
    owner_email: str
    language: str
    link: str  # the show's website
    base_url: str  # where the contents of feeds/ (and media/) are served
    guid: str  # podcast:guid, written once by `podcast init`
    artwork: str | None = None  # a file in the show directory, or an https URL
    categories: tuple[tuple[str, str | None], ...] = ()
    explicit: bool = False
    type: ShowType = "episodic"
    copyright: str | None = None
    timezone: str = "UTC"
    chapters_from: Literal["timestamps", "sections"] = "timestamps"  # how show notes make chapters
    # Podlove Simple Chapters inline too: opt-in, since the W3C validator warns about the namespace.
    simple_chapters: bool = False
    feed_items: int | None = None  # feed.xml holds the newest this many; the rest go on paged feeds
    # Podcasting 2.0 and Apple extras (see the README's section of that name).
    persons: tuple[Person, ...] = ()
    funding: tuple[Funding, ...] = ()
    locked: Locked | None = None
    medium: str | None = None
    license: License | None = None
    locations: tuple[Location, ...] = ()
    txts: tuple[Txt, ...] = ()
    update_frequency: UpdateFrequency | None = None
    new_feed_url: str | None = None
    block: bool = False
    complete: bool = False
    pages: Pages = Pages()
    imported_from: str | None = None  # the feed `podcast import` read ([imported] feed)
    imported_guid: str | None = None  # the podcast:guid it had then ([imported] guid)
    # Publishing: an analytics prefix in front of every enclosure URL (OP3, Podtrac, …), and [publish].
    enclosure_prefix: str | None = None
    publish: PublishSettings = PublishSettings()
    source: str = SHOW_FILE
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def feed_url(self) -> str:
        return self.url_for(FEED_FILENAME)

    @property
    def artwork_path(self) -> str | None:
        """Where local artwork is published, relative to base_url."""
        if not self.artwork or has_web_scheme(self.artwork):
            return None
        return ARTWORK_STEM + Path(self.artwork).suffix.lower()

    @property
    def artwork_url(self) -> str | None:
        if self.artwork_path:
            return self.url_for(self.artwork_path)
        return self.artwork

    def url_for(self, relpath: str) -> str:
        """The public URL of a file published at `relpath` under base_url."""
        return self.base_url.rstrip("/") + "/" + relpath.lstrip("/")

    def measured(self, url: str) -> str:
        """An enclosure `url` behind the show's analytics prefix, as hosts write it: the
        prefix, then the address without its https:// (a plain http:// address keeps it)."""
        if not self.enclosure_prefix:
            return url
        bare = url[len("https://") :] if url.startswith("https://") else url
        return self.enclosure_prefix + bare

    def unmeasured(self, url: str) -> str:
        """The file's own address, from an enclosure URL that `measured` wrote."""
        prefix = self.enclosure_prefix
        if not prefix or not url.startswith(prefix):
            return url
        rest = url[len(prefix) :]
        return rest if has_web_scheme(rest) else "https://" + rest


class _Deferred:
    """The base of a dataclass with slots some of whose fields an instance may be made without,
    each group of them set from its part the first time one of them is read (see
    `episode_deferred`). Reading any of them then reads as if they had been set all along:
    equality, repr, hashing, `replaced` and pickling read them too."""

    # (load, parts, the index of each field's group, the groups' field names): parts[i] holds the
    # values of group i's fields, as load(parts[i]) gives them back; None once they are set.
    __slots__ = ("_unread",)

    def __getattr__(self, name: str) -> Any:  # only for a slot not set (or a name not a field)
        try:
            load, parts, group_of, groups = object.__getattribute__(self, "_unread")
            index = group_of[name]
        except (AttributeError, KeyError):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}") from None
        part = parts[index]
        if part is not None:  # (None: another thread set them meanwhile)
            names = groups[index]
            for field_name, value in zip(names, load(part), strict=True):
                object.__setattr__(self, field_name, value)
            parts[index] = None  # once they are set: a thread reading one meanwhile sets them too
        return object.__getattribute__(self, name)


# Slots: a catalog holds 10,000 of them, each with a dict of some forty entries otherwise
# (1.3 KB more an episode).
@dataclass(frozen=True, slots=True)
class Episode(_Deferred):
    slug: str  # the folder name under episodes/
    source: str  # episodes/<slug>/episode.md, relative to the show directory
    title: str
    date: datetime  # timezone-aware
    guid: str
    audio: Path | None = None  # local file
    remote_audio: RemoteAudio | None = None  # audio by URL; only when there is no local file
    season: int | None = None
    number: int | None = None
    episode_type: EpisodeType = "full"
    explicit: bool | None = None  # None: the show's setting
    hosts: tuple[str, ...] = ()
    draft: bool = False
    removed: bool = False  # taken out of the feed on purpose, after it was published
    article: str = ""
    article_format: Literal["text", "markdown"] = "text"
    link: str | None = None  # the episode's web page; the full notes
    chapters_from: Literal["timestamps", "sections"] | None = None  # None: the show's setting
    # Podcasting 2.0 and Apple extras.
    language: str | None = None  # None: the show's language
    persons: tuple[Person, ...] = ()  # when set, replaces the show's people for this episode
    soundbites: tuple[Soundbite, ...] = ()
    alternate_audio: tuple[AlternateAudio, ...] = ()
    locations: tuple[Location, ...] = ()
    license: License | None = None
    itunes_title: str | None = None  # Apple's title without numbering; default: title
    image: str | None = None  # a file in the episode folder, or an https URL
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    # Filled in by later stages.
    info: AudioInfo | None = None
    notes: ShowNotes | None = None
    transcripts: tuple[Transcript, ...] = ()
    audio_chapters: tuple[Chapter, ...] = ()  # the audio's own, as read (one source of `chapters`)
    chapters: tuple[Chapter, ...] = ()  # the ones published: chapters.json > audio_chapters > notes

    def __reduce__(self) -> tuple:
        # Pickled as its fields' values, in order: smaller, and faster to load than by the
        # __setstate__ dataclasses gives a frozen class with slots.
        return (episode_from_values, (episode_values(self),))

    @property
    def chapters_path(self) -> str:
        """Where the episode's JSON chapters are published, relative to base_url."""
        return f"{CHAPTERS_DIR}/{self.slug}.json"

    @property
    def folder(self) -> str:
        """The episode's folder, relative to the show directory (episodes/<slug>)."""
        parts = self.source.split("/")
        if len(parts) == 3 and "" not in parts and "." not in parts:  # as config writes it: no Path needed
            return f"{parts[0]}/{parts[1]}"
        return str(Path(self.source).parent)

    @property
    def is_remote(self) -> bool:
        """The audio is published elsewhere (audio_url): nothing of it to upload or read."""
        return self.audio is None and self.remote_audio is not None

    @property
    def media_path(self) -> str | None:
        """Where the audio is published, relative to base_url."""
        if self.audio is None:
            return None
        return f"{MEDIA_DIR}/{self.slug}/{self.audio.name}"

    def media_path_of(self, path: Path) -> str:
        """Where another file of this episode's audio is published, relative to base_url."""
        return f"{MEDIA_DIR}/{self.slug}/{path.name}"

    @property
    def image_path(self) -> str | None:
        """Where a local episode image is published, relative to base_url (and feeds/)."""
        if not self.image or has_web_scheme(self.image):
            return None
        return f"{EPISODE_IMAGES_DIR}/{self.slug}{Path(self.image).suffix.lower()}"


# An episode's fields' values, in order (what `episode_from_values` takes).
episode_values = operator.attrgetter(*(f.name for f in dataclasses.fields(Episode)))
_EPISODE_FIELDS = {f.name: index for index, f in enumerate(dataclasses.fields(Episode))}
_episode_made = _slot_setter(Episode, "values", lambda n: f"values[{_EPISODE_FIELDS[n]}]")


def episode_from_values(values: tuple) -> Episode:
    """An Episode from its fields' values in order, as `Episode.__reduce__` pickles it."""
    return _episode_made(values)


# What a build reads of every episode it publishes (sorting them by state, the feed, the chapters
# and sidecars written, its report), and, in groups, the rest: what the episode list pages show
# of each, then everything else. A kept episode is made with the first set alone and each group
# set when first read (`episode_deferred`): most builds read neither group of most episodes.
EPISODE_EAGER = (
    "slug",
    "date",
    "guid",
    "removed",
    "draft",
    "episode_type",
    "image",
    "transcripts",
    "chapters",
)
_EPISODE_LISTED = ("title", "hosts", "info", "notes")
EPISODE_DEFERRED = (
    _EPISODE_LISTED,
    tuple(name for name in _EPISODE_FIELDS if name not in EPISODE_EAGER and name not in _EPISODE_LISTED),
)
_GROUP_OF = {name: index for index, names in enumerate(EPISODE_DEFERRED) for name in names}
eager_values = operator.attrgetter(*EPISODE_EAGER)
deferred_values = tuple(operator.attrgetter(*names) for names in EPISODE_DEFERRED)
_episode_begun = _slot_setter(
    Episode,
    "values, unread",
    lambda n: "unread" if n == "_unread" else f"values[{EPISODE_EAGER.index(n)}]",
    (*EPISODE_EAGER, "_unread"),
)


def episode_deferred(eager: tuple, load: Callable[[Any], tuple], parts: Sequence[Any]) -> Episode:
    """An Episode with the fields of EPISODE_EAGER set from `eager` (their values in that order),
    and those of each group of EPISODE_DEFERRED from `load(parts[i])` when one of them is first
    read. Raises ValueError when `eager` or `parts` do not fit those (a record of other code)."""
    if len(eager) != len(EPISODE_EAGER) or len(parts) != len(EPISODE_DEFERRED):
        raise ValueError(f"an episode of {len(eager)} values and {len(parts)} parts")
    return _episode_begun(eager, (load, [*parts], _GROUP_OF, EPISODE_DEFERRED))


def unread_parts(episode: Episode) -> tuple | None:
    """The parts `episode` was made of by `episode_deferred`, while none of its groups was read
    (its fields then hold what loading them gives); None once one was (a part is let go once
    read), and for an episode made otherwise (`replaced` makes one otherwise too)."""
    try:
        parts = object.__getattribute__(episode, "_unread")[1]
    except AttributeError:
        return None
    return None if any(part is None for part in parts) else tuple(parts)
