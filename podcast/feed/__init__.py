"""Model → RSS bytes, with feedgen and one extension per namespace.

`render(show, episodes)` is pure: the same show and episodes give the same bytes.
feedgen stamps lastBuildDate with the clock and prepends entries by default; we
set the date from the content and add entries in our own order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from ..chapters import CHAPTERS_TYPE
from ..model import Episode, Show
from .itunes import ItunesChannel, ItunesItem
from .podcastindex import PodcastIndexChannel, PodcastIndexItem
from .rss import RssChannel, RssItem

RSS_TYPE = "application/rss+xml"
GENERATOR = "podcast (python-feedgen)"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Registration order fixes the order of namespaces and tags in the output.
EXTENSIONS = (
    ("itunes", ItunesChannel, ItunesItem),
    ("podcastindex", PodcastIndexChannel, PodcastIndexItem),
    ("rss", RssChannel, RssItem),
)


def newest_first(episodes: Sequence[Episode]) -> list[Episode]:
    # Ties broken by slug so the order never depends on the file system.
    return sorted(episodes, key=lambda e: (e.date, e.slug), reverse=True)


def enclosure_url(show: Show, episode: Episode) -> str:
    if episode.audio_url:
        return episode.audio_url
    assert episode.media_path is not None
    return show.url_for(quote(episode.media_path))


def _channel(show: Show, episodes: list[Episode]) -> FeedGenerator:
    fg = FeedGenerator()
    for key, channel_class, item_class in EXTENSIONS:
        fg.register_extension(key, channel_class, item_class, atom=False, rss=True)
    fg.title(show.title)
    fg.description(show.description)
    # feedgen uses the *last* link added as the channel <link>: self first.
    fg.link(href=show.feed_url, rel="self", type=RSS_TYPE)
    fg.link(href=show.link, rel="alternate")
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

    index: PodcastIndexChannel = fg.podcastindex
    index.guid = show.guid
    return fg


def _item(fg: FeedGenerator, show: Show, episode: Episode) -> None:
    fe = fg.add_entry(order="append")
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
    if info is not None:
        itunes.duration = round(info.duration)
    itunes.explicit = show.explicit if episode.explicit is None else episode.explicit
    itunes.episode_type = episode.episode_type
    itunes.season = episode.season
    itunes.episode = episode.number

    index: PodcastIndexItem = fe.podcastindex
    index.season = episode.season
    index.episode = episode.number
    if episode.chapters:
        index.chapters = (show.url_for(episode.chapters_path), CHAPTERS_TYPE)


def render(show: Show, episodes: Sequence[Episode]) -> bytes:
    """The RSS document for `show` with `episodes` (already probed), newest first."""
    ordered = newest_first(episodes)
    fg = _channel(show, ordered)
    for episode in ordered:
        _item(fg, show, episode)
    return fg.rss_str(pretty=True, xml_declaration=True, encoding="UTF-8")
