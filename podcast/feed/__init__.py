"""Model → RSS bytes, with feedgen and one extension per namespace.

`render(show, episodes)` is pure: the same show and episodes give the same bytes.
feedgen stamps lastBuildDate with the clock and prepends entries by default; we
set the date from the content and add entries in our own order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from ..chapters import CHAPTERS_TYPE
from ..model import AudioInfo, Chapter, Episode, Show
from ..weburl import has_web_scheme
from .itunes import ItunesChannel, ItunesItem
from .podcastindex import AlternateEnclosure, PodcastIndexChannel, PodcastIndexItem, Trailer
from .psc import PscChannel, PscItem
from .rss import RssChannel, RssItem

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

# How an alternate enclosure is labelled for listeners choosing a version (≤ 32 characters).
FORMAT_NAMES = {"mp3": "MP3", "m4a": "AAC", "mp4": "MP4", "m4v": "MP4 video", "ogg": "Ogg", "opus": "Opus"}


def newest_first(episodes: Sequence[Episode]) -> list[Episode]:
    # Ties broken by slug so the order never depends on the file system.
    return sorted(episodes, key=lambda e: (e.date, e.slug), reverse=True)


def enclosure_url(show: Show, episode: Episode) -> str:
    if episode.audio is None and episode.remote_audio is not None:
        return episode.remote_audio.url  # as the producer wrote it
    assert episode.media_path is not None
    return show.measured(show.url_for(quote(episode.media_path)))


def _channel(show: Show, episodes: list[Episode]) -> FeedGenerator:
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
    updated = max((e.date for e in episodes), default=EPOCH)
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


def _absolute_image(show: Show, chapter: Chapter) -> Chapter:
    """A chapter image published beside the feed is named relative to it; psc wants a URL."""
    if chapter.image and not has_web_scheme(chapter.image):
        return dataclasses.replace(chapter, image=show.url_for(quote(chapter.image)))
    return chapter


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


def _version(url: str, info: AudioInfo, *, default: bool = False) -> AlternateEnclosure:
    name = FORMAT_NAMES.get(info.format, info.format.upper() or "Audio")
    title = f"{name} {round(info.bitrate / 1000)} kbps" if info.bitrate else name
    return AlternateEnclosure(url, info.mime, info.size, info.bitrate, title, default)


def alternate_enclosures(show: Show, episode: Episode) -> tuple[AlternateEnclosure, ...]:
    """The main audio (default) and each other format, when there is more than one."""
    others = [a for a in episode.alternate_audio if a.info is not None]
    if not others or episode.info is None:
        return ()
    versions = [_version(enclosure_url(show, episode), episode.info, default=True)]
    for other in others:
        assert other.info is not None
        url = show.measured(show.url_for(quote(episode.media_path_of(other.path))))
        versions.append(_version(url, other.info))
    return tuple(versions)


def image_url(show: Show, episode: Episode) -> str | None:
    if episode.image_path:
        return show.url_for(episode.image_path)
    return episode.image


def _item(fe: FeedEntry, show: Show, episode: Episode) -> None:
    fe.title(episode.title)
    fe.guid(episode.guid, permalink=False)
    fe.pubDate(episode.date)
    if episode.link:
        fe.link(href=episode.link)
    info = episode.info
    if info is not None:
        fe.enclosure(enclosure_url(show, episode), str(info.size), info.mime)
    notes = episode.notes
    if notes is not None and notes.html:
        fe.description(notes.description_html)
        fe.content(notes.html, type="CDATA")
        rss: RssItem = fe.rss
        rss.description_is_html = True
    else:
        fe.description(episode.title)

    itunes: ItunesItem = fe.itunes
    itunes.author = ", ".join(episode.hosts) or show.author
    if info is not None and info.duration > 0:  # remote audio of unknown duration has none
        itunes.duration = round(info.duration)
    itunes.explicit = show.explicit if episode.explicit is None else episode.explicit
    itunes.episode_type = episode.episode_type
    itunes.season = episode.season
    itunes.episode = episode.number
    itunes.title = episode.itunes_title or episode.title
    itunes.image = image_url(show, episode)

    index: PodcastIndexItem = fe.podcastindex
    index.season = episode.season
    index.episode = episode.number
    index.transcripts = tuple((show.url_for(quote(t.publish_path)), t) for t in episode.transcripts)
    index.persons = episode.persons
    index.soundbites = episode.soundbites
    index.alternate_enclosures = alternate_enclosures(show, episode)
    index.locations = episode.locations
    index.license = episode.license

    psc: PscItem = fe.psc
    # The chapters the build chose (chapters.json > audio > notes): JSON always, psc when asked for.
    if show.simple_chapters:
        psc.chapters = tuple(_absolute_image(show, c) for c in episode.chapters)
    if episode.chapters:
        index.chapters = (show.url_for(episode.chapters_path), CHAPTERS_TYPE)


@dataclass(frozen=True)
class Rendered:
    """A feed document in its parts: everything before the first item, each item as it stands
    in the document, and what follows the last. Joined, they are the document."""

    head: bytes
    items: tuple[bytes, ...]
    tail: bytes

    @property
    def parts(self) -> tuple[bytes, ...]:
        return (self.head, *self.items, self.tail)

    @property
    def document(self) -> bytes:
        return b"".join(self.parts)

    @property
    def size(self) -> int:
        return len(self.head) + sum(len(item) for item in self.items) + len(self.tail)


CHANNEL_END = b"  </channel>\n</rss>\n"  # how feedgen's pretty printing closes the document


def channel_parts(show: Show, ordered: list[Episode]) -> tuple[bytes, bytes]:
    """The document with no items, cut where the items go (after the channel's own elements)."""
    empty = _channel(show, ordered).rss_str(pretty=True, xml_declaration=True, encoding="UTF-8")
    if not empty.endswith(CHANNEL_END):
        raise AssertionError("feedgen's output no longer ends as expected")  # pragma: no cover
    return empty[: -len(CHANNEL_END)], CHANNEL_END


class ItemRenderer:
    """Renders items one at a time, each exactly as the whole document holds it.

    An item is serialized inside a document with the feed's namespaces and nesting, and cut out
    of it, so its prefixes and indentation are those of the feed it is spliced into.
    """

    def __init__(self, show: Show) -> None:
        self.show = show
        self.fg = _channel(show, [])
        head, tail = channel_parts(show, [])
        self.root = etree.fromstring(head + tail, etree.XMLParser(remove_blank_text=True))
        self.channel = self.root[0]
        for child in list(self.channel):
            self.channel.remove(child)

    def render(self, episode: Episode) -> bytes:
        fe = self.fg.add_entry(order="append")
        try:
            _item(fe, self.show, episode)
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


def assemble(show: Show, episodes: Sequence[Episode], items: Mapping[str, bytes]) -> Rendered:
    """The feed of `episodes` (newest first), with the item bytes already rendered for some of
    them (by slug, from `ItemRenderer`); the others are rendered now."""
    ordered = newest_first(episodes)
    head, tail = channel_parts(show, ordered)
    renderer: ItemRenderer | None = None
    parts = []
    for episode in ordered:
        item = items.get(episode.slug)
        if item is None:
            renderer = renderer or ItemRenderer(show)
            item = renderer.render(episode)
        parts.append(item)
    return Rendered(head, tuple(parts), tail)


def render(show: Show, episodes: Sequence[Episode]) -> bytes:
    """The RSS document for `show` with `episodes` (already probed), newest first."""
    return assemble(show, episodes, {}).document
