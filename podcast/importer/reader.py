"""A parsed RSS feed → plain data: the channel (`FeedShow`) and its items (`FeedItem`).

Nothing is written here and nothing is fetched. What a real-world feed gets wrong and
a forgiving app reads anyway is read the same way and noted in `Notes`: itunes:explicit
as yes/no/clean, items without a guid (the enclosure URL stands in, as apps do),
relative URLs, dates in RFC 822 variants or ISO 8601. Namespaces are matched by what
they are (a feed that spells the iTunes URI with https or in capitals is still read).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from ..controlchars import clean_line, clean_text
from ..schema import MAX_BYTE_COUNT, Invalid, https_url, media_type
from ..weburl import is_readable_url, joined
from .dates import parse_date, parse_duration
from .xmlparse import split_tag


@dataclass
class Notes:
    """What was recovered, counted: one line per kind, however many items it touched."""

    counts: Counter = field(default_factory=Counter)

    def add(self, message: str) -> None:
        self.counts[message] += 1

    def lines(self) -> list[str]:
        return [m if n == 1 else f"{m} ({n} items)" for m, n in self.counts.items()]


@dataclass(frozen=True)
class Enclosure:
    url: str
    length: int  # bytes, as the feed says (0 when it does not)
    type: str


@dataclass(frozen=True)
class FeedPerson:
    name: str
    role: str | None = None
    group: str | None = None
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class FeedTranscript:
    url: str
    type: str
    language: str | None = None


@dataclass(frozen=True)
class FeedItem:
    guid: str
    title: str
    date: datetime | None
    enclosure: Enclosure | None
    duration: float | None = None
    link: str | None = None
    season: int | None = None
    number: int | None = None
    episode_type: str | None = None
    explicit: bool | None = None
    author: str | None = None
    itunes_title: str | None = None
    image: str | None = None
    notes_html: str = ""  # content:encoded, else description, else itunes:summary
    chapters_url: str | None = None
    transcripts: tuple[FeedTranscript, ...] = ()
    persons: tuple[FeedPerson, ...] = ()
    soundbites: tuple[tuple[str, str, str | None], ...] = ()  # (startTime, duration, title) as written
    license: tuple[str, str | None] | None = None
    locations: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class FeedShow:
    title: str
    description: str
    link: str | None
    language: str | None
    author: str | None
    owner_name: str | None
    owner_email: str | None
    artwork: str | None
    categories: tuple[str, ...]  # "Health & Fitness > Medicine"
    explicit: bool | None
    type: str | None
    copyright: str | None
    guid: str | None  # podcast:guid
    self_url: str | None  # atom:link rel="self"
    new_feed_url: str | None
    locked: bool | None
    locked_owner: str | None
    funding: tuple[tuple[str, str], ...]
    persons: tuple[FeedPerson, ...]
    medium: str | None
    complete: bool
    block: bool
    license: tuple[str, str | None] | None = None  # (identifier, url)
    locations: tuple[dict[str, str], ...] = ()  # name, geo, osm, country, rel as the tag has them
    txts: tuple[tuple[str, str | None], ...] = ()  # (text, purpose)
    update_frequency: tuple[str, str | None, str | None] | None = None  # (text, rrule, dtstart)


def _kind(namespace: str | None) -> str:
    uri = (namespace or "").lower()
    if uri in _PREFIXES:  # an undeclared prefix, read in recover mode, means what it usually means
        return _PREFIXES[uri]
    if "itunes.com/dtds" in uri:
        return "itunes"
    if "podcastindex.org/namespace" in uri:
        return "podcast"
    if "purl.org/rss/1.0/modules/content" in uri:
        return "content"
    if "w3.org/2005/atom" in uri:
        return "atom"
    return "" if not uri else "other"


_PREFIXES = {"itunes": "itunes", "podcast": "podcast", "content": "content", "atom": "atom"}


class _Children:
    """An element's children by (namespace kind, local name), first one wins."""

    def __init__(self, element: etree._Element) -> None:
        self.all: dict[tuple[str, str], list[etree._Element]] = {}
        for child in element:
            if isinstance(child.tag, str):
                namespace, local = split_tag(child.tag)
                self.all.setdefault((_kind(namespace), local), []).append(child)

    def one(self, key: str) -> etree._Element | None:
        found = self.all.get(_key(key))
        return found[0] if found else None

    def many(self, key: str) -> list[etree._Element]:
        return self.all.get(_key(key), [])

    def text(self, key: str) -> str | None:
        element = self.one(key)
        if element is None:
            return None
        value = clean_text("".join(element.itertext())).strip()  # no control character reaches a file
        return value or None


