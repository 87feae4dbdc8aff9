"""RSS 2.0's own elements, where feedgen writes them differently from what apps expect.

feedgen escapes the text of <description>; Apple asks for its HTML in CDATA. The item
class wraps the description feedgen wrote in CDATA — it adds no element and no
namespace. feedgen writes only the self `atom:link` in RSS; the channel class adds one
`atom:link rel="hub"` per WebSub hub after it, as WebSub asks of a feed that pings hubs.
"""

from __future__ import annotations

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

from . import xmltext

ATOM_NS = "http://www.w3.org/2005/Atom"


class RssChannel(BaseExtension):
    """The WebSub hubs, as `atom:link rel="hub"` after the self link."""

    def __init__(self) -> None:
        self.hubs: tuple[str, ...] = ()

    def extend_rss(self, rss):
        channel = rss[0]
        links = channel.findall(f"{{{ATOM_NS}}}link")
        after = links[-1] if links else channel.find("description")
        place = list(channel).index(after) + 1 if after is not None else len(channel)
        for offset, hub in enumerate(self.hubs):
            link = etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub")
            channel.insert(place + offset, link)
        return rss


class RssItem(BaseEntryExtension):
    """Writes the item's <description> as CDATA when it holds HTML."""

    def __init__(self) -> None:
        self.description_is_html: bool = False

    def extend_rss(self, item):
        description = item.find("description")
        if self.description_is_html and description is not None and description.text:
            # "]]>" would end the CDATA section early; the clean HTML never has it
            # outside text, where "&gt;" means the same.
            description.text = etree.CDATA(description.text.replace("]]>", "]]&gt;"))
        return item

    def description(self, value: str, *, cdata: bool = False) -> str:
        """The content of the <description> that rss_entry wrote with `value` (in CDATA when
        `cdata`), after extend_rss, as text (xmltext)."""
        if self.description_is_html and value:
            return xmltext.cdata(value.replace("]]>", "]]&gt;") if "]" in value else value)
        return xmltext.cdata(value) if cdata else xmltext.text(value)
