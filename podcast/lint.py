"""`podcast lint`: what Apple, Spotify, Podcast Index and the apps will refuse, said first.

An ordered list of small rules. Each has a stable code, a severity, a line saying
what it checks and a hint; each yields findings located at a file and a field or
line. Rules read the feed XML (so they work on any feed, ours or one built
elsewhere), the model (when a show directory is linted) and, for a feed given by
URL, what its server answers.

Three ways in:
- `check_show(show, episodes, document)`: the feed `podcast build` is about to
  write, with every finding traced back to podcast.toml or the episode.md it came
  from; the audio and artwork are the local files.
- `check_feed_file(path)`: a feed file. Offline: the files it points to are checked
  only when they lie beside it in a show directory (feeds/, episodes/).
- `check_url(url)`: a published feed, fetched with requests; every enclosure must
  answer HEAD and a byte-range request, and the artwork is downloaded and checked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import langcodes
import requests
from lxml import etree
from PIL import Image, UnidentifiedImageError

from . import audio
from .config import EPISODES_DIR, FEEDS_DIR, SHOW_FILE
from .errors import AudioError, Problem, Severity, errors_in, warnings_in
from .feed.itunes import ITUNES_NS
from .feed.podcastindex import PODCAST_NS
from .model import FEED_FILENAME, Episode, Show
from .schema import apple_categories

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
PREFIXES = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS, "content": CONTENT_NS}

# Apple's figures (Podcasts Connect, "A Podcaster's Guide to RSS").
DESCRIPTION_MAX_BYTES = 4000
VALUE_MAX_CHARS = 255
ARTWORK_MIN_PX, ARTWORK_MAX_PX = 1400, 3000
# Enclosure types Apple lists, and the URL file extensions that go with each.
APPLE_MEDIA_TYPES = {
    "audio/mpeg": (".mp3",),
    "audio/x-m4a": (".m4a",),
    "video/mp4": (".mp4",),
    "video/x-m4v": (".m4v",),
    "video/quicktime": (".mov",),
    "application/pdf": (".pdf",),
}
# Our own threshold, not a directory's published limit: every app re-downloads the
# whole feed on each refresh, and some directories stop reading very large feeds.
MAX_FEED_BYTES = 1_000_000
HTTP_TIMEOUT = 15.0  # seconds, for each request in URL mode
ARTWORK_MAX_DOWNLOAD = 20_000_000  # bytes; no real cover art comes near it
USER_AGENT = "podcast-lint"

IMAGE_EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
# Tags whose text Apple lets run past 255 characters.
LONG_TEXT_TAGS = {"description", "itunes:summary", "content:encoded"}


# ---------------------------------------------------------------- locations


def qname(tag: str) -> str:
    """'itunes:image' → '{http://www.itunes.com/dtds/podcast-1.0.dtd}image'."""
    if ":" in tag:
        prefix, local = tag.split(":", 1)
        return f"{{{PREFIXES[prefix]}}}{local}"
    return tag


def short_name(element: etree._Element) -> str:
    """'{…itunes…}image' → 'itunes:image', for messages."""
    name = etree.QName(element)
    for prefix, uri in PREFIXES.items():
        if name.namespace == uri:
            return f"{prefix}:{name.localname}"
    return name.localname if name.namespace is None else f"{{{name.namespace}}}{name.localname}"


@dataclass(frozen=True)
class Where:
    path: str
    line: int | None = None
    field: str | None = None


@dataclass(frozen=True)
class Finding:
    where: Where
    message: str
    hint: str | None = None  # overrides the rule's hint when it can say more


Origin = Callable[[etree._Element | None, str], Where | None]


@dataclass
class FeedDoc:
    """A parsed feed: its channel, items, and how to name a place in it."""

    source: str  # the file or URL, as messages name it
    data: bytes
    root: etree._Element
    channel: etree._Element
    items: list[etree._Element]
    origin: Origin | None = None  # maps places back to podcast.toml / episode.md

    def item_of(self, element: etree._Element) -> etree._Element | None:
        for node in (element, *element.iterancestors()):
            if node.tag == "item":
                return node
        return None

    def where(self, element: etree._Element, tag: str) -> Where:
        """Where `tag` (on or under `element`) is, or where it would be written."""
        if self.origin is not None:
            traced = self.origin(element, tag)
            if traced is not None:
                return traced
        return Where(self.source, element.sourceline, tag)

    def label(self, item: etree._Element) -> str:
        title = (item.findtext("title") or "").strip()
        return f'"{title}"' if title else f"item {self.items.index(item) + 1}"

    def whose(self, element: etree._Element) -> str:
        """A message prefix naming the item `element` belongs to; empty on the channel."""
        item = self.item_of(element)
        return f"{self.label(item)}: " if item is not None else ""


def parse_feed(data: bytes, source: str) -> tuple[FeedDoc | None, list[Problem]]:
    """Parse feed bytes; a document that is not RSS 2.0 is one X101 problem."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        reason = exc.msg or str(exc)
        return None, [
            _problem(RULE_BY_CODE["X101"], Finding(Where(source, exc.lineno), f"not XML: {reason}"))
        ]
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        found = etree.QName(root).localname
        return None, [
            _problem(
                RULE_BY_CODE["X101"], Finding(Where(source, root.sourceline), f"<{found}> is not RSS 2.0")
            )
        ]
    return FeedDoc(source, data, root, channel, channel.findall("item")), []


# ---------------------------------------------------------------- what a rule can look at


@dataclass(frozen=True)
class Fetched:
    """What a server (or the disk) says about one URL."""

    size: int | None = None
    mime: str | None = None
    error: str | None = None  # why it could not be had


