"""A long back catalog as RFC 5005 paged feeds: the newest episodes in feed.xml, the rest behind it.

A feed of 10,000 episodes with full notes is some 50 MB, which apps time out on or refuse, and
every app downloads it whole on each refresh. With `feed_items = N` in podcast.toml, feed.xml
holds the newest N items and links to the next page (`feed-2.xml`, then `feed-3.xml`, ...),
each page of N items linking to the first, last, previous and next ones (RFC 5005, section 3,
"Paged Feeds"), so an app that follows them finds every episode, and one that does not still
gets a complete, valid feed of the newest.

The pages are put together from the parts the build rendered (`feed.Rendered`): every page has
the same channel, and each item is exactly as it is in the whole feed, without parsing the whole.
"""

from __future__ import annotations

import math

from lxml import etree

from ..layout import FEED_FILENAME
from ..model import Show
from . import CHANNEL_END, Rendered

ATOM_NS = "http://www.w3.org/2005/Atom"
PAGE_PREFIX = "feed-"  # feed-2.xml, feed-3.xml, ... beside feed.xml
PAGE_RELS = ("first", "previous", "next", "last")

# The document is our own rendering; still, nothing in it is fetched or expanded.
_PARSER = etree.XMLParser(
    remove_blank_text=True, strip_cdata=False, resolve_entities=False, no_network=True, huge_tree=True
)


def page_name(number: int) -> str:
    """The file name of page `number` (1 is feed.xml)."""
    return FEED_FILENAME if number == 1 else f"{PAGE_PREFIX}{number}.xml"


def is_page_name(name: str) -> bool:
    """Whether `name` is that of a page after the first (a stale one is removed by the build)."""
    middle = name.removeprefix(PAGE_PREFIX).removesuffix(".xml")
    return name.startswith(PAGE_PREFIX) and name.endswith(".xml") and middle.isdigit()


def split(show: Show, document: bytes) -> list[tuple[str, bytes]]:
    """(file name, bytes) of each page, feed.xml first; just feed.xml when no paging is asked for
    or the episodes fit on one page."""
    per_page = show.feed_items
    if not per_page:
        return [(FEED_FILENAME, document)]
    root = etree.fromstring(document, _PARSER)
    channel = root[0]
    items = channel.findall("item")
    if len(items) <= per_page:
        return [(FEED_FILENAME, document)]
    for item in items:
        channel.remove(item)
    count = math.ceil(len(items) / per_page)
    pages = []
    for number in range(1, count + 1):
        channel_links(show, channel, number, count)
        for item in items[(number - 1) * per_page : number * per_page]:
            channel.append(item)
        data = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
        pages.append((page_name(number), data))
        for item in channel.findall("item"):
            channel.remove(item)
    return pages


def from_parts(show: Show, rendered: Rendered) -> list[tuple[str, Rendered]]:
    """The pages of `split(show, rendered.document)`, each in its parts, put together without
    parsing the items: only the channel is parsed and serialized again, with each page's links."""
    per_page = show.feed_items
    items = rendered.items
    if not per_page or len(items) <= per_page:
        return [(FEED_FILENAME, rendered)]
    root = etree.fromstring(rendered.head + rendered.tail, _PARSER)
    channel = root[0]
    count = math.ceil(len(items) / per_page)
    pages = []
    for number in range(1, count + 1):
        channel_links(show, channel, number, count)
        data = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
        if not data.endswith(CHANNEL_END):
            raise AssertionError("lxml's output no longer ends as expected")  # pragma: no cover
        page_items = items[(number - 1) * per_page : number * per_page]
        pages.append((page_name(number), Rendered(data[: -len(CHANNEL_END)], page_items, CHANNEL_END)))
    return pages


def channel_links(show: Show, channel: etree._Element, number: int, count: int) -> None:
    """Point the channel's self link at page `number`, and set its paging links (RFC 5005)."""
    links = channel.findall(f"{{{ATOM_NS}}}link")
    for link in links:
        if link.get("rel") in PAGE_RELS:
            channel.remove(link)
    self_link = next((link for link in links if link.get("rel") == "self"), None)
    if self_link is None:
        return
    self_link.set("href", show.url_for(page_name(number)))
    targets = {"first": 1, "last": count}
    if number > 1:
        targets["previous"] = number - 1
    if number < count:
        targets["next"] = number + 1
    place = list(channel).index(self_link) + 1
    for offset, rel in enumerate(rel for rel in PAGE_RELS if rel in targets):
        link = etree.Element(f"{{{ATOM_NS}}}link", href=show.url_for(page_name(targets[rel])), rel=rel)
        link.set("type", self_link.get("type", "application/rss+xml"))
        channel.insert(place + offset, link)
