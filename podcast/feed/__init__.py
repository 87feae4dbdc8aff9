"""Model → RSS bytes, with feedgen and one extension per namespace.

`render(show, episodes)` is pure: the same show and episodes give the same bytes.
feedgen stamps lastBuildDate with the clock and prepends entries by default; we
set the date from the content and add entries in our own order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter

from feedgen.feed import FeedGenerator
from lxml import etree

from ..model import Episode, Show
from .item import alternate_enclosures, enclosure_url, image_url, item_fields, to_entry, to_text
from .itunes import ItunesChannel, ItunesItem
from .podcastindex import PodcastIndexChannel, PodcastIndexItem, Trailer
from .psc import PscChannel, PscItem
from .rss import RssChannel, RssItem
from .xmltext import Unfit, unfit

__all__ = ["alternate_enclosures", "enclosure_url", "image_url"]  # kept here for their callers

RSS_TYPE = "application/rss+xml"
GENERATOR = "podcast (python-feedgen)"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Registration order fixes the order of namespaces and tags in the output.
EXTENSIONS = (
    ("itunes", ItunesChannel, ItunesItem),
    ("podcastindex", PodcastIndexChannel, PodcastIndexItem),
    ("rss", RssChannel, RssItem),
    ("psc", PscChannel, PscItem),
)


def newest_first(episodes: Sequence[Episode]) -> list[Episode]:
    # Ties broken by slug so the order never depends on the file system.
    return sorted(episodes, key=attrgetter("date", "slug"), reverse=True)


def channel_generator(show: Show, episodes: list[Episode]) -> FeedGenerator:
    """feedgen's generator of the feed of `episodes` (newest first), our extensions registered,
    with the channel set and no entries."""
    fg = FeedGenerator()
    for key, channel_class, item_class in EXTENSIONS:
        fg.register_extension(key, channel_class, item_class, atom=False, rss=True)
    fg.title(show.title)
    fg.description(show.description)
    # feedgen uses the *last* link added as the channel <link>: self first.
    fg.link(href=show.feed_url, rel="self", type=RSS_TYPE)
    fg.link(href=show.link, rel="alternate")
    fg.rss.hubs = show.publish.hubs
    fg.language(show.language)
    if show.copyright:
        fg.copyright(show.copyright)
    fg.generator(GENERATOR)
    updated = max(map(attrgetter("date"), episodes), default=EPOCH)
    fg.lastBuildDate(updated)
    fg.pubDate(updated)
    artwork = show.artwork_url
    if artwork:
        fg.image(url=artwork, title=show.title, link=show.link)

    itunes: ItunesChannel = fg.itunes
    itunes.author = show.author
    itunes.owner = (show.owner_name, show.owner_email)
    itunes.image = artwork
    itunes.categories = show.categories
    itunes.explicit = show.explicit
    itunes.type = show.type

    itunes.new_feed_url = show.new_feed_url
    itunes.block = show.block
    itunes.complete = show.complete

    index: PodcastIndexChannel = fg.podcastindex
    index.guid = show.guid
    index.locked = show.locked
    index.funding = show.funding
    index.persons = show.persons
    index.medium = show.medium
    index.license = show.license
    index.locations = show.locations
    index.txts = show.txts
    index.trailers = tuple(_trailer(show, e) for e in episodes if e.episode_type == "trailer" and e.info)
    index.update_frequency = show.update_frequency
    index.complete = show.complete

    psc: PscChannel = fg.psc
    psc.used = show.simple_chapters and any(e.chapters for e in episodes)
    return fg


def _trailer(show: Show, episode: Episode) -> Trailer:
    assert episode.info is not None
    return Trailer(
        title=episode.title,
        url=enclosure_url(show, episode),
        pubdate=episode.date,
        length=episode.info.size,
        type=episode.info.mime,
        season=episode.season,
    )


@dataclass(frozen=True)
class Rendered:
    """A feed document in its parts: everything before the first item, each item as it stands
    in the document, and what follows the last. Joined, they are the document."""

    head: bytes
    items: tuple[bytes, ...]
    tail: bytes
    # The episodes of the items, in their order, when `assemble` put them together (lint reads
    # them in that order, and 10,000 sorted again cost 5 ms).
    episodes: tuple[Episode, ...] = field(default=(), compare=False, repr=False)

    @property
    def parts(self) -> tuple[bytes, ...]:
        return (self.head, *self.items, self.tail)

    @property
    def document(self) -> bytes:
        return b"".join(self.parts)

    @property
    def size(self) -> int:
        return len(self.head) + sum(map(len, self.items)) + len(self.tail)


CHANNEL_END = b"  </channel>\n</rss>\n"  # how feedgen's pretty printing closes the document


def channel_parts(show: Show, ordered: list[Episode]) -> tuple[bytes, bytes]:
    """The document with no items, cut where the items go (after the channel's own elements)."""
    empty = channel_generator(show, ordered).rss_str(pretty=True, xml_declaration=True, encoding="UTF-8")
    if not empty.endswith(CHANNEL_END):
        raise AssertionError("feedgen's output no longer ends as expected")  # pragma: no cover
    return empty[: -len(CHANNEL_END)], CHANNEL_END


def _item_document(show: Show) -> tuple[etree._Element, etree._Element]:
    """The feed with no items, parsed (root, channel) and emptied: what items are rendered in."""
    head, tail = channel_parts(show, [])
    root = etree.fromstring(head + tail, etree.XMLParser(remove_blank_text=True))
    channel = root[0]
    for child in list(channel):
        channel.remove(child)
    return root, channel


class FeedgenItemRenderer:
    """Renders items with feedgen, each exactly as the whole document holds it: the reference
    `ItemRenderer` is measured against, and its way for values lxml refuses.

    An item is serialized inside a document with the feed's namespaces and nesting, and cut out
    of it, so its prefixes and indentation are those of the feed it is spliced into.
    """

    def __init__(self, show: Show) -> None:
        self.show = show
        self.fg = channel_generator(show, [])
        self.root, self.channel = _item_document(show)

    def render(self, episode: Episode) -> bytes:
        fe = self.fg.add_entry(order="append")
        try:
            to_entry(fe, item_fields(self.show, episode))
            element = fe.rss_entry()
        finally:
            self.fg.remove_entry(fe)
        self.channel.append(element)
        try:
            data = etree.tostring(self.root, pretty_print=True, encoding="UTF-8", xml_declaration=True)
        finally:
            self.channel.remove(element)
        start = data.index(b"<channel>\n") + len(b"<channel>\n")
        return data[start : -len(CHANNEL_END)]


class ItemRenderer:
    """Renders items one at a time, each exactly as the whole document holds it: the bytes
    `FeedgenItemRenderer` gives, written as text (item.to_text). An item holding a value lxml
    refuses is handed to feedgen, which fails on it as it always did."""

    def __init__(self, show: Show) -> None:
        self.show = show
        self.reference: FeedgenItemRenderer | None = None

    def render(self, episode: Episode) -> bytes:
        try:
            data = to_text(item_fields(self.show, episode)).encode("utf-8")
        except (Unfit, UnicodeEncodeError):
            data = None
        if data is None or unfit(data):
            self.reference = self.reference or FeedgenItemRenderer(self.show)
            return self.reference.render(episode)
        return data


def assemble(show: Show, episodes: Sequence[Episode], items: Mapping[str, bytes]) -> Rendered:
    """The feed of `episodes` (newest first), with the item bytes already rendered for some of
    them (by slug, from `ItemRenderer`); the others are rendered now."""
    ordered = newest_first(episodes)
    head, tail = channel_parts(show, ordered)
    parts = list(map(items.get, map(attrgetter("slug"), ordered)))  # (C's loops, for 10,000)
    if None in parts:
        renderer = ItemRenderer(show)
        parts = [renderer.render(e) if item is None else item for e, item in zip(ordered, parts, strict=True)]
    return Rendered(head, tuple(parts), tail, tuple(ordered))


def render(show: Show, episodes: Sequence[Episode]) -> bytes:
    """The RSS document for `show` with `episodes` (already probed), newest first."""
    return assemble(show, episodes, {}).document
