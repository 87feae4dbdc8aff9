"""The item rules' verdict on a plain item, read from its text: nothing found, and its digest.

`ItemLinter.check` parses a document of the channel and one item and runs the item rules over
it; an item as the build writes it (one child a line, no more than the tags listed here) is
most often found to hold nothing. `verdict` reads such an item's children from its lines
and asks of each value what the rules ask of it (with the rules' own helpers where a rule has
one); when every answer is sure to be "nothing", it gives the item's digest as `digest` would
write it. Anything else (a tag not listed, an odd line, an entity it does not know, a value any
rule might judge) is None: the item takes the long way, which says what is wrong and where.

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
# The tags of RSS and iTunes a plain item may hold, each once: what the build writes. Of the
# podcast: namespace any tag, as often as it likes (only U101-U103 read them: their URLs).
_ONCE = frozenset(
    {
        "title", "link", "description", "guid", "enclosure", "pubDate", "itunes:title",
        "itunes:author", "itunes:duration", "itunes:explicit", "itunes:episodeType",
        "itunes:season", "itunes:episode",
    }
)  # fmt: skip
_URL_ATTRIBUTES = ("url", "uri", "img", "href")  # those U101-U103 read of a podcast: tag
# Tags A113 does not measure: long text by Apple's rules, and the guid (whatever its length).
_UNMEASURED = frozenset({"description", "guid", "content:encoded"})
_DIGEST_TAGS = ("title", "guid", "enclosure", "pubDate")  # itunes:image: not in a plain item

_START, _END = "    <item>\n", "    </item>\n"
# One child on its own line: a known prefix, attributes in double quotes with no "<" or ">" (nor
# a tab or a line feed, which XML reads as spaces); empty, or text with no "<" or ">" (no "]]>"
# then) and its end tag, or the start of a CDATA section (its end is found with str.find).
_CHILD = re.compile(
    r'      <((?:itunes:|podcast:|content:)?[A-Za-z]+)((?: [A-Za-z]+="[^"<>\t\n]*")*)'
    r"(?:/>\n|>(?:([^<>]*)</\1>\n|<!\[CDATA\[))"
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


Child = tuple[list[tuple[str, str]], "str | None"]  # attributes, text (None: empty)


def verdict(item: bytes, *, serial: bool) -> bytes | None:
    """The digest of `item` when the item rules surely find nothing in it (in a channel whose
    itunes:type is serial or not); None when they might, or it is not written one child a line
    in the build's form.

    The children are read as the parser reads them: each RSS and iTunes tag once (`_ONCE`),
    content:encoded and podcast: tags as often as they come."""
    if b"\r" in item or xmltext.unfit(item):
        return None  # (a carriage return is a line end to XML; the rest it refuses)
    try:
        text = item.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.startswith(_START) or not text.endswith(_END):
        return None
    once: dict[str, Child] = {}  # in document order
    position, end = len(_START), len(text) - len(_END)
    match = _CHILD.match
    while position < end:
        child = match(text, position)
        if child is None:
            return None
        tag, written, value = child.groups()
        position = child.end()
        if text[position - 1] != "\n":  # a CDATA section: its text runs to the first "]]>"
            stop = text.find("]]>", position)
            closing = f"]]></{tag}>\n"
            if stop <= position or not text.startswith(closing, stop):
                return None  # (an empty section, one not closed, or more than one)
            value, position = text[position:stop], stop + len(closing)
        elif value is not None:
            if not value:
                value = None  # (no text: lxml reads None)
            elif "&" in value:
                value = _unescaped(value)
                if value is None:
                    return None
        attributes = _attributes(written) if written else []
        if attributes is None:
            return None
        if tag in _ONCE:
            if tag in once:
                return None
            once[tag] = (attributes, value)
            if value is not None and len(value) > VALUE_MAX_CHARS and tag not in _UNMEASURED:
                return None  # A113 measures it
        elif tag.startswith("podcast:"):
            for name, url in attributes:
                if name in _URL_ATTRIBUTES and url and not url_fits(url):
                    return None
        elif tag != "content:encoded":
            return None
    if not _values_fit(once, serial):
        return None
    return _digest((tag, *once[tag]) for tag in once if tag in _DIGEST_TAGS)


def _values_fit(once: dict[str, Child], serial: bool) -> bool:
    """Whether the item rules find nothing in the item's RSS and iTunes children, `once`."""
    # Each child's text, stripped, as the rules read it ("" for a child not there).
    text = {tag: (value or "").strip() for tag, (_, value) in once.items()}
    get = text.get
    # A103: a title, and an enclosure with url, length (a whole number) and type.
    enclosure = once.get("enclosure")
    if not get("title") or enclosure is None:
        return False
    attributes = dict(enclosure[0])
    written_url = attributes.get("url") or ""
    url = written_url.strip()
    length = (attributes.get("length") or "").strip()
    declared = (attributes.get("type") or "").strip()
    if not (url and length.isdigit() and declared):
        return False
    # M101, M102, U101-U103 of the enclosure.
    if declared not in APPLE_MEDIA_TYPES or not extension_fits(url, declared) or not url_fits(written_url):
        return False
    # A104 (D101 says more of pubDate).
    if not (get("guid") and get("description") and get("itunes:duration") and get("itunes:explicit")):
        return False
    # A112: the description's size in bytes.
    description = once["description"][1] or ""
    if len(description) > DESCRIPTION_MAX_BYTES // 4:  # (UTF-8: at most 4 bytes a character)
        if len(description.encode("utf-8")) > DESCRIPTION_MAX_BYTES:
            return False
    # A120, A121, A122.
    if text["itunes:explicit"] not in ("true", "false"):
        return False
    for tag in ("itunes:duration", "itunes:episodeType", "itunes:season", "itunes:episode"):
        if tag in text and not ENUMERATED[tag](text[tag]):
            return False
    if serial and not get("itunes:episode"):
        return False
    # U101-U103 of the link; D101.
    if "link" in text and not url_fits(text["link"]):
        return False
    date = get("pubDate")
    return bool(date) and parse_date(date) is not None


def _digest(children: object) -> bytes:
    """itemwise.digest's bytes of an item of these `children` (the digest tags, in order)."""
    out = ["<item>"]
    for tag, attributes, value in children:  # type: ignore[attr-defined]
        if tag == "enclosure":
            url = dict(attributes).get("url")
            out.append("<enclosure" if url is None else f'<enclosure url="{xmltext.attribute(url)}"')
        elif tag == "guid":
            out.append("<guid")
        else:
            out.append(f"<{tag}")
            out.extend(f' {name}="{xmltext.attribute(v)}"' for name, v in attributes)
        out.append("/>" if value is None else f">{xmltext.text(value)}</{tag}>")
    out.append("</item>\n")
    return "".join(out).encode("utf-8")
