"""The Podcasting 2.0 namespace (podcast:) as a feedgen extension.

Registered under the key `podcastindex`, because feedgen's own iTunes extension
is loaded under the key `podcast`; the XML prefix comes from extend_ns. The
channel class declares the namespace even for tags only items use, since feedgen
builds the root nsmap from channel-level extensions only.
"""

from __future__ import annotations

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

PODCAST_NS = "https://podcastindex.org/namespace/1.0"


def _tag(parent, name: str, value: str | None = None, **attrs: str):
    element = xml_elem(f"{{{PODCAST_NS}}}{name}", parent, **attrs)
    if value is not None:
        element.text = value
    return element


class PodcastIndexChannel(BaseExtension):
    """Channel-level podcast:* tags."""

    def __init__(self) -> None:
        self.guid: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss):
        channel = rss[0]
        if self.guid:
            _tag(channel, "guid", self.guid)
        return rss


class PodcastIndexItem(BaseEntryExtension):
    """Item-level podcast:* tags."""

    def __init__(self) -> None:
        self.season: int | None = None
        self.episode: int | None = None
        self.chapters: tuple[str, str] | None = None  # (url, type) of the JSON chapters

    def extend_rss(self, item):
        if self.season is not None:
            _tag(item, "season", str(self.season))
        if self.episode is not None:
            _tag(item, "episode", str(self.episode))
        if self.chapters is not None:
            _tag(item, "chapters", url=self.chapters[0], type=self.chapters[1])
        return item