def _key(key: str) -> tuple[str, str]:
    kind, _, name = key.rpartition(":")
    return kind, name


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # "https:", "javascript:", "data:": not relative


def _absolute(url: str | None, base: str | None, notes: Notes, what: str) -> str | None:
    """The URL made absolute (against the feed's address or the show's link); None when it is not one."""
    if not url or not url.strip():
        return None
    url = clean_text(url).strip()
    if not _SCHEME.match(url) and base:
        notes.add(f"relative {what} URLs made absolute against {base}")
        url = joined(base, url) or ""
    try:
        url = https_url(url)
    except Invalid:
        url = ""
    if not url or not is_readable_url(url):  # no app could fetch it, nor could we
        notes.add(f"{what} URLs that are not http(s) addresses left out")
        return None
    return url


_TRUE = {"yes", "true", "explicit"}
_FALSE = {"no", "false", "clean"}


def _explicit(value: str | None, notes: Notes) -> bool | None:
    if value is None:
        return None
    word = value.strip().lower()
    if word in _TRUE | _FALSE:
        if word not in ("true", "false"):
            notes.add(f'itunes:explicit "{value.strip()}" read as {str(word in _TRUE).lower()}')
        return word in _TRUE
    notes.add(f'itunes:explicit "{value.strip()}" is not a value Apple knows; left out')
    return None


