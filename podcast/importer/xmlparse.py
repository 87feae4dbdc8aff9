"""Feed bytes → an lxml tree, safely, and forgiving where a forgiving app is.

Safe: the parser resolves no entities, loads no DTD and touches no network
(`resolve_entities=False, no_network=True, load_dtd=False`), and a document that
declares entities of its own (`<!ENTITY …>`: the billion laughs, an external
entity naming a local file) is refused before it is parsed: a feed never needs one.

Forgiving, and saying so: whitespace or a blank line before `<?xml?>`, a byte-order
mark, a declared encoding the bytes do not follow, HTML entities XML does not define
(`&nbsp;`, `&eacute;`), a bare `&` ("Q&A"), and markup broken further on (read in
lxml's recover mode). Each recovery is one line in `Parsed.recovered`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.entities import name2codepoint

from lxml import etree

from ..errors import PodcastError


class NotAFeed(PodcastError, ValueError):
    """The document is not an RSS feed we can read (or is one we refuse to read)."""


@dataclass(frozen=True)
class Parsed:
    root: etree._Element  # <rss>
    recovered: tuple[str, ...]  # what was wrong and how it was read anyway


_DECLARATION = re.compile(rb"^<\?xml[^>]*?\?>", re.IGNORECASE)
_TEXT_DECLARATION = re.compile(r"^<\?xml[^>]*?\?>", re.IGNORECASE)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
# A DOCTYPE comes before the root element, after any declaration, comments and processing
# instructions (however long: a hostile feed pads them to hide it from a look at the first bytes).
_DOCTYPE = re.compile(rb"^(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.IGNORECASE | re.DOTALL)
_REFERENCE = re.compile(r"&(?:#[0-9]+;|#[xX][0-9A-Fa-f]+;|([A-Za-z][A-Za-z0-9]*);)?")
_CDATA = re.compile(r"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_HTML_START = re.compile(rb"^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)
_FEED_LINK = re.compile(r"""<link\b[^>]*type=["']application/rss\+xml["'][^>]*>""", re.IGNORECASE)
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.IGNORECASE)


def split_tag(tag: str) -> tuple[str | None, str]:
    """(namespace, local name) of an element's tag. In recover mode a tag with an undeclared
    prefix keeps it in its name ("itunes:title"); the prefix then stands for the namespace."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    prefix, colon, local = tag.rpartition(":")
    return (prefix or None, local) if colon else (None, tag)


def _parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,  # libxml2's own limits on depth and text size stay on
        recover=recover,
        remove_comments=True,
        remove_pis=True,
    )


def _decode(body: bytes, recovered: list[str]) -> str:
    """The document as text, whatever its declaration says; a wrong declaration is recovered."""
    declared = None
    match = _DECLARATION.match(body)
    if match:
        found = _ENCODING.search(match.group(0))
        if found:
            declared = found.group(1).decode("ascii")
    try:
        declared_codec = codecs.lookup(declared).name if declared else "utf-8"
    except LookupError:
        recovered.append(f'declares the unknown encoding "{declared}"; read as UTF-8')
        declared_codec = "utf-8"
    single_byte = declared_codec in ("latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15")
    try:
        as_utf8 = body.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    if declared_codec in ("utf-8", "utf-8-sig") or declared_codec == "ascii" and as_utf8 is not None:
        if as_utf8 is not None:
            return as_utf8
        recovered.append(
            f"declares {declared or 'UTF-8 (by default)'} but is not UTF-8; read as Windows-1252"
        )
        return body.decode("cp1252", errors="replace")
    if single_byte and as_utf8 is not None and not as_utf8.isascii():
        # Bytes that decode as UTF-8 and are not plain ASCII are UTF-8 with near certainty.
        recovered.append(f"declares {declared} but is UTF-8; read as UTF-8")
        return as_utf8
    try:
        return body.decode(declared_codec)
    except UnicodeDecodeError:
        if as_utf8 is not None:
            recovered.append(f"declares {declared} but is UTF-8; read as UTF-8")
            return as_utf8
        recovered.append(f"is not valid {declared}; unreadable bytes replaced")
        return body.decode(declared_codec, errors="replace")


def _fix_references(text: str, recovered: list[str]) -> str:
    """HTML's named entities as characters; a bare & as &amp;."""
    html_names: set[str] = set()
    bare = 0

    def fix(match: re.Match) -> str:
        nonlocal bare
        whole, name = match.group(0), match.group(1)
        if whole == "&":
            bare += 1
            return "&amp;"
        if name is None or name in _XML_ENTITIES:
            return whole
        if name in name2codepoint:
            html_names.add(name)
            return f"&#{name2codepoint[name]};"
        html_names.add(name)
        return "&amp;" + name + ";"  # unknown to HTML too: kept as the text it was

    # CDATA sections are literal: what looks like a reference there is text, and stays so.
    pieces = _CDATA.split(text)
    fixed = "".join(
        piece if piece.startswith("<![CDATA[") else _REFERENCE.sub(fix, piece) for piece in pieces
    )
    if html_names:
        listed = ", ".join(f"&{n};" for n in sorted(html_names)[:5]) + ("…" if len(html_names) > 5 else "")
        recovered.append(f"uses entities XML does not define ({listed}); read as HTML means them")
    if bare:
        recovered.append(f"has {bare} bare '&' (not written &amp;); read as the character")
    return fixed


