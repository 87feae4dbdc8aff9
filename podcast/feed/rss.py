"""RSS 2.0's own elements, where feedgen writes them differently from what apps expect.

feedgen escapes the text of <description>; Apple asks for its HTML in CDATA. The item
class wraps the description feedgen wrote in CDATA — it adds no element and no
namespace, so the channel class has nothing to do.
"""

from __future__ import annotations

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree


class RssChannel(BaseExtension):
    """Nothing at channel level; feedgen needs a channel class for every extension."""


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
