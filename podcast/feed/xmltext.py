"""Feed items written as text, byte for byte as lxml (libxml2) serializes them in the feed.

Building an lxml tree for each item and serializing it costs several times what writing the
same text does. These helpers write elements the way libxml2's pretty printer does in our
feed: one element a line, indented two spaces a level; an element with no content closed
with "/>", one with text on its line; text and attribute values escaped as libxml2 escapes
them, non-ASCII as it is (the feed is UTF-8).

lxml refuses some strings outright (control characters, lone surrogates, U+FFFE and U+FFFF).
The writers do not judge them: `unfit` finds them in the finished item, and the renderer then
takes lxml's path, so such a string fails as it always did.
"""

from __future__ import annotations

from collections.abc import Iterable

# An item sits in <rss><channel>: its tags two levels down, its children three, theirs four.
ITEM = " " * 4
CHILD = " " * 6
GRANDCHILD = " " * 8

# Bytes lxml never writes: control characters other than tab, line feed and carriage return.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


class Unfit(ValueError):
    """An item feedgen or lxml would refuse to write (the renderer then lets them say so)."""


def text(value: str) -> str:
    """Element content as libxml2 escapes it."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


_ATTRIBUTE_ESCAPES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
    ("\t", "&#9;"),
)


def attribute(value: str) -> str:
    """An attribute's value as libxml2 escapes it between double quotes."""
    for raw, escaped in _ATTRIBUTE_ESCAPES:
        if raw in value:
            value = value.replace(raw, escaped)
    return value


def cdata(value: str) -> str:
    """`value` in CDATA as libxml2 writes it: a "]]>" in it ends one section and begins the next
    between "]]" and ">"."""
    if "]" in value:  # much quicker to look for than "]]>"
        value = value.replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[{value}]]>"


def attributes(pairs: Iterable[tuple[str, str | None]]) -> str:
    """` name="value"` for each pair in order, leaving out those whose value is None."""
    return "".join(f' {name}="{attribute(value)}"' for name, value in pairs if value is not None)


def element(indent: str, name: str, content: str | None = None, attrs: str = "") -> str:
    """One line: the element `name` (with its prefix) holding `content`, text already escaped
    (or a CDATA section); None closes it empty. `attrs` as `attributes` wrote them."""
    if content is None:
        return f"{indent}<{name}{attrs}/>\n"
    return f"{indent}<{name}{attrs}>{content}</{name}>\n"


def unfit(data: bytes) -> bool:
    """Whether the UTF-8 text of an item holds a character lxml refuses: a control character
    (all are single bytes in UTF-8), or U+FFFE or U+FFFF. (A lone surrogate does not encode.)"""
    if len(data.translate(None, _CONTROL_BYTES)) != len(data):
        return True
    return b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data if b"\xef" in data else False
