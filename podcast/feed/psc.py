"""Podlove Simple Chapters (psc:) as a feedgen extension.

https://podlove.org/simple-chapters/ — chapter marks inline in the item, read by
Spotify, AntennaPod and others that do not fetch podcast:chapters JSON. Written only
when the show asks for it (`simple_chapters = true`): the W3C validator warns about the
namespace ("Use of unknown namespace"), and the apps that matter read the JSON chapters.
The namespace is declared only when some item has chapters.
"""

from __future__ import annotations

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from ..clock import normal_play_time
from ..model import Chapter

PSC_NS = "http://podlove.org/simple-chapters"
PSC_VERSION = "1.2"


class PscChannel(BaseExtension):
    """Declares the psc prefix on the root when `used` (some item has chapters)."""

    def __init__(self) -> None:
        self.used = False

    def extend_ns(self) -> dict[str, str]:
        return {"psc": PSC_NS} if self.used else {}


class PscItem(BaseEntryExtension):
    """psc:chapters with one psc:chapter per chapter, in time order."""

    def __init__(self) -> None:
        self.chapters: tuple[Chapter, ...] = ()

    def extend_rss(self, item):
        if not self.chapters:
            return item
        chapters = xml_elem(f"{{{PSC_NS}}}chapters", item, version=PSC_VERSION)
        for chapter in sorted(self.chapters, key=lambda c: c.start):
            attrs = {"start": normal_play_time(chapter.start), "title": chapter.title}
            if chapter.url:
                attrs["href"] = chapter.url
            if chapter.image:
                attrs["image"] = chapter.image
            xml_elem(f"{{{PSC_NS}}}chapter", chapters, **attrs)
        return item
