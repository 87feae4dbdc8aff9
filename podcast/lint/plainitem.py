"""The item rules' verdict on a plain item, read from its text: nothing found, and its digest.

`ItemLinter.check` parses a document of the channel and one item and runs the item rules over
it; an item as the build writes it (`_PLAIN_ITEM`: its children in item.to_text's order, one a
line) is most often found to hold nothing. `verdict` reads such an item's children with one
regular expression and asks of each value what the rules ask of it (with the rules' own helpers
where a rule has one); when every answer is sure to be "nothing", it gives the item's digest as
itemwise.digest would write it. Anything else (a tag not listed, an odd line, an entity it
does not know, a value any rule might judge) is None: the item takes the long way, which says
what is wrong and where.

Each test here may pass over a case the long way finds nothing in (a title of 256 characters
that stripping shortens, say); none may take a case in which it finds something.
"""

from __future__ import annotations

import re

from ..feed import xmltext
from .rules_apple import DESCRIPTION_MAX_BYTES, ENUMERATED, VALUE_MAX_CHARS
from .rules_media import APPLE_MEDIA_TYPES, extension_fits, parse_date, url_fits

# The rules this knows the questions of (itemwise.ItemLinter's item rules, but for the channel's).
# A rule added to the item rules and not here turns the verdicts off until it is read and listed.
PLAIN_CODES = frozenset(
    {
        "A103", "A104", "A112", "A113", "A120", "A121", "A122", "M101", "M102",
        "U101", "U102", "U103", "D101",
        # The artwork rules read an item's itunes:image, which no plain item has.
        "I101", "I102", "I103", "I104", "I105", "I106", "I107",
    }
)  # fmt: skip
_URL_ATTRIBUTES = ("url", "uri", "img", "href")  # those U101-U103 read of a podcast: tag


def _line(tag: str, *, cdata: bool = False) -> str:
    """An optional child line of the item holding text (or, `cdata`, one CDATA section): its
    text, with no "<" or ">" (no "]]>" then), is a group named for the tag."""
    name = tag.replace(":", "_")
    text = f"(?P<{name}>[^<>]*)"
    if cdata:  # a section's text runs to its first "]]>"
        text = rf"(?:<!\[CDATA\[(?P<{name}_cdata>[^\]]*(?:\](?!\]>)[^\]]*)*)\]\]>|{text})"
    return f"(?:      <{tag}>{text}</{tag}>\n)?"


# An item as item.to_text writes it (its children in that order, one a line) of RSS's tags,
# iTunes' (but an image) and any single-line podcast: tags after them; attributes in double
# quotes with no "<" or ">" (nor a tab or a line feed, which XML reads as spaces).
_PLAIN_ITEM = re.compile(
    "    <item>\n"
    + _line("title")
    + _line("link")
    + _line("description", cdata=True)
    + _line("content:encoded", cdata=True)
    + '(?:      <guid isPermaLink="(?:true|false)">(?P<guid>[^<>]*)</guid>\n)?'
    + '(?:      <enclosure url="(?P<url>[^"<>\t\n]*)" length="(?P<length>[^"<>\t\n]*)"'
    + ' type="(?P<type>[^"<>\t\n]*)"/>\n)?'
    + _line("pubDate")
    + _line("itunes:title")
    + _line("itunes:author")
    + _line("itunes:duration")
    + _line("itunes:explicit")
    + _line("itunes:episodeType")
    + _line("itunes:season")
    + _line("itunes:episode")
    + "(?P<podcast>(?:      <podcast:[^\n]*\n)*)"
    + "    </item>\n"
)
# The text groups: the tags whose text A113 measures, and those it does not.
_MEASURED = ("title", "link", "pubDate", "itunes:title", "itunes:author", "itunes:duration",
             "itunes:explicit", "itunes:episodeType", "itunes:season", "itunes:episode")  # fmt: skip
_UNMEASURED = ("description", "guid", "url", "length", "type")  # (the last three: attributes)
_GROUPS = tuple((tag, tag.replace(":", "_")) for tag in (*_MEASURED, *_UNMEASURED))
# One podcast: child on its line, empty or with text.
_PODCAST_CHILD = re.compile(
    r'      <(podcast:[A-Za-z]+)((?: [A-Za-z]+="[^"<>\t\n]*")*)(?:/>|>([^<>]*)</\1>)\n'
)
_ATTRIBUTE = re.compile(r' ([A-Za-z]+)="([^"]*)"')
# An "&" that does not begin an entity `_unescaped` reads.
_OTHER_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#10|#13|#9);)")


def _unescaped(raw: str) -> str | None:
    """The text XML reads in `raw` (no "<" in it); None when it holds an entity not read here."""
    if "&" not in raw:
        return raw
    if _OTHER_AMPERSAND.search(raw):
        return None
    for entity, character in (
        ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"),
        ("&#10;", "\n"), ("&#13;", "\r"), ("&#9;", "\t"), ("&amp;", "&"),
    ):  # fmt: skip
        if entity in raw:
            raw = raw.replace(entity, character)
    return raw


