"""The data that flows between stages: frozen dataclasses, no I/O.

Like mutagen, what the stream *is* (`AudioInfo`) is kept apart from what the
producer *says* about it (`Episode`) and from the text around it (`ShowNotes`).
Stages return new objects (`dataclasses.replace`) rather than mutating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

EpisodeType = Literal["full", "trailer", "bonus"]
ShowType = Literal["episodic", "serial"]

FEED_FILENAME = "feed.xml"


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
    source: str = "podcast.toml"
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def feed_url(self) -> str:
        return self.url_for(FEED_FILENAME)

    @property
    def artwork_path(self) -> str | None:
        """Where local artwork is published, relative to base_url."""
        if not self.artwork or self.artwork.startswith(("http://", "https://")):
            return None
        return "artwork" + Path(self.artwork).suffix.lower()

    @property
    def artwork_url(self) -> str | None:
        if self.artwork_path:
            return self.url_for(self.artwork_path)
        return self.artwork

    def url_for(self, relpath: str) -> str:
        """The public URL of a file published at `relpath` under base_url."""
        return self.base_url.rstrip("/") + "/" + relpath.lstrip("/")


@dataclass(frozen=True)
class Episode:
    slug: str  # the folder name under episodes/
    source: str  # episodes/<slug>/episode.md, relative to the show directory
    title: str
    date: datetime  # timezone-aware
    guid: str
    guid_pinned: bool = True  # False when derived because the front matter had none
    audio: Path | None = None  # local file
    audio_url: str | None = None  # remote audio, instead of a local file
    season: int | None = None
    number: int | None = None
    episode_type: EpisodeType = "full"
    explicit: bool | None = None  # None: the show's setting
    hosts: tuple[str, ...] = ()
    draft: bool = False
    article: str = ""
    article_format: Literal["text", "markdown"] = "text"
    link: str | None = None  # the episode's web page; the full notes
    chapters_from: Literal["timestamps", "sections"] | None = None  # None: the show's setting
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    # Filled in by later stages.
    info: AudioInfo | None = None
    notes: ShowNotes | None = None
    chapters: tuple[Chapter, ...] = ()  # chapters.json > the audio's chapters > notes.chapters

    @property
    def chapters_path(self) -> str:
        """Where the episode's JSON chapters are published, relative to base_url."""
        return f"chapters/{self.slug}.json"

    @property
    def folder(self) -> str:
        return str(Path(self.source).parent)

    @property
    def media_path(self) -> str | None:
        """Where the audio is published, relative to base_url."""
        if self.audio is None:
            return None
        return f"media/{self.slug}/{self.audio.name}"
