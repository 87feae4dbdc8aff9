"""The Podcasting 2.0 namespace (podcast:) as a feedgen extension.

Registered under the key `podcastindex`, because feedgen's own iTunes extension
is loaded under the key `podcast`; the XML prefix comes from extend_ns. The
channel class declares the namespace even for tags only items use, since feedgen
builds the root nsmap from channel-level extensions only.

Like feedgen's own extensions, the classes hold model values and turn them into
XML, in a fixed order, writing only what is set. Element and attribute names are
spelled as in https://podcastindex.org/namespace/1.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import formatRFC2822, xml_elem

from ..model import (
    Funding,
    License,
    Location,
    Locked,
    Person,
    Soundbite,
    Transcript,
    Txt,
    UpdateFrequency,
)
from .xmltext import CHILD, GRANDCHILD, attributes, element, text

PODCAST_NS = "https://podcastindex.org/namespace/1.0"


def _tag(parent, name: str, value: str | None = None, **attrs: str | None):
    element = xml_elem(f"{{{PODCAST_NS}}}{name}", parent, **{k: v for k, v in attrs.items() if v is not None})
    if value is not None:
        element.text = value
    return element


def _number(value: float) -> str:
    """Seconds as the spec writes them: 73.0, 1234.5."""
    return f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.1f}"


@dataclass(frozen=True)
class Trailer:
    """A podcast:trailer: like an enclosure, plus its date and title."""

    title: str
    url: str
    pubdate: datetime  # timezone-aware
    length: int | None = None
    type: str | None = None
    season: int | None = None


@dataclass(frozen=True)
class AlternateEnclosure:
    """One version of an item's media: podcast:alternateEnclosure with one podcast:source."""

    url: str
    type: str
    length: int | None = None
    bitrate: int | None = None  # bits per second
    title: str | None = None
    default: bool = False


def _persons(parent, persons: tuple[Person, ...]) -> None:
    for person in persons:
        _tag(
            parent,
            "person",
            person.name,
            role=person.role,
            group=person.group,
            img=person.img,
            href=person.href,
        )


def _locations(parent, locations: tuple[Location, ...]) -> None:
    for place in locations:
        _tag(
            parent, "location", place.name, rel=place.rel, geo=place.geo, osm=place.osm, country=place.country
        )


def _license(parent, license: License | None) -> None:
    if license:
        _tag(parent, "license", license.identifier, url=license.url)


def _txts(parent, txts: tuple[Txt, ...]) -> None:
    for txt in txts:
        _tag(parent, "txt", txt.text, purpose=txt.purpose)


class PodcastIndexChannel(BaseExtension):
    """Channel-level podcast:* tags."""

    def __init__(self) -> None:
        self.guid: str | None = None
        self.locked: Locked | None = None
        self.funding: tuple[Funding, ...] = ()
        self.persons: tuple[Person, ...] = ()
        self.medium: str | None = None
        self.license: License | None = None
        self.locations: tuple[Location, ...] = ()
        self.txts: tuple[Txt, ...] = ()
        self.trailers: tuple[Trailer, ...] = ()
        self.update_frequency: UpdateFrequency | None = None
        self.complete: bool = False  # the show is finished: updateFrequency complete="true"

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss):
        channel = rss[0]
        if self.guid:
            _tag(channel, "guid", self.guid)
        if self.locked:
            _tag(channel, "locked", "yes" if self.locked.locked else "no", owner=self.locked.owner)
        for fund in self.funding:
            _tag(channel, "funding", fund.text, url=fund.url)
        _persons(channel, self.persons)
        if self.medium:
            _tag(channel, "medium", self.medium)
        _license(channel, self.license)
        _locations(channel, self.locations)
        _txts(channel, self.txts)
        for trailer in self.trailers:
            _tag(
                channel,
                "trailer",
                trailer.title,
                url=trailer.url,
                pubdate=formatRFC2822(trailer.pubdate),
                length=None if trailer.length is None else str(trailer.length),
                type=trailer.type,
                season=None if trailer.season is None else str(trailer.season),
            )
        frequency = self.update_frequency
        if frequency:
            _tag(
                channel,
                "updateFrequency",
                frequency.text,
                complete="true" if self.complete else None,
                dtstart=frequency.dtstart,
                rrule=frequency.rrule,
            )
        return rss