def _attributes(written: str) -> list[tuple[str, str]] | None:
    """The attributes written in a start tag, read; None for ones not read here (an entity
    `_unescaped` does not know, an attribute twice, a namespace declared)."""
    pairs = _ATTRIBUTE.findall(written)
    if "&" in written:
        pairs = [(name, _unescaped(raw)) for name, raw in pairs]
        if any(value is None for _, value in pairs):
            return None
    names = {name for name, _ in pairs}
    return pairs if len(names) == len(pairs) and "xmlns" not in names else None


def verdict(item: bytes, *, serial: bool) -> bytes | None:
    """The digest of `item` when the item rules surely find nothing in it (in a channel whose
    itunes:type is serial or not); None when they might, or it is not written as the build
    writes it (`_PLAIN_ITEM`)."""
    if b"\r" in item or xmltext.unfit(item):
        return None  # (a carriage return is a line end to XML; the rest it refuses)
    if serial and b"<itunes:episode>" not in item:
        return None  # A122 (said at once: a show made serial finds it in every item unnumbered)
    try:
        plain = _PLAIN_ITEM.fullmatch(item.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if plain is None:
        return None
    found = plain.groupdict()
    # Each child's text (or enclosure attribute) as XML reads it ("": none); None: no child.
    values: dict[str, str | None] = {}
    for tag, name in _GROUPS:
        value = found[name]
        if value is None and tag == "description":
            value = found["description_cdata"]
        elif value and "&" in value:
            value = _unescaped(value)
            if value is None:
                return None
        values[tag] = value
    for tag in _MEASURED:
        value = values[tag]
        if value is not None and len(value) > VALUE_MAX_CHARS:
            return None  # A113 measures it
    if found["podcast"] and not _podcast_urls_fit(found["podcast"]):
        return None
    if found["content_encoded"] and "&" in found["content_encoded"]:
        if _unescaped(found["content_encoded"]) is None:
            return None
    if not _values_fit(values, serial):
        return None
    return _digest(values)


def _podcast_urls_fit(lines: str) -> bool:
    """Whether `lines` are podcast: children XML reads, with no URL U101-U103 find anything in."""
    position, end = 0, len(lines)
    while position < end:
        child = _PODCAST_CHILD.match(lines, position)
        if child is None:
            return False
        _, written, value = child.groups()
        if value and "&" in value and _unescaped(value) is None:
            return False
        attributes = _attributes(written) if written else []
        if attributes is None:
            return False
        for name, url in attributes:
            if name in _URL_ATTRIBUTES and url and not url_fits(url):
                return False
        position = child.end()
    return True


def _values_fit(values: dict[str, str | None], serial: bool) -> bool:
    """Whether the item rules find nothing in the item's RSS and iTunes `values`."""
    # Each child's text, stripped, as the rules read it ("" for a child not there).
    text = {tag: (value or "").strip() for tag, value in values.items()}
    # A103: a title, and an enclosure with url, length (a whole number) and type.
    url, length, declared = text["url"], text["length"], text["type"]
    if not (text["title"] and url and length.isdigit() and declared):
        return False
    # M101, M102, U101-U103 of the enclosure.
    if declared not in APPLE_MEDIA_TYPES or not extension_fits(url, declared) or not url_fits(url):
        return False
    # A104 (D101 says more of pubDate).
    if not (text["guid"] and text["description"] and text["itunes:duration"] and text["itunes:explicit"]):
        return False
    # A112: the description's size in bytes.
    description = values["description"] or ""
    if len(description) > DESCRIPTION_MAX_BYTES // 4:  # (UTF-8: at most 4 bytes a character)
        if len(description.encode("utf-8")) > DESCRIPTION_MAX_BYTES:
            return False
    # A120, A121, A122.
    if text["itunes:explicit"] not in ("true", "false"):
        return False
    for tag in ("itunes:duration", "itunes:episodeType", "itunes:season", "itunes:episode"):
        if values[tag] is not None and not ENUMERATED[tag](text[tag]):
            return False
    if serial and not text["itunes:episode"]:
        return False
    # U101-U103 of the link; D101.
    if values["link"] is not None and not url_fits(text["link"]):
        return False
    date = text["pubDate"]
    return bool(date) and parse_date(date) is not None


def _digest(values: dict[str, str | None]) -> bytes:
    """itemwise.digest's bytes of a plain item of these `values` (a title, guid, enclosure with
    a URL and pubDate, in that order: `_values_fit` saw to it)."""
    title, guid, date = (xmltext.text(values[tag] or "") for tag in ("title", "guid", "pubDate"))
    url = xmltext.attribute(values["url"] or "")
    written = f'<title>{title}</title><guid>{guid}</guid><enclosure url="{url}"/><pubDate>{date}</pubDate>'
    return f"<item>{written}</item>\n".encode()
