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
    """(file name, bytes) of each page of `document` (a feed `feed.render` made), feed.xml first;
    just feed.xml when no paging is asked for or the episodes fit on one page. The pages are
    those the build writes (`from_parts`), byte for byte."""
    if not show.feed_items:
        return [(FEED_FILENAME, document)]
    return [(name, page.document) for name, page in from_parts(show, cut(document))]


_ITEM_START = b"\n    <item>\n"  # an item's first line, as the feed is pretty-printed
_ITEM_END = b"    </item>\n"
_CDATA_START, _CDATA_END = b"<![CDATA[", b"]]>"


def cut(document: bytes) -> Rendered:
    """A feed `feed.render` made, cut back into the parts it was joined from.

    An item begins at its first line; one the same in a CDATA section (an article quoting a
    feed) is passed over: a CDATA section ends at the first "]]>", and in our feed "<![CDATA["
    outside one begins one (text and attributes have "<" escaped, and there are no comments)."""
    if not document.endswith(CHANNEL_END):
        raise ValueError("not a feed as the build renders it: it does not end as one")
    starts = []
    position = 0
    start = document.find(_ITEM_START)
    while start >= 0:
        cdata = document.find(_CDATA_START, position, start)
        if cdata >= 0:
            end = document.find(_CDATA_END, cdata + len(_CDATA_START))
            if end < 0:
                raise ValueError("not a feed as the build renders it: a CDATA section does not end")
            position = end + len(_CDATA_END)
            if start < position:  # that line was in the section; a line after it still stands
                start = document.find(_ITEM_START, position)
            continue
        starts.append(start + 1)
        position = start + len(_ITEM_START)
        start = document.find(_ITEM_START, position)
    ends = [*starts[1:], len(document) - len(CHANNEL_END)]
    items = tuple(document[start:end] for start, end in zip(starts, ends, strict=True))
    if not all(item.endswith(_ITEM_END) for item in items):
        raise ValueError("not a feed as the build renders it: an item does not end as one")
    head = document[: starts[0]] if starts else document[: -len(CHANNEL_END)]
    return Rendered(head, items, CHANNEL_END)


def from_parts(show: Show, rendered: Rendered) -> list[tuple[str, Rendered]]:
    """The pages of the feed `rendered`, each in its parts, put together without parsing the
    items: only the channel is parsed and serialized again, with each page's links."""
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