def _html_page(body: bytes, source: str) -> NotAFeed:
    text = body[:200_000].decode("utf-8", errors="replace")
    link = _FEED_LINK.search(text)
    href = _HREF.search(link.group(0)) if link else None
    hint = (
        f"the page names its feed: podcast import {href.group(1)}"
        if href
        else "give the feed's address (often ending in /feed, /rss or .xml), not the website's"
    )
    return NotAFeed(f"{source}: is a web page (HTML), not a feed; {hint}", path=source)


_WIDE_BOMS = (  # UTF-32's marks first: UTF-32LE's begins with UTF-16LE's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _from_utf16(body: bytes, source: str) -> bytes:
    """A document in UTF-16 or UTF-32 (it starts with their byte-order mark) as UTF-8, its
    declaration dropped (it would name the old encoding); any other document as it is."""
    codec = next((codec for bom, codec in _WIDE_BOMS if body.startswith(bom)), None)
    if codec is None:
        return body
    try:
        text = body.decode(codec)
    except UnicodeDecodeError:
        raise NotAFeed(
            f"{source}: starts with a {codec.upper()} byte-order mark but is not {codec.upper()} text",
            path=source,
        ) from None
    return _TEXT_DECLARATION.sub("", text.lstrip("\ufeff"), count=1).encode("utf-8")


def parse(body: bytes, source: str) -> Parsed:
    """Parse feed bytes. Raises NotAFeed with a message naming `source` and what to do."""
    recovered: list[str] = []
    if not body.strip():
        raise NotAFeed(f"{source}: is empty; check the address or the file", path=source)
    body = _from_utf16(body, source)
    start = body
    if start.startswith(codecs.BOM_UTF8):
        start = start[len(codecs.BOM_UTF8) :]
    stripped = start.lstrip()
    if len(stripped) != len(start):
        recovered.append("has whitespace before the <?xml?> declaration; ignored")
    if _HTML_START.match(stripped):
        raise _html_page(stripped, source)
    if _DOCTYPE.match(stripped) and _ENTITY_DECLARATION.search(stripped):
        raise NotAFeed(
            f"{source}: declares XML entities (<!ENTITY>); refused, since an entity can expand "
            "without bound or read a file on this computer, and a feed never needs one",
            path=source,
        )
    text = _decode(stripped, recovered)
    del start, stripped  # a feed may be 100 MB: keep as few copies alive as we can
    text = _TEXT_DECLARATION.sub("", text[:200], count=1).lstrip() + text[200:]
    text = _fix_references(text, recovered)
    data = text.encode("utf-8")
    del text
    try:
        root = etree.fromstring(data, _parser(recover=False))
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        try:
            root = etree.fromstring(data, _parser(recover=True))
        except etree.XMLSyntaxError:
            root = None
        if root is None or root.find("channel") is None:
            where = f" at line {line}" if line else ""
            raise NotAFeed(
                f"{source}: is not well-formed XML{where} ({exc.msg}) and no feed could be read from it",
                path=source,
                line=line,
            ) from None
        recovered.append(f"is not well-formed XML (line {line}: {exc.msg}); read what could be read")
    name = split_tag(root.tag)[1] if isinstance(root.tag, str) else "?"
    if name != "rss":
        kind = "an Atom feed" if name == "feed" else f"an XML document whose root is <{name}>"
        raise NotAFeed(
            f"{source}: is {kind}, not an RSS feed; podcast imports RSS 2.0 podcast feeds", path=source
        )
    if root.find("channel") is None:
        raise NotAFeed(f"{source}: has no <channel>; it is not an RSS feed", path=source)
    return Parsed(root, tuple(recovered))
