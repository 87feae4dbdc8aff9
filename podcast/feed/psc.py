"""Podlove Simple Chapters (psc:) as a feedgen extension.

https://podlove.org/simple-chapters/ — chapter marks inline in the item, read by
Spotify, AntennaPod and others that do not fetch podcast:chapters JSON. Written only
when the show asks for it (`simple_chapters = true`): the W3C validator warns about the
namespace ("Use of unknown namespace"), and the apps that matter read the JSON chapters.
The namespace is declared on the root only when some item has chapters, and again on each
psc:chapters: an item is rendered apart from the feed (and kept, and checked, apart from it),
in a document that does not declare it, where lxml would make up a prefix of its own (ns6).
"""

from __future__ import annotations

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from ..clock import normal_play_time
from ..model import Chapter
from .xmltext import CHILD, GRANDCHILD, attributes, element

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
        chapters = xml_elem(f"{{{PSC_NS}}}chapters", item, nsmap={"psc": PSC_NS}, version=PSC_VERSION)
        for chapter in sorted(self.chapters, key=lambda c: c.start):
            xml_elem(f"{{{PSC_NS}}}chapter", chapters, **_chapter_attributes(chapter))
        return item

    def write(self, out: list[str]) -> None:
        """What extend_rss adds, as text lines of the item (xmltext), appended to `out`."""
        if not self.chapters:
            return
        out.append(f'{CHILD}<psc:chapters xmlns:psc="{PSC_NS}" version="{PSC_VERSION}">\n')
        for chapter in sorted(self.chapters, key=lambda c: c.start):
            out.append(
                element(GRANDCHILD, "psc:chapter", None, attributes(_chapter_attributes(chapter).items()))
            )
        out.append(f"{CHILD}</psc:chapters>\n")


def _chapter_attributes(chapter: Chapter) -> dict[str, str]:
    attrs = {"start": normal_play_time(chapter.start), "title": chapter.title}
    if chapter.url:
        attrs["href"] = chapter.url
    if chapter.image:
        attrs["image"] = chapter.image
    return attrs
