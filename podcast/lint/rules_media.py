"""What apps fetch and when: the enclosures (M1xx), every URL they follow (U1xx),
the episodes' dates (D1xx) and the feed's own size (S101)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import PurePosixPath

from lxml import etree

from .. import audio, weburl
from ..schema import is_loopback
from .feeddoc import FeedDoc, Finding, Where, text
from .registry import MAX_FEED_BYTES, Subject, items_with, rule

# Enclosure types Apple lists, and the URL file extensions that go with each.
APPLE_MEDIA_TYPES = {
    "audio/mpeg": (".mp3",),
    "audio/x-m4a": (".m4a",),
    "video/mp4": (".mp4",),
    "video/x-m4v": (".m4v",),
    "video/quicktime": (".mov",),
    "application/pdf": (".pdf",),
}

APPLE_SUFFIXES = frozenset(s for suffixes in APPLE_MEDIA_TYPES.values() for s in suffixes)


def path_suffix(path: str) -> str:
    """`PurePosixPath(path).suffix`, without making a path object (M102 asks it of every item):
    the last dotted part of the last name, empty and "." parts left out."""
    name = path[path.rfind("/") + 1 :]  # the last part, most often the one
    if not name or name == ".":
        name = next((part for part in reversed(path.split("/")) if part and part != "."), "")
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


# A URL as feeds write them: scheme://host/path, with no IPv6 brackets, tab or line end in the
# host and path (urlsplit drops tabs and line ends, and checks brackets and non-ASCII hosts).
_PLAIN_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#\[\]\t\r\n]*(/[^?#\t\r\n]*)?(?:[?#].*)?", re.DOTALL)


def url_path(url: str) -> str | None:
    """`urlsplit(url).path`, read directly from a URL of the usual form (urlsplit costs some
    microseconds a URL: its cache of 128 helps nothing over a feed's thousands)."""
    match = _PLAIN_URL.fullmatch(url) if url.isascii() else None
    return weburl.url_path(url) if match is None else match.group(1) or ""


@rule(
    "M101",
    "warning",  # issue #3: Ogg, Opus, FLAC, WAV still build (other apps play them), with a warning
    "the enclosure `type` is one Apple accepts: " + ", ".join(f"`{t}`" for t in APPLE_MEDIA_TYPES),
    "publish MP3 (audio/mpeg) or M4A (audio/x-m4a); Apple does not list other types",
    reads=("enclosure",),
)
def media_type(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, enclosure in items_with(subject, "enclosure"):
        declared = (enclosure.get("type") or "").strip() if enclosure is not None else ""
        if declared and declared not in APPLE_MEDIA_TYPES:
            yield Finding(feed.where(enclosure, "enclosure"), f'{feed.label(item)}: type "{declared}"')


@rule(
    "M102",
    "warning",  # an .m4b or .ogg enclosure is not Apple's, but other apps play it (issue #3)
    "the enclosure URL ends in the file extension of its type (.mp3, .m4a, .mp4, .m4v, .mov, .pdf)",
    "Apple decides from the URL's extension whether it can play the file; rename the file to match",
    reads=("enclosure",),
)
def media_extension(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, enclosure in items_with(subject, "enclosure"):
        if enclosure is None:
            continue
        url, declared = (enclosure.get("url") or "").strip(), (enclosure.get("type") or "").strip()
        if not url or extension_fits(url, declared):
            continue
        suffix = path_suffix(url_path(url) or "").lower()  # (a URL at all: extension_fits says)
        expected = APPLE_MEDIA_TYPES.get(declared)
        wanted = " or ".join(expected) if expected else "one Apple lists"
        # Renaming helps only when Apple takes the type: a WAV, FLAC, Ogg or Opus file
        # named .mp3 would be a lie (M104), so the fix there is another format.
        hint = None if expected else (
            f"Apple does not take {declared or 'this type'} under any name (M101), so renaming"
            " does not help; to be in Apple Podcasts, export the audio as MP3 or M4A"
        )
        yield Finding(
            feed.where(enclosure, "enclosure"),
            f'{feed.label(item)}: URL ends in "{suffix or "(nothing)"}", expected {wanted}',
            hint,
        )


def extension_fits(url: str, declared: str) -> bool:
    """Whether M102 finds nothing in an enclosure of `url` and type `declared` (both stripped):
    its path ends in an extension of the type, or any Apple lists for a type it does not; or it
    is not a URL at all (U103 says so)."""
    path = url_path(url)
    if path is None:
        return True
    suffix = path_suffix(path).lower()
    expected = APPLE_MEDIA_TYPES.get(declared)
    return suffix in expected if expected else suffix in APPLE_SUFFIXES


def _enclosure_files(subject: Subject):
    """Each item's enclosure with what could be learnt of the file it names (others are skipped)."""
    for item, enclosure in items_with(subject, "enclosure"):
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
            online = subject.resources.online
            server = "the server says" if online else "the file is"
            hint = None
            url_path = PurePosixPath(weburl.url_path(enclosure.get("url") or "") or "")
            named = audio.format_for_suffix(url_path)
            if online and named is not None and named.mime == declared:
                # The name and the declared type agree; it is the server's Content-Type that is off.
                hint = (
                    f"the server is wrong, not the file: have it send Content-Type {declared} for"
                    f" {url_path.suffix} files (a MIME-type setting of the web server or the storage bucket)"
                )
            yield Finding(
                feed.where(enclosure, "enclosure"),
                f'{feed.label(item)}: type="{declared}" but {server} "{facts.mime}"',
                hint,
            )


# URL-bearing tags with the attribute that holds the URL, or None where the text is the URL.
_URL_TAGS = {"enclosure": "url", "itunes:image": "href", "atom:link": "href", "itunes:new-feed-url": None}


def _urls(feed: FeedDoc) -> list[tuple[etree._Element, str, str, bool]]:
    """(element, field, URL, is media) for every URL in the feed that apps follow, found in one
    walk of the document and shared by the U1xx rules."""
    return feed.shared("urls", _find_urls)


def _find_urls(feed: FeedDoc) -> list[tuple[etree._Element, str, str, bool]]:
    found = []
    for element, tag in feed.elements():
        if tag in _URL_TAGS:
            attribute = _URL_TAGS[tag]
            url = (element.get(attribute) or "") if attribute else text(element)
            media = element.get("rel") == "self" if tag == "atom:link" else True
            found.append((element, tag, url, media))
        elif tag == "url" and element.getparent().tag == "image":
            found.append((element, "image", text(element), True))
        elif tag == "link":
            found.append((element, tag, text(element), False))
        elif tag.startswith("podcast:"):  # the short name of a tag in the podcast: namespace
            # Files apps fetch (transcripts, chapters, images, alternate sources) are
            # media; a person's href and a funding page are links to web pages.
            for attribute in ("url", "uri", "img", "href"):
                value = element.get(attribute)
                if value:
                    page = attribute == "href" or tag == "podcast:funding"
                    found.append((element, tag, value, not page))
    return found


# What `_find_urls` reads: its URL tags, an image's url, link, and every tag of podcast:.
URL_TAGS = (*_URL_TAGS, "url", "image", "link", "podcast:")


@rule(
    "U101",
    "error",
    "media, artwork and feed URLs use https (enclosures, `itunes:image`, `image`, the self link, "
    "`itunes:new-feed-url`, files named by `podcast:` tags)",
    "serve them over https; Apple and many apps refuse plain http",
    reads=URL_TAGS,
)
def https_media(subject: Subject) -> Iterator[Finding]:
    yield from _plain_http(subject, media=True)


@rule(
    "U102",
    "warning",
    "links to web pages (`link`, other `atom:link`s, `podcast:person` href, `podcast:funding`) use https",
    "link to the https address of the site",
    reads=URL_TAGS,
)
def https_links(subject: Subject) -> Iterator[Finding]:
    yield from _plain_http(subject, media=False)


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@rule(
    "U103",
    "error",
    "every URL apps follow (those of U101 and U102) is absolute (it starts with `https://` or `http://`)"
    " and can be read (its host is a name, an address or an IPv6 address in brackets)",
    "write the whole address, e.g. https://example.com/media/ep1.mp3; apps do not resolve relative URLs",
    reads=URL_TAGS,
)
def absolute_urls(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for element, tag, url, _ in _urls(feed):
        value = url.strip()
        if value and not _ABSOLUTE.match(value) and not value.startswith("mailto:"):
            yield Finding(feed.where(element, tag), f'{feed.whose(element)}"{value}" is not an absolute URL')
        elif value and not weburl.is_readable_url(value):
            yield Finding(
                feed.where(element, tag),
                f'{feed.whose(element)}"{value}" is not a URL an app can read (its host is not a name,'
                " an address or an IPv6 address in brackets)",
            )


def url_fits(url: str) -> bool:
    """Whether U101, U102 and U103 find nothing in `url` (as it stands in its attribute or,
    stripped, its element), media or link: not plain http, and absolute and readable if any."""
    value = url.strip()
    if value.lower().startswith("http://"):
        return False
    if not value:
        return True
    return bool(_ABSOLUTE.match(value) or value.startswith("mailto:")) and weburl.is_readable_url(value)


def _plain_http(subject: Subject, *, media: bool) -> Iterator[Finding]:
    feed = subject.feed
    seen: set[tuple[int, str]] = set()  # the artwork is both <image> and itunes:image: once is enough
    for element, tag, url, is_media in _urls(feed):
        if is_media != media or not url.strip().lower().startswith("http://"):
            continue
        said = (id(feed.item_of(element)), url.strip())
        if said not in seen:
            seen.add(said)
            whose = feed.whose(element)
            if is_loopback(url.strip()):
                # A show served from this machine is a local test (`podcast publish` to a folder
                # served on 127.0.0.1): no app will ever read it, so http is only worth a warning.
                yield Finding(
                    feed.where(element, tag),
                    f"{whose}{url.strip()} is not https (a local test address)",
                    hint="publish the real show at an https address",
                    severity="warning",
                )
            else:
                yield Finding(feed.where(element, tag), f"{whose}{url.strip()} is not https")


# The form feeds write dates in (ours always): read directly, as the email parser would read it
# but several times faster; any other form goes to the email parser.
_RFC2822 = re.compile(
    r"(?:[A-Za-z]{3}, )?(\d\d) ([A-Za-z]{3}) ([1-9]\d{3}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)", re.ASCII
)
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}  # fmt: skip
_MONTHS.update({name.title(): number for name, number in _MONTHS.items()})
_ZONES: dict[int, timezone] = {}


def parse_date(value: str) -> datetime | None:
    """A pubDate's time, as D101 and D102 read it; None when it is not an RFC 2822 date."""
    match = _RFC2822.fullmatch(value)
    if match is None:
        return _parse_any_date(value)
    day, name, year, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    month = _MONTHS.get(name) or _MONTHS.get(name.lower())  # "May" as feeds write it, first
    if month is None:
        return _parse_any_date(value)
    offset = 0 if zone_hours == zone_minutes == "00" else int(zone_hours) * 3600 + int(zone_minutes) * 60
    try:
        if offset == 0:
            zone = UTC  # "-0000" says UTC too, knowing no better (RFC 2822)
        else:
            offset = -offset if sign == "-" else offset
            zone = _ZONES.get(offset) or _ZONES.setdefault(offset, timezone(timedelta(seconds=offset)))
        return datetime(int(year), month, int(day), int(hour), int(minute), int(second), tzinfo=zone)
    except ValueError:
        return None


def _parse_any_date(value: str) -> datetime | None:
    from email.utils import parsedate_to_datetime  # (~4 ms to import: our own dates never need it)

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
    reads=("pubDate",),
)
def pub_dates(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, element in items_with(subject, "pubDate"):
        value = text(element)
        if not value:
            yield Finding(feed.where(item, "pubDate"), f"{feed.label(item)} has no pubDate")
        elif parse_date(value) is None:
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
    # A year two before now's is past in any time zone: most dates of a long show need no reading.
    past = subject.now.year - 2
    for index, value in enumerate(feed.texts("pubDate")):
        match = _RFC2822.fullmatch(value)
        if match is not None and int(match.group(3)) <= past:
            continue
        when = parse_date(value)
        if when is not None and when > subject.now:
            element = feed.items[index].find("pubDate")
            yield Finding(feed.where(element, "pubDate"), f"{feed.label(feed.items[index])}: dated {value}")


@rule(
    "S101",
    "warning",
    f"the feed is at most {MAX_FEED_BYTES // 1_000_000} MB",
    "every app downloads the whole feed on each refresh; shorten the show notes, or set "
    "feed_items = 300 in podcast.toml: feed.xml then holds the newest 300 episodes and links to "
    "the older ones on paged feeds (RFC 5005)",
)
def feed_size(subject: Subject) -> Iterator[Finding]:
    size = subject.published_bytes or len(subject.feed.data)
    if size > subject.max_feed_bytes:
        yield Finding(Where(subject.feed.source), f"{size:,} bytes, over {subject.max_feed_bytes:,}")