class Resources:
    """The files a feed points to. This base knows none of them (offline, no files)."""

    online = False

    def local_path(self, url: str) -> Path | None:
        return None

    def head(self, url: str) -> Fetched | None:
        """Size and type of the file at `url`, or None when we cannot look."""
        path = self.local_path(url)
        if path is None:
            return None
        try:
            size = path.stat().st_size
        except OSError as exc:
            return Fetched(error=f"{path}: {exc.strerror}")
        try:
            mime = audio.probe(path).mime
        except AudioError:
            mime = None  # not audio we read; M101/M102 judge the declared type
        return Fetched(size=size, mime=mime)

    def read(self, url: str) -> bytes | Fetched | None:
        """The bytes at `url`; a Fetched with an error; None when we cannot look."""
        path = self.local_path(url)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError as exc:
            return Fetched(error=f"{path}: {exc.strerror}")

    def range_request(self, url: str) -> Fetched | None:
        return None


class LocalFiles(Resources):
    """Maps published URLs to files in a show directory.

    `known` holds exact URLs (the model knows where each file comes from); other
    URLs under `base_url` are looked up where `podcast build` puts them: media/…
    is episodes/<slug>/<file>, anything else is in feeds/.
    """

    def __init__(self, root: Path, base_url: str | None, known: dict[str, Path] | None = None) -> None:
        self.root = root
        self.base_url = base_url
        self.known = dict(known or {})

    def local_path(self, url: str) -> Path | None:
        if url in self.known:
            return self.known[url]
        if not self.base_url or not url.startswith(self.base_url):
            return None
        relative = PurePosixPath(unquote(url[len(self.base_url) :].split("?", 1)[0]))
        if ".." in relative.parts or not relative.parts:
            return None
        if relative.parts[0] == "media":
            candidate = self.root / EPISODES_DIR / Path(*relative.parts[1:])
        else:
            candidate = self.root / FEEDS_DIR / Path(*relative.parts)
        return candidate if candidate.is_file() else None


class Remote(Resources):
    """Asks the servers, through one requests.Session, always with a timeout."""

    online = True

    def __init__(self, session: requests.Session, timeout: float = HTTP_TIMEOUT) -> None:
        self.session = session
        self.timeout = timeout
        self._heads: dict[str, Fetched] = {}

    def head(self, url: str) -> Fetched:
        if url not in self._heads:
            try:
                response = self.session.head(url, timeout=self.timeout, allow_redirects=True)
                response.raise_for_status()
            except requests.RequestException as exc:
                self._heads[url] = Fetched(error=_reason(exc))
            else:
                length = response.headers.get("Content-Length")
                mime = response.headers.get("Content-Type", "").split(";")[0].strip().lower() or None
                size = int(length) if length and length.isdigit() else None
                self._heads[url] = Fetched(size=size, mime=mime)
        return self._heads[url]

    def read(self, url: str) -> bytes | Fetched:
        data = bytearray()
        try:
            with self.session.get(url, timeout=self.timeout, stream=True) as response:
                response.raise_for_status()
                for chunk in response.iter_content(chunk_size=65536):
                    data += chunk
                    if len(data) > ARTWORK_MAX_DOWNLOAD:
                        return Fetched(error=f"larger than {ARTWORK_MAX_DOWNLOAD:,} bytes; not read")
        except requests.RequestException as exc:
            return Fetched(error=_reason(exc))
        return bytes(data)

    def range_request(self, url: str) -> Fetched:
        """GET the first two bytes; a server that streams answers 206 with Content-Range."""
        try:
            with self.session.get(
                url, headers={"Range": "bytes=0-1"}, timeout=self.timeout, stream=True
            ) as response:
                response.raise_for_status()
                if response.status_code != 206 or "Content-Range" not in response.headers:
                    return Fetched(error=f"answered {response.status_code} without Content-Range")
        except requests.RequestException as exc:
            return Fetched(error=_reason(exc))
        return Fetched()


def _reason(exc: requests.RequestException) -> str:
    """One short line: 'HTTP 404 Not Found', 'cannot connect (Connection refused)', …"""
    response = getattr(exc, "response", None)
    if response is not None:
        return f"HTTP {response.status_code} {response.reason or ''}".strip()
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.ConnectionError):
        cause = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
        return "cannot connect" + (f" ({cause.group(1).strip()})" if cause else "")
    return f"{type(exc).__name__}: {exc}"


@dataclass
class Subject:
    """Everything one lint run looks at."""

    feed: FeedDoc
    resources: Resources
    now: datetime
    show: Show | None = None  # with episodes: a show directory
    episodes: Sequence[Episode] = ()
    previous: FeedDoc | None = None  # the feed last built, to keep GUIDs stable
    max_feed_bytes: int = MAX_FEED_BYTES
    artworks: list[Artwork] | None = None  # read once, shared by the I1xx rules


# ---------------------------------------------------------------- the rules


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    checks: str  # what it checks, one line (the README's rules table)
    hint: str  # what to do about it
    run: Callable[[Subject], Iterable[Finding]] = field(repr=False, compare=False)


RULES: list[Rule] = []


def rule(code: str, severity: Severity, checks: str, hint: str):
    def register(function: Callable[[Subject], Iterable[Finding]]):
        RULES.append(Rule(code, severity, checks, hint, function))
        return function

    return register


def _none(_: Subject) -> Iterable[Finding]:
    return ()


# X101 is raised by parse_feed; it is listed here so it has its place in the table.
rule(
    "X101",
    "error",
    'the document is well-formed XML with `<rss version="2.0">` and a `<channel>`',
    "fix the XML at that line; every app gives up on a feed that does not parse",
)(_none)


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _items_with(subject: Subject, tag: str) -> Iterator[tuple[etree._Element, etree._Element | None]]:
    for item in subject.feed.items:
        yield item, item.find(qname(tag))


# itunes:image is required too, but has its own rule (A106): a feed without artwork
# works in every app, so it warns rather than stops a build.
CHANNEL_REQUIRED = ("title", "description", "language", "itunes:category", "itunes:explicit")