class PodcastIndexItem(BaseEntryExtension):
    """Item-level podcast:* tags."""

    def __init__(self) -> None:
        self.season: int | None = None
        self.episode: int | None = None
        self.transcripts: tuple[tuple[str, Transcript], ...] = ()  # (url, transcript)
        self.persons: tuple[Person, ...] = ()
        self.soundbites: tuple[Soundbite, ...] = ()
        self.alternate_enclosures: tuple[AlternateEnclosure, ...] = ()
        self.locations: tuple[Location, ...] = ()
        self.license: License | None = None
        self.chapters: tuple[str, str] | None = None  # (url, type) of the JSON chapters

    def extend_rss(self, item):
        if self.season is not None:
            _tag(item, "season", str(self.season))
        if self.episode is not None:
            _tag(item, "episode", str(self.episode))
        for url, transcript in self.transcripts:
            _tag(
                item,
                "transcript",
                url=url,
                type=transcript.mime,
                language=transcript.language,
                rel="captions" if transcript.captions else None,
            )
        _persons(item, self.persons)
        for bite in self.soundbites:
            _tag(
                item, "soundbite", bite.title, startTime=_number(bite.start), duration=_number(bite.duration)
            )
        for version in self.alternate_enclosures:
            enclosure = _tag(
                item,
                "alternateEnclosure",
                type=version.type,
                length=None if version.length is None else str(version.length),
                bitrate=None if version.bitrate is None else str(version.bitrate),
                title=version.title,
                default="true" if version.default else None,
            )
            _tag(enclosure, "source", uri=version.url)
        _locations(item, self.locations)
        _license(item, self.license)
        if self.chapters is not None:
            _tag(item, "chapters", url=self.chapters[0], type=self.chapters[1])
        return item

    def write(self, out: list[str]) -> None:
        """What extend_rss adds, as text lines of the item (xmltext), appended to `out`."""
        if self.season is not None:
            out.append(element(CHILD, "podcast:season", str(self.season)))
        if self.episode is not None:
            out.append(element(CHILD, "podcast:episode", str(self.episode)))
        for url, transcript in self.transcripts:
            attrs = attributes(
                (
                    ("url", url),
                    ("type", transcript.mime),
                    ("language", transcript.language),
                    ("rel", "captions" if transcript.captions else None),
                )
            )
            out.append(element(CHILD, "podcast:transcript", None, attrs))
        for person in self.persons:
            attrs = attributes(
                (("role", person.role), ("group", person.group), ("img", person.img), ("href", person.href))
            )
            out.append(element(CHILD, "podcast:person", text(person.name), attrs))
        for bite in self.soundbites:
            attrs = attributes((("startTime", _number(bite.start)), ("duration", _number(bite.duration))))
            title = None if bite.title is None else text(bite.title)
            out.append(element(CHILD, "podcast:soundbite", title, attrs))
        for version in self.alternate_enclosures:
            attrs = attributes(
                (
                    ("type", version.type),
                    ("length", None if version.length is None else str(version.length)),
                    ("bitrate", None if version.bitrate is None else str(version.bitrate)),
                    ("title", version.title),
                    ("default", "true" if version.default else None),
                )
            )
            out.append(f"{CHILD}<podcast:alternateEnclosure{attrs}>\n")
            out.append(element(GRANDCHILD, "podcast:source", None, attributes((("uri", version.url),))))
            out.append(f"{CHILD}</podcast:alternateEnclosure>\n")
        for place in self.locations:
            attrs = attributes(
                (("rel", place.rel), ("geo", place.geo), ("osm", place.osm), ("country", place.country))
            )
            out.append(element(CHILD, "podcast:location", text(place.name), attrs))
        if self.license:
            attrs = attributes((("url", self.license.url),))
            out.append(element(CHILD, "podcast:license", text(self.license.identifier), attrs))
        if self.chapters is not None:
            attrs = attributes((("url", self.chapters[0]), ("type", self.chapters[1])))
            out.append(element(CHILD, "podcast:chapters", None, attrs))
