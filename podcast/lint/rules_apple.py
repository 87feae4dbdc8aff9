"""A1xx: what Apple Podcasts requires of the channel and its items, and the values it accepts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..feed.itunes import ITUNES_NS
from ..schema import apple_categories
from .feeddoc import Finding, Where, qname, text
from .registry import Subject, items_with, rule

# Apple's figures (Podcasts Connect, "A Podcaster's Guide to RSS").
DESCRIPTION_MAX_BYTES = 4000
VALUE_MAX_CHARS = 255
# Tags whose text Apple lets run past 255 characters.
LONG_TEXT_TAGS = {"description", "itunes:summary", "content:encoded"}
ITUNES_TAG = f"{{{ITUNES_NS}}}"
SIZED_TAGS = {tag: qname(tag) for tag in ("description", "itunes:summary")}  # A112's


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
        present = element is not None and (element.get("href") or element.get("text") or text(element))
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
        if not text(channel.find(qname(tag))):
            yield Finding(subject.feed.where(channel, tag), "missing or empty", hint=CHANNEL_HINTS[tag])
    owner = channel.find(qname("itunes:owner"))
    if owner is None or not text(owner.find(qname("itunes:email"))):
        yield Finding(subject.feed.where(channel, "itunes:owner"), "missing, or without itunes:email")


@rule(
    "A103",
    "error",
    "every item has a `title` and an `enclosure` with `url`, `length` (a whole number of bytes) and `type`",
    "Apple skips an episode without them",
    reads=("enclosure",),
)
def item_required(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, children in zip(feed.items, feed.children(), strict=True):
        if not text(children.get("title")):
            yield Finding(feed.where(item, "title"), f"{feed.label(item)} has no title")
        enclosure = children.get("enclosure")
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


# D101 says more about dates.
_RECOMMENDED_NAMES = tuple((tag, qname(tag)) for tag in ITEM_RECOMMENDED if tag != "pubDate")


@rule(
    "A104",
    "warning",
    "every item has Apple's recommended tags: " + ", ".join(f"`{t}`" for t in ITEM_RECOMMENDED),
    "add them; without a guid, apps tell episodes apart by enclosure URL and show duplicates when it moves",
    reads=tuple(ITEM_RECOMMENDED),
)
def item_recommended(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for item, children in zip(feed.items, feed.children(), strict=True):
        for tag, name in _RECOMMENDED_NAMES:
            if not text(children.get(name)):
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


# Codes most shows write, each one langcodes takes (tests/test_lint.py checks): a show writing
# one of them is judged without loading langcodes' tables.
COMMON_LANGUAGES = frozenset(
    {
        "en", "en-US", "en-us", "en-GB", "en-gb", "en-AU", "en-CA", "en-IE", "en-NZ", "en-IN",
        "de", "de-DE", "de-de", "de-AT", "de-CH", "fr", "fr-FR", "fr-fr", "fr-CA", "fr-BE", "fr-CH",
        "es", "es-ES", "es-es", "es-MX", "es-AR", "es-US", "it", "it-IT", "nl", "nl-NL", "nl-BE",
        "pt", "pt-BR", "pt-br", "pt-PT", "sv", "sv-SE", "da", "da-DK", "no", "nb", "nb-NO", "nn",
        "fi", "fi-FI", "pl", "pl-PL", "cs", "hu", "el", "tr", "ru", "uk", "ja", "ja-JP", "ko",
        "zh", "zh-CN", "zh-TW", "zh-Hans", "zh-Hant", "ar", "he", "hi", "id", "ms", "th", "vi",
        "ca", "eu", "gl", "ga", "cy", "is", "et", "lv", "lt", "ro", "bg", "hr", "sr", "sk", "sl",
    }
)  # fmt: skip


@rule(
    "A111",
    "error",
    "`language` is a valid language code (ISO 639, optionally with a region: `en`, `en-US`)",
    'Apple refuses a feed with an invalid code; write e.g. "en" or "de-AT"',
)
def language(subject: Subject) -> Iterator[Finding]:
    element = subject.feed.channel.find("language")
    value = text(element)
    if element is None or not value or value in COMMON_LANGUAGES:
        return
    import langcodes  # its language tables take 20-40 ms to load, for every build that lints

    if not langcodes.tag_is_valid(value):
        yield Finding(subject.feed.where(element, "language"), f'"{value}" is not a language code')


@rule(
    "A112",
    "error",
    f"`description` and `itunes:summary` (channel and items) are at most {DESCRIPTION_MAX_BYTES} bytes",
    "Apple cuts or refuses longer text; shorten it (the full text can go in content:encoded)",
    reads=tuple(SIZED_TAGS),
)
def description_size(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    channel = feed.channel_children()
    for parent, children in ((feed.channel, channel), *zip(feed.items, feed.children(), strict=True)):
        for tag, name in SIZED_TAGS.items():
            element = children.get(name)
            if element is None:
                continue
            value = element.text or ""
            if len(value) <= DESCRIPTION_MAX_BYTES // 4:
                continue  # within the limit whatever it is written in (UTF-8: at most 4 bytes a character)
            size = len(value.encode("utf-8"))
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
    for element, tag in feed.elements():
        value = element.text
        if not value or len(value) <= VALUE_MAX_CHARS or len(element):
            continue  # short enough (stripping only shortens it), or an element with children
        if element.tag[0] == "{" and not element.tag.startswith(ITUNES_TAG):
            continue  # only RSS's own tags and iTunes' have Apple's limit
        if tag in LONG_TEXT_TAGS or tag == "guid":
            continue  # a published guid must never change, whatever its length: "shorten it" would break it
        value = value.strip()
        if len(value) > VALUE_MAX_CHARS:
            whose = feed.whose(element)
            yield Finding(feed.where(element, tag), f"{whose}{len(value)} characters, over {VALUE_MAX_CHARS}")


@rule(
    "A120",
    "error",
    "`itunes:explicit` (channel and items) is `true` or `false`",
    "write true or false; Apple and the W3C validator refuse yes/no/clean and other values",
    reads=("itunes:explicit",),
)
def explicit(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for element in feed.named("itunes:explicit"):
        value = text(element)
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
    reads=tuple(ENUMERATED),
)
def enumerated_values(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    for tag, accepts in ENUMERATED.items():
        for element in feed.named(tag):
            value = text(element)
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
    reads=("itunes:type", "itunes:episode"),
)
def serial_numbers(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    if text(feed.channel_children().get(qname("itunes:type"))) != "serial":
        return
    for item, number in items_with(subject, "itunes:episode"):
        if not text(number):
            yield Finding(feed.where(item, "itunes:episode"), f"{feed.label(item)} has no episode number")
