"""Model → RSS bytes, with feedgen and one extension per namespace.

`render(show, episodes)` is pure: the same show and episodes give the same bytes.
feedgen stamps lastBuildDate with the clock and prepends entries by default; we
set the date from the content and add entries in our own order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from ..chapters import CHAPTERS_TYPE
from ..model import AudioInfo, Chapter, Episode, Show
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
    if chapter.image and not chapter.image.startswith(("http://", "https://")):
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


def render(show: Show, episodes: Sequence[Episode]) -> bytes:
    """The RSS document for `show` with `episodes` (already probed), newest first."""
    ordered = newest_first(episodes)
    fg = _channel(show, ordered)
    for episode in ordered:
        _item(fg, show, episode)
    return fg.rss_str(pretty=True, xml_declaration=True, encoding="UTF-8")