@rule(
    "A101",
    "error",
    "the channel has Apple's required tags: " + ", ".join(f"`{t}`" for t in CHANNEL_REQUIRED),
    "Apple refuses a feed without them",
)
def channel_required(subject: Subject) -> Iterator[Finding]:
    channel = subject.feed.channel
    for tag in CHANNEL_REQUIRED:
        element = channel.find(qname(tag))
        present = element is not None and (element.get("href") or element.get("text") or _text(element))
        if not present:
            yield Finding(subject.feed.where(channel, tag), "missing or empty")


CHANNEL_HINTS = {
    "itunes:author": "add it: apps show it under the show's title",
    "link": "add the show's website; Apple and the apps link to it from the show's page",
}


@rule(
    "A102",
    "warning",
    "the channel has Apple's recommended tags: `itunes:author`, `link`, `itunes:owner` with `itunes:email`",
    "add them; Apple writes to the owner's address to confirm the show is yours",
)
def channel_recommended(subject: Subject) -> Iterator[Finding]:
    channel = subject.feed.channel
    for tag in ("itunes:author", "link"):
        if not _text(channel.find(qname(tag))):
            yield Finding(subject.feed.where(channel, tag), "missing or empty", hint=CHANNEL_HINTS[tag])
    owner = channel.find(qname("itunes:owner"))
    if owner is None or not _text(owner.find(qname("itunes:email"))):
        yield Finding(subject.feed.where(channel, "itunes:owner"), "missing, or without itunes:email")


