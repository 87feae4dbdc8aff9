"""A parsed feed and how to name a place in it: the file or URL, a line and a field.

Rules look at a `FeedDoc` and report `Finding`s located by `Where`; when a show
directory is linted, `FeedDoc.origin` traces a place back to podcast.toml or an
episode.md (see origin.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from lxml import etree

from ..errors import Severity
from ..feed.itunes import ITUNES_NS
from ..feed.podcastindex import PODCAST_NS

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
PREFIXES = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS, "content": CONTENT_NS}
T = TypeVar("T")


def qname(tag: str) -> str:
    """'itunes:image' → '{http://www.itunes.com/dtds/podcast-1.0.dtd}image'."""
    name = _QNAMES.get(tag)
    if name is None:
        name = _QNAMES[tag] = _qualify(tag)
    return name


# Rules ask for a few dozen names (their own, written in the code), for every item.
_QNAMES: dict[str, str] = {}


def _qualify(tag: str) -> str:
    if ":" in tag:
        prefix, local = tag.split(":", 1)
        return f"{{{PREFIXES[prefix]}}}{local}"
    return tag


# Tag → short name: a feed has a few dozen tag names, met hundreds of thousands of times.
_SHORT_NAMES: dict[str, str] = {}
_SHORT_NAMES_KEPT = 4096  # a feed inventing names by the thousand is named each time, not kept


def short_name(element: etree._Element) -> str:
    """'{…itunes…}image' → 'itunes:image', for messages."""
    tag = element.tag
    short = _SHORT_NAMES.get(tag)
    if short is None:
        short = _shorten(etree.QName(tag))
        if len(_SHORT_NAMES) < _SHORT_NAMES_KEPT:
            _SHORT_NAMES[tag] = short
    return short


def _shorten(name: etree.QName) -> str:
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
    severity: Severity | None = None  # overrides the rule's severity (a milder case of it)


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
    # What several rules read of the document, worked out once (see `shared`).
    _shared: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def shared(self, key: str, make: Callable[[FeedDoc], T]) -> T:
        """`make(self)`, made once per document: what several rules read of it (the tree is
        not changed while rules run)."""
        try:
            return self._shared[key]
        except KeyError:
            made = self._shared[key] = make(self)
            return made

    def elements(self) -> list[tuple[etree._Element, str]]:
        """Every element of the channel (itself first), in document order, with its short name;
        comments and processing instructions left out."""
        return self.shared("elements", _named_elements)

    def named(self, tag: str) -> list[etree._Element]:
        """The channel's elements (itself among them) of short name `tag`, in document order."""
        return self.shared("named", _elements_by_name).get(tag, [])

    def channel_children(self) -> dict[str, etree._Element]:
        """The channel's children by tag (the first of each, as `find` gives)."""
        return self.shared("channel children", _channel_children)

    def children(self) -> list[dict[str, etree._Element]]:
        """For each item, in order, its children by tag (the first of each, as `find` gives)."""
        return self.shared("children", _children_by_tag)

    def texts(self, tag: str) -> list[str]:
        """For each item, in order, `text` of its first `tag` child (a qualified name)."""
        if tag in COLUMN_TAGS:
            return self.shared(f"column {tag}", lambda feed: _column(feed, tag))
        return self.shared(f"text {tag}", lambda feed: [text(item.find(tag)) for item in feed.items])

    def enclosure_urls(self) -> list[str]:
        """For each item, in order, its `enclosure_url`."""
        return self.texts("enclosure")

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


def _named_elements(feed: FeedDoc) -> list[tuple[etree._Element, str]]:
    known = _SHORT_NAMES
    named = []
    for element in feed.channel.iter(etree.Element):  # elements only: no comments, no PIs
        short = known.get(element.tag)
        named.append((element, short_name(element) if short is None else short))
    return named


def _elements_by_name(feed: FeedDoc) -> dict[str, list[etree._Element]]:
    by_name: dict[str, list[etree._Element]] = {}
    for element, tag in feed.elements():
        by_name.setdefault(tag, []).append(element)
    return by_name


def _channel_children(feed: FeedDoc) -> dict[str, etree._Element]:
    children: dict[str, etree._Element] = {}
    for child in feed.channel:
        children.setdefault(child.tag, child)
    return children


def _children_by_tag(feed: FeedDoc) -> list[dict[str, etree._Element]]:
    table = []
    for item in feed.items:
        children: dict[str, etree._Element] = {}
        for child in item:
            children.setdefault(child.tag, child)
        table.append(children)
    return table


# What the rules over a whole feed read of every item (of the enclosure, its URL): a column each.
COLUMN_TAGS = ("title", "guid", "pubDate", "enclosure")


# Each item's first child of a column's tag, found by one XPath in libxml2's loop rather than
# Python's: at most one an item, in document order. When every item has one, they are the items'
# in order; else each item is asked (`find`, as `text` does).
_FIRST_CHILDREN = {tag: etree.XPath(f"item/{tag}[1]") for tag in COLUMN_TAGS}
# The URL of each item's first enclosure, likewise (at most one an item): strings, no elements.
_FIRST_URLS = etree.XPath("item/enclosure[1]/@url", smart_strings=False)


def _column(feed: FeedDoc, tag: str) -> list[str]:
    """For each item, in order, the text of its first `tag` child (an enclosure's URL), stripped;
    empty where it has none. (Strings only are kept: element objects held for 10,000 items would
    have Python's garbage collector walk them again and again.)"""
    if tag == "enclosure":
        urls = _FIRST_URLS(feed.channel)
        if len(urls) == len(feed.items):
            return [url.strip() for url in urls]
    firsts = _FIRST_CHILDREN[tag](feed.channel)
    if len(firsts) != len(feed.items):
        firsts = [item.find(tag) for item in feed.items]
    if tag == "enclosure":
        return [(first.get("url") or "").strip() if first is not None else "" for first in firsts]
    return [(first.text or "").strip() if first is not None else "" for first in firsts]


def parse_feed_xml(data: bytes, source: str) -> FeedDoc | Finding:
    """Parse feed bytes; a document that is not RSS 2.0 is a finding (the runner makes it X101)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        reason = exc.msg or str(exc)
        return Finding(Where(source, exc.lineno), f"not XML: {reason}")
    channel = next(root.iterchildren("channel"), None) if root.tag == "rss" else None
    if channel is None:
        found = etree.QName(root).localname
        return Finding(Where(source, root.sourceline), f"<{found}> is not RSS 2.0")
    return FeedDoc(source, data, root, channel, list(channel.iterchildren("item")))


def text(element: etree._Element | None) -> str:
    """An element's text, stripped; empty when there is no element."""
    return (element.text or "").strip() if element is not None else ""


def enclosure_url(item: etree._Element) -> str:
    enclosure = item.find("enclosure")
    return (enclosure.get("url") or "").strip() if enclosure is not None else ""


def artwork_urls(feed: FeedDoc) -> dict[str, etree._Element]:
    """Each `itunes:image` URL (the show's and the episodes'), once, with the first element naming it."""
    urls: dict[str, etree._Element] = {}
    for element in feed.channel.iter(qname("itunes:image")):
        href = (element.get("href") or "").strip()
        if href:
            urls.setdefault(href, element)
    return urls
