"""The iTunes namespace as a feedgen extension: channel class and item class.

We write these tags ourselves rather than use feedgen's `podcast` extension:
it only writes itunes:explicit as yes/no (Apple and the W3C validator want
true/false) and silently drops channel artwork whose URL ends in .jpeg. Like
feedgen's own extensions, these classes only turn stored values into XML.
"""

from __future__ import annotations

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from .xmltext import CHILD, attribute, text

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def _tag(parent, name: str, value: str | None = None, **attrs: str):
    element = xml_elem(f"{{{ITUNES_NS}}}{name}", parent, **attrs)
    if value is not None:
        element.text = value
    return element


def _flag(value: bool) -> str:
    return "true" if value else "false"


class ItunesChannel(BaseExtension):
    """Channel-level itunes:* tags. Set the attributes, feedgen calls extend_rss."""

    def __init__(self) -> None:
        self.author: str | None = None
        self.owner: tuple[str, str] | None = None  # (name, email)
        self.image: str | None = None
        self.categories: tuple[tuple[str, str | None], ...] = ()
        self.explicit: bool | None = None
        self.type: str | None = None
        self.new_feed_url: str | None = None
        self.block: bool = False
        self.complete: bool = False

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES_NS}

    def extend_rss(self, rss):
        channel = rss[0]
        if self.author:
            _tag(channel, "author", self.author)
        if self.owner:
            owner = _tag(channel, "owner")
            _tag(owner, "name", self.owner[0])
            _tag(owner, "email", self.owner[1])
        if self.image:
            _tag(channel, "image", href=self.image)
        for main, sub in self.categories:
            # Apple reads the category name from the `text` attribute.
            category = _tag(channel, "category", **{"text": main})
            if sub:
                _tag(category, "category", **{"text": sub})
        if self.explicit is not None:
            _tag(channel, "explicit", _flag(self.explicit))
        if self.type:
            _tag(channel, "type", self.type)
        if self.new_feed_url:
            _tag(channel, "new-feed-url", self.new_feed_url)
        if self.block:
            _tag(channel, "block", "Yes")
        if self.complete:
            _tag(channel, "complete", "Yes")
        return rss


class ItunesItem(BaseEntryExtension):
    """Item-level itunes:* tags."""

    def __init__(self) -> None:
        self.title: str | None = None
        self.author: str | None = None
        self.duration: int | None = None  # whole seconds
        self.explicit: bool | None = None
        self.episode_type: str | None = None
        self.episode: int | None = None
        self.season: int | None = None
        self.image: str | None = None

    def extend_rss(self, item):
        if self.title:
            _tag(item, "title", self.title)
        if self.author:
            _tag(item, "author", self.author)
        if self.image:
            _tag(item, "image", href=self.image)
        if self.duration is not None:
            _tag(item, "duration", str(self.duration))
        if self.explicit is not None:
            _tag(item, "explicit", _flag(self.explicit))
        if self.episode_type:
            _tag(item, "episodeType", self.episode_type)
        if self.season is not None:
            _tag(item, "season", str(self.season))
        if self.episode is not None:
            _tag(item, "episode", str(self.episode))
        return item

    def write(self, out: list[str]) -> None:
        """What extend_rss adds, as text lines of the item (xmltext), appended to `out`."""
        # Written out (xmltext.element's form), as item.to_text writes RSS 2.0's own lines.
        if self.title:
            out.append(f"{CHILD}<itunes:title>{text(self.title)}</itunes:title>\n")
        if self.author:
            out.append(f"{CHILD}<itunes:author>{text(self.author)}</itunes:author>\n")
        if self.image:
            out.append(f'{CHILD}<itunes:image href="{attribute(self.image)}"/>\n')
        if self.duration is not None:
            out.append(f"{CHILD}<itunes:duration>{self.duration}</itunes:duration>\n")
        if self.explicit is not None:
            out.append(f"{CHILD}<itunes:explicit>{_flag(self.explicit)}</itunes:explicit>\n")
        if self.episode_type:
            out.append(f"{CHILD}<itunes:episodeType>{text(self.episode_type)}</itunes:episodeType>\n")
        if self.season is not None:
            out.append(f"{CHILD}<itunes:season>{self.season}</itunes:season>\n")
        if self.episode is not None:
            out.append(f"{CHILD}<itunes:episode>{self.episode}</itunes:episode>\n")