def _whole(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and int(value) >= 1 else None


def _persons(children: _Children, base: str | None, notes: Notes) -> tuple[FeedPerson, ...]:
    found = []
    for element in children.many("podcast:person"):
        name = "".join(element.itertext()).strip()
        if name:
            found.append(
                FeedPerson(
                    name,
                    element.get("role"),
                    element.get("group"),
                    _absolute(element.get("href"), base, notes, "person"),
                    _absolute(element.get("img"), base, notes, "person image"),
                )
            )
    return tuple(found)


def _categories(children: _Children) -> tuple[str, ...]:
    found = []
    for element in children.many("itunes:category"):
        top = (element.get("text") or "").strip()
        subs = [(s.get("text") or "").strip() for s in element if isinstance(s.tag, str)]
        subs = [s for s in subs if s]
        if top:
            found.extend([f"{top} > {s}" for s in subs] or [top])
    return tuple(found)


def _owner(children: _Children) -> tuple[str | None, str | None]:
    owner = children.one("itunes:owner")
    name = email = None
    if owner is not None:
        inner = _Children(owner)
        name, email = inner.text("itunes:name"), inner.text("itunes:email")
    if email is None:
        # managingEditor: "ann@example.com (Ann Host)"
        editor = children.text(":managingEditor") or children.text(":webMaster")
        if editor and "@" in editor:
            email = editor.split()[0].strip("<>")
            if name is None and "(" in editor:
                name = editor.split("(", 1)[1].rstrip(")").strip() or None
    return name, email


def read_show(rss: etree._Element, feed_url: str | None, notes: Notes) -> FeedShow:
    channel = rss.find("channel")
    assert channel is not None
    c = _Children(channel)
    link = c.text(":link")
    base = feed_url or link
    self_url = None
    for element in c.many("atom:link"):
        if element.get("rel") == "self" and element.get("href"):
            self_url = element.get("href").strip()
    image = c.one("itunes:image")
    artwork = image.get("href") if image is not None else None
    if not artwork and c.one(":image") is not None:
        artwork = _Children(c.one(":image")).text(":url")
    owner_name, owner_email = _owner(c)
    locked_element = c.one("podcast:locked")
    locked = None
    if locked_element is not None:
        locked = "".join(locked_element.itertext()).strip().lower() == "yes"
    funding = tuple(
        (_absolute(f.get("url"), base, notes, "funding") or "", "".join(f.itertext()).strip())
        for f in c.many("podcast:funding")
        if f.get("url")
    )
    return FeedShow(
        title=c.text(":title") or "",
        description=c.text(":description") or c.text("itunes:summary") or "",
        link=_absolute(link, feed_url, notes, "link"),
        language=c.text(":language"),
        author=c.text("itunes:author"),
        owner_name=owner_name,
        owner_email=owner_email,
        artwork=_absolute(artwork, base, notes, "artwork"),
        categories=_categories(c),
        explicit=_explicit(c.text("itunes:explicit"), notes),
        type=(c.text("itunes:type") or "").lower() or None,
        copyright=c.text(":copyright"),
        guid=c.text("podcast:guid"),
        self_url=self_url,
        new_feed_url=c.text("itunes:new-feed-url"),
        locked=locked,
        locked_owner=locked_element.get("owner") if locked_element is not None else None,
        funding=funding,
        persons=_persons(c, base, notes),
        medium=(c.text("podcast:medium") or "").lower() or None,
        complete=(c.text("itunes:complete") or "").lower() == "yes",
        block=(c.text("itunes:block") or "").lower() == "yes",
        **_podcast_extras(c),
    )


def _license(c: _Children) -> tuple[str, str | None] | None:
    element = c.one("podcast:license")
    if element is None or not "".join(element.itertext()).strip():
        return None
    return "".join(element.itertext()).strip(), element.get("url")


def _locations(c: _Children) -> tuple[dict[str, str], ...]:
    found = []
    for element in c.many("podcast:location"):
        name = "".join(element.itertext()).strip()
        if name:
            extra = {k: element.get(k).strip() for k in ("geo", "osm", "country", "rel") if element.get(k)}
            found.append({"name": name, **extra})
    return tuple(found)


def _podcast_extras(c: _Children) -> dict:
    """podcast:license, podcast:location, podcast:txt and podcast:updateFrequency of the channel."""
    license_, locations = _license(c), _locations(c)
    txts = tuple(
        ("".join(t.itertext()).strip(), t.get("purpose"))
        for t in c.many("podcast:txt")
        if "".join(t.itertext()).strip()
    )
    frequency = c.one("podcast:updateFrequency")
    update = None
    if frequency is not None and "".join(frequency.itertext()).strip():
        update = ("".join(frequency.itertext()).strip(), frequency.get("rrule"), frequency.get("dtstart"))
    return {"license": license_, "locations": tuple(locations), "txts": txts, "update_frequency": update}


def _enclosure(c: _Children, base: str | None, notes: Notes) -> Enclosure | None:
    element = c.one(":enclosure")
    if element is None or not (element.get("url") or "").strip():
        return None
    url = _absolute(element.get("url"), base, notes, "enclosure")
    if url is None:
        return None
    length = (element.get("length") or "").strip().replace(",", "")
    if not length.isdigit():
        notes.add(
            "enclosures without a byte length (length = 0 written; `podcast lint --online` asks the server)"
        )
        length = "0"
    elif int(length) > MAX_BYTE_COUNT:
        notes.add(
            "enclosure lengths too large to be true (more than TOML's largest whole number) left out "
            "(length = 0 written; `podcast lint --online` asks the server)"
        )
        length = "0"
    kind = (element.get("type") or "").strip().lower()
    if not kind:
        suffix = url.lower().split("?")[0].rsplit(".", 1)[-1]
        kind = _TYPE_OF_SUFFIX.get(suffix, "audio/mpeg")
        notes.add("enclosures without a type: the type taken from the file name")
    elif kind in _MP3_ALIASES:
        notes.add(f'enclosure type "{kind}" read as "audio/mpeg", the type Apple knows for MP3')
        kind = "audio/mpeg"
    else:
        try:
            media_type(kind)
        except Invalid:
            notes.add("enclosure types that are not MIME types: the type taken from the file name")
            kind = _TYPE_OF_SUFFIX.get(url.lower().split("?")[0].rsplit(".", 1)[-1], "audio/mpeg")
    return Enclosure(url, int(length), kind)


_MP3_ALIASES = {"audio/mp3", "audio/x-mp3", "audio/mpeg3", "audio/x-mpeg", "audio/mpg"}


_TYPE_OF_SUFFIX = {
    "m4a": "audio/x-m4a",
    "mp4": "video/mp4",
    "m4v": "video/x-m4v",
    "ogg": "audio/ogg",
    "opus": "audio/opus",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "aac": "audio/aac",
}


def _notes_html(c: _Children) -> str:
    for key in ("content:encoded", ":description", "itunes:summary"):
        value = c.text(key)
        if value:
            return value
    return ""


def _duration(value: str | None, notes: Notes) -> float | None:
    seconds = parse_duration(value)
    if seconds is None and value and value.strip(":0. "):
        notes.add("itunes:duration values that are not a length of time (or over a week) left out")
    return seconds


def _plain_title(value: str | None, notes: Notes) -> str | None:
    """Titles are plain text on one line (the build refuses a line break in one); an entity left in
    one ("&amp;" in CDATA) is what it stands for."""
    if value and re.search(r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);", value):
        notes.add("titles with HTML entities in them (&amp; inside CDATA) read as the characters")
        value = html.unescape(value)
    return clean_line(value) if value else value


def read_items(rss: etree._Element, feed_url: str | None, notes: Notes) -> Iterator[FeedItem]:
    """Each <item>, in the feed's order; an item that cannot be an episode is noted and skipped."""
    channel = rss.find("channel")
    assert channel is not None
    channel_link = _Children(channel).text(":link")
    base = feed_url or channel_link
    seen: set[str] = set()
    for number, element in enumerate(channel.iterfind("item"), start=1):
        c = _Children(element)
        enclosure = _enclosure(c, base, notes)
        guid = _item_guid(c.text(":guid"), enclosure, seen, notes)
        if guid is None:
            continue
        seen.add(guid)
        yield _item(c, number, guid, enclosure, base, notes)


def _item_guid(guid: str | None, enclosure: Enclosure | None, seen: set[str], notes: Notes) -> str | None:
    """The item's guid, or its enclosure's URL when it has none, as apps do; None (noted) for an
    item apps cannot tell apart from another."""
    if guid is None:
        if enclosure is None:
            notes.add("items with neither a guid nor an enclosure skipped (apps cannot tell them apart)")
            return None
        guid = enclosure.url
        notes.add("items without a guid: the enclosure URL kept as the guid, as apps use it")
    if guid in seen:
        notes.add("items whose guid repeats an earlier item's skipped (apps merge them into one)")
        return None
    return guid


def _item(
    c: _Children, number: int, guid: str, enclosure: Enclosure | None, base: str | None, notes: Notes
) -> FeedItem:
    """The `number`th item of the feed, read."""
    title = _plain_title(c.text(":title") or c.text("itunes:title"), notes)
    if not title:
        title = f"Episode {number}"
        notes.add("items without a title named by their place in the feed")
    date, guessed = parse_date(c.text(":pubDate"))
    if guessed and date is not None:
        notes.add("pubDates not in RFC 822 form (ISO 8601, full names, other zones) read as dates")
    if date is None:
        notes.add("items without a readable pubDate kept as drafts")
    image = c.one("itunes:image")
    chapters = c.one("podcast:chapters")
    return FeedItem(
        guid=guid,
        title=title,
        date=date,
        enclosure=enclosure,
        duration=_duration(c.text("itunes:duration"), notes),
        link=_absolute(c.text(":link"), base, notes, "item link"),
        season=_whole(c.text("itunes:season") or c.text("podcast:season")),
        number=_whole(c.text("itunes:episode") or c.text("podcast:episode")),
        episode_type=(c.text("itunes:episodeType") or "").lower() or None,
        explicit=_explicit(c.text("itunes:explicit"), notes),
        author=c.text("itunes:author"),
        itunes_title=_plain_title(c.text("itunes:title"), notes),
        image=_absolute(image.get("href") if image is not None else None, base, notes, "image"),
        notes_html=_notes_html(c),
        chapters_url=_absolute(
            chapters.get("url") if chapters is not None else None, base, notes, "chapters"
        ),
        transcripts=_transcripts(c, base, notes),
        persons=_persons(c, base, notes),
        soundbites=tuple(
            (b.get("startTime") or "", b.get("duration") or "", "".join(b.itertext()).strip() or None)
            for b in c.many("podcast:soundbite")
        ),
        license=_license(c),
        locations=_locations(c),
    )


def _transcripts(c: _Children, base: str | None, notes: Notes) -> tuple[FeedTranscript, ...]:
    return tuple(
        FeedTranscript(
            _absolute(t.get("url"), base, notes, "transcript") or "",
            (t.get("type") or "").strip().lower(),
            t.get("language"),
        )
        for t in c.many("podcast:transcript")
        if t.get("url")
    )