@rule(
    "A103",
    "error",
    "every item has a `title` and an `enclosure` with `url`, `length` (a whole number of bytes) and `type`",
    "Apple skips an episode without them",
)
def item_required(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item in feed.items:
        if not _text(item.find("title")):
            yield Finding(feed.where(item, "title"), f"{feed.label(item)} has no title")
        enclosure = item.find("enclosure")
        if enclosure is None:
            yield Finding(feed.where(item, "enclosure"), f"{feed.label(item)} has no enclosure")
            continue
        missing = [a for a in ("url", "length", "type") if not (enclosure.get(a) or "").strip()]
        if missing:
            yield Finding(
                feed.where(enclosure, "enclosure"),
                f"{feed.label(item)}: enclosure has no {', '.join(missing)}",
            )
        length = (enclosure.get("length") or "").strip()
        if length and not length.isdigit():
            yield Finding(
                feed.where(enclosure, "enclosure"),
                f'{feed.label(item)}: enclosure length="{length}" is not a whole number of bytes',
                hint='write the file\'s size in bytes, e.g. length="4816512"',
            )


ITEM_RECOMMENDED = ("guid", "pubDate", "description", "itunes:duration", "itunes:explicit")
ITEM_HINTS = {
    "guid": "add one; without a guid, apps tell episodes apart by enclosure URL "
    "and show duplicates when it moves",
    "description": "add show notes; apps show them under the episode",
    "itunes:duration": "add the length in seconds; apps show it before the episode is downloaded",
    "itunes:explicit": "add true or false; Apple uses it to filter explicit episodes",
}


@rule(
    "A104",
    "warning",
    "every item has Apple's recommended tags: " + ", ".join(f"`{t}`" for t in ITEM_RECOMMENDED),
    "add them; without a guid, apps tell episodes apart by enclosure URL and show duplicates when it moves",
)
def item_recommended(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item in feed.items:
        for tag in ITEM_RECOMMENDED:
            if tag == "pubDate":
                continue  # D101 says more about dates
            if not _text(item.find(qname(tag))):
                yield Finding(feed.where(item, tag), f"{feed.label(item)} has no {tag}", hint=ITEM_HINTS[tag])


@rule(
    "A105",
    "error",
    "the iTunes namespace is declared exactly as `http://www.itunes.com/dtds/podcast-1.0.dtd`",
    "Apple ignores every itunes: tag under a namespace spelt any other way (it is case-sensitive)",
)
def itunes_namespace(subject: Subject) -> Iterator[Finding]:
    for prefix, uri in (subject.feed.root.nsmap or {}).items():
        if uri != ITUNES_NS and uri.lower().rstrip("/") == ITUNES_NS.lower():
            yield Finding(
                Where(subject.feed.source, subject.feed.root.sourceline, f"xmlns:{prefix}"),
                f'declared as "{uri}"',
            )


@rule(
    "A106",
    "warning",
    "the channel has artwork (`itunes:image` with an `href`)",
    'Apple lists no show without artwork: add artwork = "cover.jpg", a square JPEG or PNG of 1400–3000 px',
)
def channel_artwork(subject: Subject) -> Iterator[Finding]:
    channel = subject.feed.channel
    element = channel.find(qname("itunes:image"))
    if element is None or not (element.get("href") or "").strip():
        yield Finding(subject.feed.where(channel, "itunes:image"), "no show artwork")


@rule(
    "A110",
    "error",
    "every `itunes:category` (and subcategory) is on Apple's list",
    'use a name from Apple\'s list exactly, e.g. "Health & Fitness" with "Mental Health"',
)
def categories(subject: Subject) -> Iterator[Finding]:
    known = apple_categories()
    feed = subject.feed
    for main in feed.channel.findall(qname("itunes:category")):
        name = (main.get("text") or "").strip()
        if name not in known:
            yield Finding(feed.where(main, "itunes:category"), f'"{name}" is not an Apple Podcasts category')
            continue
        for sub in main.findall(qname("itunes:category")):
            full = f"{name} > {(sub.get('text') or '').strip()}"
            if full not in known:
                yield Finding(
                    feed.where(sub, "itunes:category"), f'"{full}" is not an Apple Podcasts category'
                )


@rule(
    "A111",
    "error",
    "`language` is a valid language code (ISO 639, optionally with a region: `en`, `en-US`)",
    'Apple refuses a feed with an invalid code; write e.g. "en" or "de-AT"',
)
def language(subject: Subject) -> Iterator[Finding]:
    element = subject.feed.channel.find("language")
    value = _text(element)
    if element is not None and value and not langcodes.tag_is_valid(value):
        yield Finding(subject.feed.where(element, "language"), f'"{value}" is not a language code')


@rule(
    "A112",
    "error",
    f"`description` and `itunes:summary` (channel and items) are at most {DESCRIPTION_MAX_BYTES} bytes",
    "Apple cuts or refuses longer text; shorten it (the full text can go in content:encoded)",
)
def description_size(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for parent in (feed.channel, *feed.items):
        for tag in ("description", "itunes:summary"):
            element = parent.find(qname(tag))
            if element is None:
                continue
            size = len((element.text or "").encode("utf-8"))
            if size > DESCRIPTION_MAX_BYTES:
                whose = "channel" if parent is feed.channel else feed.label(parent)
                yield Finding(
                    feed.where(element, tag), f"{whose}: {size} bytes, over {DESCRIPTION_MAX_BYTES}"
                )


@rule(
    "A113",
    "warning",
    f"other text values (titles, author, owner, copyright, …) are at most {VALUE_MAX_CHARS} characters",
    f"Apple limits tag values to {VALUE_MAX_CHARS} characters and cuts the rest; shorten it",
)
def value_length(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for element in feed.channel.iter():
        if not isinstance(element.tag, str) or len(element):
            continue  # comments, and elements with children
        name = etree.QName(element)
        if name.namespace not in (None, ITUNES_NS):
            continue
        tag = short_name(element)
        if tag in LONG_TEXT_TAGS:
            continue
        value = (element.text or "").strip()
        if len(value) > VALUE_MAX_CHARS:
            whose = feed.whose(element)
            yield Finding(feed.where(element, tag), f"{whose}{len(value)} characters, over {VALUE_MAX_CHARS}")


@rule(
    "A120",
    "error",
    "`itunes:explicit` (channel and items) is `true` or `false`",
    "write true or false; Apple and the W3C validator refuse yes/no/clean and other values",
)
def explicit(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for element in feed.channel.iter(qname("itunes:explicit")):
        value = _text(element)
        if value not in ("true", "false"):
            whose = feed.whose(element)
            yield Finding(feed.where(element, "itunes:explicit"), f'{whose}"{value}" is not true or false')


def _positive_int(value: str) -> bool:
    return value.isdigit() and int(value) > 0


_DURATION = re.compile(r"^(\d+|\d+:[0-5]?\d|\d+:[0-5]?\d:[0-5]?\d)(\.\d+)?$")

ENUMERATED = {
    "itunes:type": lambda v: v in ("episodic", "serial"),
    "itunes:episodeType": lambda v: v in ("full", "trailer", "bonus"),
    "itunes:episode": _positive_int,
    "itunes:season": _positive_int,
    "itunes:duration": lambda v: bool(_DURATION.match(v)),
}
ACCEPTED = {
    "itunes:type": '"episodic" or "serial"',
    "itunes:episodeType": '"full", "trailer" or "bonus"',
    "itunes:episode": "a whole number from 1",
    "itunes:season": "a whole number from 1",
    "itunes:duration": "seconds (e.g. 1830) or [HH:]MM:SS",
}


@rule(
    "A121",
    "error",
    "`itunes:type` is episodic/serial, `itunes:episodeType` full/trailer/bonus, `itunes:episode` and "
    "`itunes:season` whole numbers from 1, `itunes:duration` seconds or [HH:]MM:SS",
    "Apple ignores a value it does not know; write one it accepts",
)
def enumerated_values(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for tag, accepts in ENUMERATED.items():
        for element in feed.channel.iter(qname(tag)):
            value = _text(element)
            if not accepts(value):
                whose = feed.whose(element)
                yield Finding(
                    feed.where(element, tag),
                    f'{whose}"{value}" is not a value Apple accepts; it takes {ACCEPTED[tag]}',
                )


@rule(
    "A122",
    "error",
    "in a serial show (`itunes:type` serial) every item has `itunes:episode`",
    "number every episode; Apple orders a serial show by these numbers",
)
def serial_numbers(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    if _text(feed.channel.find(qname("itunes:type"))) != "serial":
        return
    for item, number in _items_with(subject, "itunes:episode"):
        if not _text(number):
            yield Finding(feed.where(item, "itunes:episode"), f"{feed.label(item)} has no episode number")


@rule(
    "G101",
    "error",
    "no two items share a `guid`",
    "every episode needs its own; give this one a new UUID, or apps merge the two",
)
def duplicate_guids(subject: Subject) -> Iterator[Finding]:
    yield from _duplicates(subject, "guid", "GUID")


@rule(
    "G102",
    "warning",
    "no two items share a `title`",
    "give each episode its own title; listeners cannot tell them apart in a list",
)
def duplicate_titles(subject: Subject) -> Iterator[Finding]:
    yield from _duplicates(subject, "title", "title")


def _duplicates(subject: Subject, tag: str, what: str) -> Iterator[Finding]:
    feed = subject.feed
    first: dict[str, etree._Element] = {}
    # Oldest first, so the copy (usually the newer episode) is the one reported.
    for item in reversed(feed.items):
        element = item.find(qname(tag))
        value = _text(element)
        if not value:
            continue
        if value in first:
            other = first[value]
            elsewhere = feed.where(other.find(tag), tag)
            at = f"{elsewhere.path}:{elsewhere.line}" if elsewhere.line else elsewhere.path
            yield Finding(feed.where(element, tag), f'same {what} as {feed.label(other)} ({at}): "{value}"')
        else:
            first[value] = item


@rule(
    "G103",
    "error",
    "no episode's `guid` changed since the last built feed "
    "(same enclosure URL, or an enclosure in the same `media/<slug>/` folder)",
    "put the old GUID back; apps would show the episode again as new",
)
def changed_guids(subject: Subject) -> Iterator[Finding]:
    if subject.previous is None:
        return
    by_url: dict[str, str] = {}
    by_media: dict[str, str] = {}
    for item in subject.previous.items:
        guid, url = _text(item.find("guid")), _enclosure_url(item)
        if guid and url:
            by_url.setdefault(url, guid)
            key = _media_key(url)
            if key:
                by_media.setdefault(key, guid)
    feed = subject.feed
    for item in feed.items:
        guid, url = _text(item.find("guid")), _enclosure_url(item)
        if not url:
            continue
        old = by_url.get(url) or by_media.get(_media_key(url) or "")
        if old and guid != old:
            yield Finding(
                feed.where(item.find("guid") if item.find("guid") is not None else item, "guid"),
                f'{feed.label(item)}: GUID "{guid}" was "{old}" in the last built feed',
                hint=f'put it back: guid = "{old}"; apps would show the episode again as new',
            )


def _enclosure_url(item: etree._Element) -> str:
    enclosure = item.find("enclosure")
    return (enclosure.get("url") or "").strip() if enclosure is not None else ""


def _media_key(url: str) -> str | None:
    """media/<slug>/: the episode folder `podcast build` publishes audio from, whatever the
    base URL and the file's name (an episode has one main enclosure, so a renamed file is
    the same episode)."""
    path = urlsplit(url).path
    match = re.search(r"/(media/[^/]+/)[^/]+$", path)
    return match.group(1) if match else None


@rule(
    "G104",
    "error",
    "no two items share an enclosure URL",
    "give each episode its own file; Apple treats an enclosure URL it has seen as the same episode",
)
def duplicate_enclosures(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    first: dict[str, etree._Element] = {}
    for item in feed.items:
        url = _enclosure_url(item)
        if url and url in first:
            yield Finding(
                feed.where(item.find("enclosure"), "enclosure"),
                f"{feed.label(item)} uses the same file as {feed.label(first[url])}: {url}",
            )
        elif url:
            first[url] = item


@rule(
    "M101",
    "warning",  # issue #3: Ogg, Opus, FLAC, WAV still build (other apps play them), with a warning
    "the enclosure `type` is one Apple accepts: " + ", ".join(f"`{t}`" for t in APPLE_MEDIA_TYPES),
    "publish MP3 (audio/mpeg) or M4A (audio/x-m4a); Apple does not list other types",
)
def media_type(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, enclosure in _items_with(subject, "enclosure"):
        declared = (enclosure.get("type") or "").strip() if enclosure is not None else ""
        if declared and declared not in APPLE_MEDIA_TYPES:
            yield Finding(feed.where(enclosure, "enclosure"), f'{feed.label(item)}: type "{declared}"')


@rule(
    "M102",
    "warning",  # an .m4b or .ogg enclosure is not Apple's, but other apps play it (issue #3)
    "the enclosure URL ends in the file extension of its type (.mp3, .m4a, .mp4, .m4v, .mov, .pdf)",
    "Apple decides from the URL's extension whether it can play the file; rename the file to match",
)
def media_extension(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, enclosure in _items_with(subject, "enclosure"):
        if enclosure is None:
            continue
        url, declared = (enclosure.get("url") or "").strip(), (enclosure.get("type") or "").strip()
        if not url:
            continue
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
        expected = APPLE_MEDIA_TYPES.get(declared)
        known = {s for suffixes in APPLE_MEDIA_TYPES.values() for s in suffixes}
        if (expected and suffix not in expected) or (not expected and suffix not in known):
            wanted = " or ".join(expected) if expected else "one Apple lists"
            yield Finding(
                feed.where(enclosure, "enclosure"),
                f'{feed.label(item)}: URL ends in "{suffix or "(nothing)"}", expected {wanted}',
            )


def _enclosure_files(subject: Subject):
    """Each item's enclosure with what could be learnt of the file it names (others are skipped)."""
    for item, enclosure in _items_with(subject, "enclosure"):
        url = (enclosure.get("url") or "").strip() if enclosure is not None else ""
        facts = subject.resources.head(url) if url else None
        if facts is not None and not facts.error:
            yield item, enclosure, facts


@rule(
    "M103",
    "error",
    "the enclosure `length` is the file's size in bytes (the local file, or the server's Content-Length)",
    "rebuild the feed after changing the audio; apps check the length and some refuse a mismatch",
)
def media_length(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, enclosure, facts in _enclosure_files(subject):
        if facts.size is None:
            continue
        declared = (enclosure.get("length") or "").strip()
        if declared != str(facts.size):
            yield Finding(
                feed.where(enclosure, "enclosure"),
                f'{feed.label(item)}: length="{declared}" but the file has {facts.size} bytes',
            )


@rule(
    "M104",
    "error",
    "the enclosure `type` is what the file is (read with mutagen, or the server's Content-Type)",
    "declare the type the file really has, or export the audio in the declared format",
)
def media_mime(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, enclosure, facts in _enclosure_files(subject):
        if not facts.mime:
            continue
        declared = (enclosure.get("type") or "").strip().lower()
        if declared and declared != facts.mime:
            server = "the server says" if subject.resources.online else "the file is"
            yield Finding(
                feed.where(enclosure, "enclosure"),
                f'{feed.label(item)}: type="{declared}" but {server} "{facts.mime}"',
            )


def _urls(feed: FeedDoc) -> Iterator[tuple[etree._Element, str, str, bool]]:
    """(element, field, URL, is media) for every URL in the feed that apps follow."""
    channel = feed.channel
    for element in channel.iter():
        if not isinstance(element.tag, str):
            continue
        tag = short_name(element)
        if tag == "enclosure":
            yield element, tag, element.get("url") or "", True
        elif tag == "itunes:image":
            yield element, tag, element.get("href") or "", True
        elif tag == "url" and element.getparent().tag == "image":
            yield element, "image", _text(element), True
        elif tag == "atom:link":
            yield element, tag, element.get("href") or "", element.get("rel") == "self"
        elif tag == "itunes:new-feed-url":
            yield element, tag, _text(element), True
        elif tag == "link":
            yield element, tag, _text(element), False
        elif etree.QName(element).namespace == PODCAST_NS:
            # Files apps fetch (transcripts, chapters, images, alternate sources) are
            # media; a person's href and a funding page are links to web pages.
            for attribute in ("url", "uri", "img", "href"):
                value = element.get(attribute)
                if value:
                    page = attribute == "href" or tag == "podcast:funding"
                    yield element, tag, value, not page


@rule(
    "U101",
    "error",
    "media, artwork and feed URLs use https (enclosures, `itunes:image`, `image`, the self link, "
    "`itunes:new-feed-url`, files named by `podcast:` tags)",
    "serve them over https; Apple and many apps refuse plain http",
)
def https_media(subject: Subject) -> Iterator[Finding]:
    yield from _plain_http(subject, media=True)


@rule(
    "U102",
    "warning",
    "links to web pages (`link`, other `atom:link`s, `podcast:person` href, `podcast:funding`) use https",
    "link to the https address of the site",
)
def https_links(subject: Subject) -> Iterator[Finding]:
    yield from _plain_http(subject, media=False)


@rule(
    "U103",
    "error",
    "every URL apps follow (those of U101 and U102) is absolute: it starts with `https://` or `http://`",
    "write the whole address, e.g. https://example.com/media/ep1.mp3; apps do not resolve relative URLs",
)
def absolute_urls(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for element, tag, url, _ in _urls(feed):
        value = url.strip()
        if value and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value) and not value.startswith("mailto:"):
            yield Finding(feed.where(element, tag), f'{feed.whose(element)}"{value}" is not an absolute URL')


def _plain_http(subject: Subject, *, media: bool) -> Iterator[Finding]:
    feed = subject.feed
    seen: set[tuple[int, str]] = set()  # the artwork is both <image> and itunes:image: once is enough
    for element, tag, url, is_media in _urls(feed):
        said = (id(feed.item_of(element)), url.strip())
        if is_media == media and url.strip().lower().startswith("http://") and said not in seen:
            seen.add(said)
            whose = feed.whose(element)
            yield Finding(feed.where(element, tag), f"{whose}{url.strip()} is not https")


def _parse_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@rule(
    "D101",
    "error",
    "every item has a `pubDate` in RFC 2822 form (`Wed, 02 Apr 2025 09:00:00 -0400`)",
    "apps order episodes by it and Apple shows it; write the date in that form",
)
def pub_dates(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, element in _items_with(subject, "pubDate"):
        value = _text(element)
        if not value:
            yield Finding(feed.where(item, "pubDate"), f"{feed.label(item)} has no pubDate")
        elif _parse_date(value) is None:
            yield Finding(
                feed.where(element, "pubDate"), f'{feed.label(item)}: "{value}" is not an RFC 2822 date'
            )


@rule(
    "D102",
    "warning",
    "no item's `pubDate` is in the future",
    "apps show it now but with a date to come, or hide it; publish it on its date instead",
)
def future_dates(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, element in _items_with(subject, "pubDate"):
        when = _parse_date(_text(element))
        if when is not None and when > subject.now:
            yield Finding(feed.where(element, "pubDate"), f"{feed.label(item)}: dated {_text(element)}")


@rule(
    "S101",
    "warning",
    f"the feed is at most {MAX_FEED_BYTES // 1_000_000} MB",
    "every app downloads the whole feed on each refresh; "
    "shorten the show notes or leave the oldest episodes out",
)
def feed_size(subject: Subject) -> Iterator[Finding]:
    size = len(subject.feed.data)
    if size > subject.max_feed_bytes:
        yield Finding(Where(subject.feed.source), f"{size:,} bytes, over {subject.max_feed_bytes:,}")


def _artwork_urls(feed: FeedDoc) -> dict[str, etree._Element]:
    urls: dict[str, etree._Element] = {}
    for element in feed.channel.iter(qname("itunes:image")):
        href = (element.get("href") or "").strip()
        if href:
            urls.setdefault(href, element)
    return urls


@dataclass(frozen=True)
class Artwork:
    element: etree._Element
    url: str
    image: Image.Image | None
    error: str | None


def _artworks(subject: Subject) -> Iterator[Artwork]:
    for url, element in _artwork_urls(subject.feed).items():
        data = subject.resources.read(url)
        if data is None:
            continue  # nothing to look at offline
        if isinstance(data, Fetched):
            yield Artwork(element, url, None, data.error)
            continue
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except (UnidentifiedImageError, OSError, ValueError):
            # Pillow's own message names its internal file object; it tells a producer nothing.
            yield Artwork(element, url, None, "not an image file Pillow can read")
            continue
        yield Artwork(element, url, image, None)


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
)
def artwork_readable(subject: Subject) -> Iterator[Finding]:
    yield from _artwork_rule(subject, lambda art: art.error)


@rule(
    "I102",
    "error",
    "the artwork is JPEG or PNG",
    "save it as JPEG or PNG",
)
def artwork_format(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        if art.image is not None and art.image.format not in IMAGE_EXTENSIONS:
            return f"is {art.image.format}"
        return None

    yield from _artwork_rule(subject, check)


@rule(
    "I103",
    "error",
    f"the artwork is {ARTWORK_MIN_PX} to {ARTWORK_MAX_PX} pixels on each side",
    f"export it at {ARTWORK_MIN_PX}–{ARTWORK_MAX_PX} px, e.g. 3000 × 3000",
)
def artwork_size(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        if art.image is None:
            return None
        width, height = art.image.size
        if not all(ARTWORK_MIN_PX <= side <= ARTWORK_MAX_PX for side in (width, height)):
            return f"is {width} × {height} px"
        return None

    yield from _artwork_rule(subject, check)


@rule(
    "I104",
    "error",
    "the artwork is square",
    "crop it to a square",
)
def artwork_square(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        if art.image is not None and art.image.width != art.image.height:
            return f"is {art.image.width} × {art.image.height} px, not square"
        return None

    yield from _artwork_rule(subject, check)


@rule(
    "I105",
    "error",
    "the artwork is in the RGB colour space (not CMYK or greyscale)",
    "convert it to RGB (sRGB) before export",
)
def artwork_colour(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        if art.image is not None and art.image.mode not in ("RGB", "RGBA", "P", "PA"):
            return f"colour mode is {art.image.mode}"
        return None

    yield from _artwork_rule(subject, check)


@rule(
    "I106",
    "warning",
    "the artwork has no transparency",
    "flatten it onto a background; apps draw transparent parts in their own colours",
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
)
def artwork_extension(subject: Subject) -> Iterator[Finding]:
    def check(art: Artwork) -> str | None:
        if art.image is None or art.image.format not in IMAGE_EXTENSIONS:
            return None
        suffix = PurePosixPath(urlsplit(art.url).path).suffix.lower()
        if suffix not in IMAGE_EXTENSIONS[art.image.format]:
            return f'is {art.image.format} but ends in "{suffix or "(nothing)"}"'
        return None

    yield from _artwork_rule(subject, check)


@rule(
    "N101",
    "error",
    "(URL) the feed URL answers with the feed",
    "check the address, and that the server is up and serves the file publicly",
)
def _feed_fetched(_: Subject) -> Iterable[Finding]:
    return ()  # found by check_url before any rule runs


@rule(
    "N102",
    "error",
    "(URL) every enclosure and artwork URL answers HEAD",
    "publish the file there; Apple checks media and artwork with HEAD requests",
)
def answers_head(subject: Subject) -> Iterator[Finding]:
    if not subject.resources.online:
        return
    feed = subject.feed
    targets = [
        (e, "enclosure", _enclosure_url(i)) for i in feed.items if (e := i.find("enclosure")) is not None
    ]
    targets += [(e, "itunes:image", url) for url, e in _artwork_urls(feed).items()]
    for element, tag, url in targets:
        if not url:
            continue
        facts = subject.resources.head(url)
        if facts is not None and facts.error:
            yield Finding(feed.where(element, tag), f"HEAD {url}: {facts.error}")


@rule(
    "N103",
    "error",
    "(URL) every enclosure answers a byte-range request with 206 Partial Content",
    "turn on byte-range support on the server; Apple requires it so listeners can stream and seek",
)
def answers_range(subject: Subject) -> Iterator[Finding]:
    if not subject.resources.online:
        return
    feed = subject.feed
    for item, enclosure in _items_with(subject, "enclosure"):
        url = _enclosure_url(item)
        if not url or enclosure is None:
            continue
        head = subject.resources.head(url)
        if head is not None and head.error:
            continue  # N102 already says it is not there
        answer = subject.resources.range_request(url)
        if answer is not None and answer.error:
            yield Finding(feed.where(enclosure, "enclosure"), f"Range: bytes=0-1 on {url}: {answer.error}")


RULE_BY_CODE = {r.code: r for r in RULES}


# ---------------------------------------------------------------- running


def _problem(rule_: Rule, finding: Finding) -> Problem:
    where = finding.where
    return Problem(
        path=where.path,
        message=finding.message,
        field=where.field,
        line=where.line,
        hint=finding.hint or rule_.hint,
        severity=rule_.severity,
        code=rule_.code,
    )


def run(subject: Subject, rules: Sequence[Rule] = RULES) -> list[Problem]:
    """Every rule, in order, over `subject`."""
    return [_problem(r, finding) for r in rules for finding in r.run(subject)]


def failed(problems: Iterable[Problem], *, strict: bool = False) -> bool:
    """True when the problems should stop a build or fail `podcast lint`."""
    problems = list(problems)
    return bool(errors_in(problems) or (strict and warnings_in(problems)))


# Channel tags → podcast.toml keys; item tags → episode.md keys.
SHOW_KEYS = {
    "title": "title",
    "description": "description",
    "language": "language",
    "link": "link",
    "copyright": "copyright",
    "itunes:image": "artwork",
    "image": "artwork",
    "itunes:category": "categories",
    "itunes:explicit": "explicit",
    "itunes:author": "author",
    "itunes:owner": "owner",
    "itunes:type": "type",
    "atom:link": "base_url",
    "itunes:new-feed-url": "new_feed_url",
    "itunes:block": "block",
    "itunes:complete": "complete",
    "podcast:guid": "guid",
    "podcast:locked": "locked",
    "podcast:funding": "funding",
    "podcast:person": "person",
    "podcast:medium": "medium",
    "podcast:license": "license",
    "podcast:location": "location",
    "podcast:txt": "txt",
    "podcast:updateFrequency": "update_frequency",
}
EPISODE_KEYS = {
    "title": "title",
    "guid": "guid",
    "pubDate": "date",
    "enclosure": "audio",
    "itunes:explicit": "explicit",
    "itunes:episode": "episode",
    "itunes:season": "season",
    "itunes:episodeType": "episode_type",
    "itunes:author": "hosts",
    "itunes:title": "itunes_title",
    "itunes:image": "image",
    "podcast:season": "season",
    "podcast:episode": "episode",
    "podcast:person": "person",
    "podcast:soundbite": "soundbite",
    "podcast:alternateEnclosure": "alternate_audio",
    "podcast:source": "alternate_audio",
    "podcast:location": "location",
    "podcast:license": "license",
}
# Item tags whose URLs are made from base_url alone: what to edit is podcast.toml.
PUBLISHED_UNDER_BASE_URL = ("podcast:chapters", "podcast:transcript")
# Keys that may repeat ([[person]] …): a tag is traced to its own entry's header line.
REPEATED_KEYS = ("person", "funding", "location", "txt", "soundbite")


def _entry(element: etree._Element | None, tag: str) -> int | None:
    """Which of its parent's `tag` children `element` is, from 1; None when it is not one."""
    if element is None or tag.startswith("itunes:") or ":" not in tag:
        return None
    if element.tag != qname(tag) or element.getparent() is None:
        return None
    return element.getparent().findall(element.tag).index(element) + 1


def show_origin(show: Show, ordered: Sequence[Episode], feed: FeedDoc) -> Origin:
    """Trace places in the rendered feed back to podcast.toml and each episode.md."""
    episode_of = {}
    for item, episode in zip(feed.items, ordered, strict=False):
        if _text(item.find("guid")) == episode.guid:
            episode_of[item] = episode

    by_audio_url = {show.url_for(e.media_path): e for e in ordered if e.media_path}

    def line_of(lines: dict[str, int], key: str, element: etree._Element | None, tag: str) -> int | None:
        number = _entry(element, tag) if key in REPEATED_KEYS else None
        return lines.get(f"{key}[{number}]", lines.get(key))

    def in_show(key: str, element: etree._Element | None, tag: str) -> Where:
        return Where(show.source, line_of(show.lines, key, element, tag), key)

    def origin(element: etree._Element | None, tag: str) -> Where | None:
        item = feed.item_of(element) if element is not None else None
        if item is None:
            if tag == "podcast:trailer" and element is not None:
                trailer = by_audio_url.get(element.get("url") or "")
                if trailer is not None:
                    return Where(trailer.source, trailer.lines.get("episode_type"), "episode_type")
            key = SHOW_KEYS.get(tag)
            return in_show(key, element, tag) if key is not None else None
        episode = episode_of.get(item)
        if episode is None:
            return None
        if tag in PUBLISHED_UNDER_BASE_URL:
            return in_show("base_url", None, tag)
        key = EPISODE_KEYS.get(tag)
        if key is None:
            return Where(episode.source, None, tag)
        if key == "person" and not episode.persons:
            return in_show(key, element, tag)  # the show's people, inherited
        # A key that is not written yet belongs in the front matter, which opens on line 1.
        return Where(episode.source, line_of(episode.lines, key, element, tag) or 1, key)

    return origin


def check_show(
    show: Show,
    episodes: Sequence[Episode],
    document: bytes,
    *,
    previous: bytes | None = None,
    now: datetime | None = None,
    ordered: Sequence[Episode] | None = None,
) -> list[Problem]:
    """Lint the feed `document` rendered from `show` and its published `episodes`.

    `ordered` is the episodes in the order the feed lists them (newest first); with
    it, findings name podcast.toml or the episode.md to edit instead of feed lines.
    `previous` is the feed last built, for G103.
    """
    source = f"{FEEDS_DIR}/{FEED_FILENAME}"
    feed, problems = parse_feed(document, source)
    if feed is None:
        return problems
    if ordered is not None:
        feed.origin = show_origin(show, ordered, feed)
    known = {}
    if show.artwork_url and show.artwork_path and show.artwork:
        known[show.artwork_url] = show.root / show.artwork
    # Episode images are judged from their source in the episode folder: feeds/images/ is only
    # written after lint, so it may hold an older file or none (same input, same verdict).
    for episode in episodes:
        if episode.image_path and episode.image:
            known[show.url_for(episode.image_path)] = show.root / episode.folder / episode.image
    last = None
    if previous is not None:
        last, _ = parse_feed(previous, source)
    subject = Subject(
        feed=feed,
        resources=LocalFiles(show.root, show.base_url, known),
        now=now or datetime.now(UTC),
        show=show,
        episodes=list(episodes),
        previous=last,
    )
    # Enclosures come from probed files: M103/M104 would re-read every one to agree
    # with itself. They matter for feeds made elsewhere, which check_feed_file reads.
    rules = [r for r in RULES if r.code not in ("M103", "M104")]
    return run(subject, rules)


def _self_url(feed: FeedDoc) -> str | None:
    for link in feed.channel.findall(qname("atom:link")):
        if link.get("rel") == "self" and link.get("href"):
            return link.get("href")
    return None


def check_feed_file(path: Path, *, now: datetime | None = None) -> list[Problem]:
    """Lint a feed file, offline. Files it points to are checked when found beside it."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Problem(str(path), f"cannot be read: {exc.strerror}", hint="check the path", code="X101")]
    feed, problems = parse_feed(data, str(path))
    if feed is None:
        return problems
    resources = Resources()
    self_url = _self_url(feed)
    show_root = path.resolve().parent.parent
    if self_url and path.parent.name == FEEDS_DIR and (show_root / SHOW_FILE).is_file():
        resources = LocalFiles(show_root, self_url.rsplit("/", 1)[0] + "/")
    return run(Subject(feed=feed, resources=resources, now=now or datetime.now(UTC)))


def check_url(
    url: str,
    *,
    now: datetime | None = None,
    timeout: float = HTTP_TIMEOUT,
    session: requests.Session | None = None,
) -> list[Problem]:
    """Fetch a published feed and lint it, asking its servers about every file."""
    owned = session is None
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
    try:
        try:
            response = session.get(url, timeout=timeout)
            response.raise_for_status()
        except requests.RequestException as exc:
            rule_ = RULE_BY_CODE["N101"]
            return [_problem(rule_, Finding(Where(url), f"cannot fetch the feed: {_reason(exc)}"))]
        feed, problems = parse_feed(response.content, url)
        if feed is None:
            return problems
        return run(Subject(feed=feed, resources=Remote(session, timeout), now=now or datetime.now(UTC)))
    finally:
        if owned:
            session.close()


def rules_table() -> str:
    """The rules as a Markdown table (the README's)."""
    rows = ["| code | severity | what it checks | hint |", "|---|---|---|---|"]
    for r in RULES:
        rows.append(f"| {r.code} | {r.severity} | {r.checks} | {r.hint} |")
    return "\n".join(rows)
