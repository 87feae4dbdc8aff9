"""Show directory mode: trace a place in the rendered feed back to podcast.toml or an episode.md."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from urllib.parse import quote

from lxml import etree

from ..config import TOML_END
from ..model import Episode, Show
from .feeddoc import FeedDoc, Origin, Where, qname, text

# Channel tags → podcast.toml keys; item tags → episode.md keys.
SHOW_KEYS = {
    "title": "title",
    "description": "description",
    "language": "language",
    "link": "link",
    "copyright": "copyright",
    "itunes:image": "artwork",
    "image": "artwork",
    "itunes:category": "categories",
    "itunes:explicit": "explicit",
    "itunes:author": "author",
    "itunes:owner": "owner",
    "itunes:type": "type",
    "atom:link": "base_url",
    "itunes:new-feed-url": "new_feed_url",
    "itunes:block": "block",
    "itunes:complete": "complete",
    "podcast:guid": "guid",
    "podcast:locked": "locked",
    "podcast:funding": "funding",
    "podcast:person": "person",
    "podcast:medium": "medium",
    "podcast:license": "license",
    "podcast:location": "location",
    "podcast:txt": "txt",
    "podcast:updateFrequency": "update_frequency",
}
EPISODE_KEYS = {
    "title": "title",
    "guid": "guid",
    "pubDate": "date",
    "enclosure": "audio",
    "itunes:explicit": "explicit",
    "itunes:episode": "episode",
    "itunes:season": "season",
    "itunes:episodeType": "episode_type",
    "itunes:author": "hosts",
    "itunes:title": "itunes_title",
    "itunes:image": "image",
    "podcast:season": "season",
    "podcast:episode": "episode",
    "podcast:person": "person",
    "podcast:soundbite": "soundbite",
    "podcast:alternateEnclosure": "alternate_audio",
    "podcast:source": "alternate_audio",
    "podcast:location": "location",
    "podcast:license": "license",
}
# Item tags whose URLs are made from base_url alone: what to edit is podcast.toml.
PUBLISHED_UNDER_BASE_URL = ("podcast:chapters", "podcast:transcript")
# Keys that may repeat ([[person]] …): a tag is traced to its own entry's header line.
REPEATED_KEYS = ("person", "funding", "location", "txt", "soundbite")


def _entry(element: etree._Element | None, tag: str) -> int | None:
    """Which of its parent's `tag` children `element` is, from 1; None when it is not one."""
    if element is None or tag.startswith("itunes:") or ":" not in tag:
        return None
    if element.tag != qname(tag) or element.getparent() is None:
        return None
    return element.getparent().findall(element.tag).index(element) + 1


def show_origin(show: Show, ordered: Sequence[Episode], feed: FeedDoc) -> Origin:
    """Trace places in the rendered feed back to podcast.toml and each episode.md.

    The maps from items and URLs to episodes are made on the first finding that needs them:
    most lint runs of a build find nothing, and a feed of 10,000 items would pay for them.
    The feed is held weakly: it holds the function made (`FeedDoc.origin`), and a cycle would
    keep its parsed tree (10,000 items: some 15 MB) until the collector's next full pass."""
    feed = weakref.proxy(feed)
    maps: dict[str, dict] = {}

    def episode_of(item: etree._Element) -> Episode | None:
        if "items" not in maps:
            maps["items"] = {}
            for item_, episode in zip(feed.items, ordered, strict=False):
                if text(item_.find("guid")) == episode.guid:
                    maps["items"][item_] = episode
        return maps["items"].get(item)

    def trailer_of(url: str) -> Episode | None:
        if "audio" not in maps:
            maps["audio"] = {
                show.measured(show.url_for(quote(e.media_path))): e for e in ordered if e.media_path
            }
        return maps["audio"].get(url)

    def line_of(lines: dict[str, int], key: str, element: etree._Element | None, tag: str) -> int | None:
        number = _entry(element, tag) if key in REPEATED_KEYS else None
        return lines.get(f"{key}[{number}]", lines.get(key))

    def in_show(key: str, element: etree._Element | None, tag: str) -> Where:
        return Where(show.source, line_of(show.lines, key, element, tag), key)

    def origin(element: etree._Element | None, tag: str) -> Where | None:
        item = feed.item_of(element) if element is not None else None
        if item is None:
            if tag == "podcast:trailer" and element is not None:
                trailer = trailer_of(element.get("url") or "")
                if trailer is not None:
                    return Where(trailer.source, trailer.lines.get("episode_type"), "episode_type")
            key = SHOW_KEYS.get(tag)
            return in_show(key, element, tag) if key is not None else None
        episode = episode_of(item)
        if episode is None:
            return None
        if tag in PUBLISHED_UNDER_BASE_URL:
            return in_show("base_url", None, tag)
        key = EPISODE_KEYS.get(tag)
        if key == "audio" and episode.is_remote:
            key = "audio_url"  # remote audio: the enclosure is what its front matter says
        if key is None:
            return Where(episode.source, None, tag)
        if key == "person" and not episode.persons:
            return in_show(key, element, tag)  # the show's people, inherited
        # A key that is not written yet goes at the end of the front matter (above its closing +++).
        written = line_of(episode.lines, key, element, tag)
        return Where(episode.source, written or episode.lines.get(TOML_END) or 1, key)

    return origin
