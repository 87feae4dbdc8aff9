"""Article text → ShowNotes: sections, full HTML, Apple's description, plain text, chapters.

Pure functions: text in, `ShowNotes` out. Each input format has its own reader that
turns the article into one HTML fragment — Markdown through markdown-it-py, plain
text through our own structure detection, pasted HTML as it is — and every fragment
goes through nh3 with an allow-list. One walker then reads the clean fragment into
blocks, from which the sections, the description, the plain text and the chapters
are made, so every format gets the same treatment.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

from lxml import etree

from . import clock
from .controlchars import clean_text
from .model import Chapter, Section, ShowNotes
from .weburl import joined

Format = Literal["text", "markdown"]
ChaptersFrom = Literal["timestamps", "sections"]

DESCRIPTION_LIMIT = 4000  # bytes; Apple's limit for <description>
MORE_LINK_TEXT = "Full show notes"  # when the link goes to the episode's own page
HEADING_MAX = 90  # characters: a longer line is a paragraph, whatever its punctuation

# What may reach the feed. Everything else is removed; the tags below lose their content too.
ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "a", "strong", "em",
    "b", "i", "u", "s", "sub", "sup", "code", "pre", "blockquote", "div", "section", "article",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
# Apple's subset for <description>.
APPLE_TAGS = {"p", "ol", "ul", "li", "a"}

_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCK_TAGS = _HEADING_TAGS | {"p", "ul", "ol", "pre", "blockquote", "hr", "table"}
TABLE_CELL_SEPARATOR = " · "  # between a table row's cells, where the row is a line or a paragraph
_CONTAINER_TAGS = {"div", "section", "article"}  # kept by nh3 so their edges still part paragraphs
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|(?:<br\s*/?>\s*){2,}")
_END_PUNCTUATION = re.compile(r"[.!?:;,…。！？、؟،]$")
_BULLET_MARKS = "-*•–+"
_BULLET = re.compile(rf"^\s*[{_BULLET_MARKS}]\s+(\S.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(\S.*)$")
_TIMESTAMP = re.compile(
    r"^\s*[(\[]?(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})[)\]]?\s*(?:[-–—:|.]\s*)?(?P<title>\S.*?)\s*$"
)
# Block tags make a plain-text article HTML; other tags in text are dropped (keeping their words).
_HTML_BLOCK_TAG = re.compile(r"</?(?:p|div|br|h[1-6]|ul|ol|li|table|blockquote)\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|hr|h[1-6]|ul|ol|li|a|strong|em|b|i|u|s|span|font|script|style|iframe|img|table"
    r"|blockquote|object|embed|svg|math|noscript|template|form|input|button|video|audio|source|link|meta)\b[^>]*>",
    re.IGNORECASE,
)
# nh3's output: attributes double-quoted, in a fixed form; an <a> cannot hold another <a>.
_ADDRESSLESS_LINK = re.compile(r'<a(?: title="[^"]*")?>(.*?)</a>', re.DOTALL)
_BR = re.compile(r"<br\s*/?>")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])")

_DOT_BEFORE_WORD = re.compile(r"\.\w")


def _may_link(text: str) -> bool:
    """Whether `text` holds what every link we make from text contains: "://", "www." or "@".

    A regex alternation with IGNORECASE scans a whole article slowly; only "w" and "W"
    fold to "w", so searching the lower-cased text finds the same "www.".
    """
    return "://" in text or "@" in text or "www." in text.lower()


def _may_linkify(text: str) -> bool:
    """Whether linkify-it's pretest could find anything in Markdown made of `text`.

    The pretest looks, ignoring case, for a schema (http:, https:, ftp:, mailto:, //),
    "localhost", "www.", a "." before a top-level domain or a number, or "@". This finds
    a part of each: in the lower-cased text the parts without i, k or s (which Python also
    matches to İ, ı, K and ſ), and a "." before any letter or digit.
    """
    if "@" in text or ("/" in text and "//" in text) or _DOT_BEFORE_WORD.search(text):
        return True
    lowered = text.lower()
    if ":" in text and ("http" in lowered or "ftp:" in lowered or "lto:" in lowered):
        return True
    return ("." in text and "www." in lowered) or "localho" in lowered


# ---------------------------------------------------------------- sanitising


# The page a relative link in the fragment being sanitised is resolved against: the cleaners
# below are built once (building one costs as much as cleaning an article), so `sanitize`
# hands them its page_url this way.
_page_url: ContextVar[str | None] = ContextVar("page_url", default=None)


def _absolute(url: str) -> str | None:
    page_url = _page_url.get()
    if not page_url or url.startswith("#") or not url.strip():
        return None
    return joined(page_url, url)  # None for what is not an address ("//[x/"): it keeps its words


class _Renderers(NamedTuple):
    markdown: Any  # markdown-it-py's parser
    # The same parser without linkify-it, for Markdown in which it could find nothing: its
    # pretest, one large regex per paragraph, is most of what rendering prose costs.
    markdown_without_links: Any
    linkify: Any  # linkify-it, for text
    feed_cleaner: Any  # nh3's, for the notes' HTML
    apple_cleaner: Any  # nh3's, for Apple's subset


@functools.cache
def _renderers() -> _Renderers:
    """The parsers and cleaners, made on first use: a build whose notes all come from its cache,
    or whose articles are words that go into the HTML as written (`_written_article`), needs
    none of them, nor the ~20 ms their libraries take to import."""
    import nh3
    from linkify_it import LinkifyIt
    from markdown_it import MarkdownIt

    def markdown(linkify: bool) -> Any:
        options = {"linkify": linkify, "html": True}
        return MarkdownIt("commonmark", options).enable(["linkify", "strikethrough", "table"])

    return _Renderers(
        markdown=markdown(True),
        markdown_without_links=markdown(False),
        linkify=LinkifyIt(),
        feed_cleaner=nh3.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            clean_content_tags=DROPPED_WITH_CONTENT,
            link_rel=None,
            url_relative=_absolute,
        ),
        apple_cleaner=nh3.Cleaner(
            tags=APPLE_TAGS, attributes={"a": {"href"}}, url_schemes=URL_SCHEMES, link_rel=None
        ),
    )


def sanitize(fragment: str, page_url: str | None = None) -> str:
    """HTML with only the allowed tags, attributes and URL schemes left.

    A feed is read far from any page, so every link must be absolute: a relative one
    is resolved against `page_url` (the episode's web page) when there is one, and
    otherwise loses its address and keeps its words, as does a link to a fragment (#top).
    """
    token = _page_url.set(page_url)
    try:
        clean = _renderers().feed_cleaner.clean(fragment)
    finally:
        _page_url.reset(token)
    return _ADDRESSLESS_LINK.sub(r"\1", clean) if "<a" in clean else clean


def _apple(fragment: str) -> str:
    if "<" not in fragment:
        return fragment  # escaped text without tags (most paragraphs): nothing for nh3 to remove
    fragment = _BR.sub("\n", fragment)  # Apple's subset has no <br>; keep the words apart
    if "<" not in fragment:
        return fragment
    return _renderers().apple_cleaner.clean(fragment)


# ---------------------------------------------------------------- plain text reader


def linkify(text: str) -> str:
    """Escape `text` for HTML, turning bare URLs (scheme or www.) and e-mail addresses into links."""
    if not _may_link(text):
        return html.escape(text, quote=False)  # linkify-it is slow; most lines have nothing to link
    out: list[str] = []
    position = 0
    for match in _renderers().linkify.match(text) or []:
        if not match.schema and not match.text.lower().startswith("www.") and "@" not in match.text:
            continue  # a bare "example.com" is too often not meant as a link
        out.append(html.escape(text[position : match.index], quote=False))
        out.append(f'<a href="{html.escape(match.url)}">{html.escape(match.text, quote=False)}</a>')
        position = match.last_index
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


@dataclass
class _TextBlock:
    kind: Literal["p", "ul", "ol", "timestamp"]
    lines: list[str]
    start: int = 1  # the first number of a numbered list


def _text_blocks(text: str) -> list[_TextBlock]:
    """Lines → paragraphs, lists and timestamp lines.

    With blank lines in the text, a paragraph runs to the next blank line; without
    any, every line is a paragraph. Consecutive list lines make one list, and a
    timestamp line always stands alone so that it stays on its own line.
    """
    lines = text.split("\n")
    stripped_lines = [line.strip() for line in lines]
    joined = "" in stripped_lines
    if ":" in text:
        timestamp = [":" in line and _TIMESTAMP.match(line) is not None for line in lines]
    else:
        timestamp = [False] * len(lines)  # (most articles)
    if joined and any(timestamp):
        # Inside a paragraph, one line that starts with a clock time ("10:30 in the
        # lobby") is prose; a timestamp line stands alone only at a paragraph's start
        # or among others.
        first = 0
        for end in [i for i, stripped in enumerate(stripped_lines) if not stripped] + [len(lines)]:
            if sum(timestamp[first:end]) < 2:
                timestamp[first + 1 : end] = [False] * max(0, end - first - 1)
            first = end + 1
    blocks: list[_TextBlock] = []
    current: _TextBlock | None = None
    for line, stripped, is_timestamp in zip(lines, stripped_lines, timestamp, strict=True):
        if not stripped:
            current = None
            continue
        # The patterns are tried only where they can match: most lines are prose.
        bullet = _BULLET.match(line) if stripped[0] in _BULLET_MARKS else None
        numbered = _NUMBERED.match(line) if stripped[0].isdigit() else None
        if bullet or numbered:
            kind = "ul" if bullet else "ol"
            item = bullet.group(1) if bullet else numbered.group(2)
            if current is None or current.kind != kind:
                current = _TextBlock(kind, [], int(numbered.group(1)) if numbered else 1)
                blocks.append(current)
            current.lines.append(item.strip())
        elif is_timestamp:
            blocks.append(_TextBlock("timestamp", [stripped]))
            current = None
        elif current is not None and current.kind in ("ul", "ol") and line[:1].isspace():
            current.lines[-1] += " " + stripped  # an indented line continues the list item
        elif current is not None and current.kind == "p" and joined:
            current.lines.append(stripped)
        else:
            current = _TextBlock("p", [stripped])
            blocks.append(current)
    return blocks


def _looks_like_heading(block: _TextBlock) -> bool:
    if block.kind != "p" or len(block.lines) != 1:
        return False
    line = block.lines[0]
    return len(line) <= HEADING_MAX and not _END_PUNCTUATION.search(line) and not _may_link(line)


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _text_outline(text: str, title: str | None) -> tuple[str | None, list[_TextBlock], list[bool]]:
    """Plain text → (title found in it, its blocks after the title, which of them are headings)."""
    blocks = _text_blocks(text)
    looks = [_looks_like_heading(block) for block in blocks]
    headings = [looks[i] and i + 1 < len(blocks) and not looks[i + 1] for i in range(len(blocks))]
    found = None
    if blocks and looks[0]:
        first = blocks[0].lines[0]
        # The first line is the title when it repeats the episode's title, or when a
        # heading follows it directly (title, heading, paragraph).
        if (title and _same_title(first, title)) or (len(blocks) > 1 and headings[1]):
            found = first
            blocks, headings = blocks[1:], headings[1:]
    return found, blocks, headings


def _read_text(text: str, title: str | None) -> tuple[str | None, str]:
    """Plain text → (title found in it, HTML)."""
    found, blocks, headings = _text_outline(text, title)
    parts: list[str] = []
    for block, heading in zip(blocks, headings, strict=True):
        if heading:
            parts.append(f"<h2>{linkify(block.lines[0])}</h2>")
        elif block.kind in ("ul", "ol"):
            start = f' start="{block.start}"' if block.kind == "ol" and block.start != 1 else ""
            items = "".join(f"<li>{linkify(item)}</li>" for item in block.lines)
            parts.append(f"<{block.kind}{start}>{items}</{block.kind}>")
        else:
            parts.append(f"<p>{linkify(' '.join(block.lines))}</p>")
    return found, "\n".join(parts)


# ---------------------------------------------------------------- Markdown reader

# Markdown made only of ATX headings and paragraphs of words (see _plain_markdown_html).
_MARKUP_CHARACTERS = "\\`*_[]<>&|~=+"  # each starts markup somewhere in a line
_LINE_START_MARKUP = "-0123456789 "  # a list item, a rule, a setext underline, indented code
_ASCII_SPACE_BUT_SPACE = "\t\r\x0b\x0c\x1c\x1d\x1e\x1f"
_SPACE_BUT_SPACE = re.compile(r"[^\S \n]")
_ATX_HEADING = re.compile(r"(#{1,6}) +([^#]+)")


def _markdown_html(article: str) -> str:
    """Markdown → HTML, as markdown-it-py renders it."""
    if _may_linkify(article):
        return _renderers().markdown.render(article)
    plain = _plain_markdown_html(article)
    return _renderers().markdown_without_links.render(article) if plain is None else plain


def _plain_markdown_html(article: str) -> str | None:
    """What markdown-it-py makes of Markdown that is headings and paragraphs of words,
    without its tokenizer (most of the cost of such an article); None for any other Markdown.

    Escaping touches only `"` (see `_plain_markdown_parts`). tests/test_fuzz_notes.py
    checks it against markdown-it-py.
    """
    parts = _plain_markdown_parts(article)
    if parts is None:
        return None
    escaped = ((tag, words.replace('"', "&quot;")) for tag, words in parts)
    return "".join(f"<{tag}>{words}</{tag}>\n" for tag, words in escaped)


def _plain_markdown_parts(article: str) -> list[tuple[str, str]] | None:
    """The headings and paragraphs of Markdown that is only those, made of words: (tag, words)
    each, the words as written; None for any other Markdown.

    Such an article has nothing for a markup rule of markdown-it to act on: no markup
    character, no line that starts with markup (a list item, a rule, an underline) or
    with a space (indented code) or ends with one (a hard break), no white space but
    spaces and line feeds. A heading is its words, a paragraph its lines joined by line
    feeds. (String methods, not a regex: a regex scans text far more slowly.)
    """
    if any(char in article for char in _MARKUP_CHARACTERS + _ASCII_SPACE_BUT_SPACE):
        return None
    if not article.isascii() and _SPACE_BUT_SPACE.search(article):
        return None
    out: list[tuple[str, str]] = []
    paragraph: list[str] = []
    for line in article.split("\n"):
        if not line:
            if paragraph:
                out.append(("p", "\n".join(paragraph)))
                paragraph = []
        elif line[0] in _LINE_START_MARKUP or line[-1] == " ":
            return None
        elif line[0] == "#":
            heading = _ATX_HEADING.fullmatch(line)
            if heading is None:
                return None
            if paragraph:
                out.append(("p", "\n".join(paragraph)))
                paragraph = []
            out.append((f"h{len(heading[1])}", heading[2]))
        else:
            paragraph.append(line)
    if paragraph:
        out.append(("p", "\n".join(paragraph)))
    return out


# ---------------------------------------------------------------- the walker


class Block(NamedTuple):
    """One top-level piece of the clean HTML (a named tuple: a frozen dataclass is slower to make)."""

    kind: Literal["heading", "paragraph", "list", "group", "other"]  # group: paragraphs (a quote, a table)
    html: str  # as it goes into content:encoded
    text: str  # plain text
    apple: str  # Apple's subset for <description>; "" when the block has no place there
    level: int = 0  # of a heading
    items: tuple[str, ...] = ()  # the <li> elements of a list (paragraphs of a group), in Apple's subset


def _plain(element) -> str:
    """Plain text of an element: links keep their address, <br> and <li> break lines."""
    if not len(element):  # text alone (most paragraphs and headings)
        return _lines(element.text or "")
    parts: list[str] = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if child.tag == "br":
            parts.append("\n")
        elif child.tag == "a":
            label = _plain(child)
            href = (child.get("href") or "").removeprefix("mailto:")
            bare = href.split("://", 1)[-1].rstrip("/")
            parts.append(f"{label} ({href})" if href and bare not in label else label)
        elif child.tag in ("ul", "ol"):
            parts.append("\n" + _list_text(child))
        else:
            parts.append(_plain(child))
        parts.append(child.tail or "")
    return _lines("".join(parts))


def _lines(text: str) -> str:
    """Each line with its runs of white space made one space, blank lines dropped."""
    if "\n" not in text:
        return " ".join(text.split())
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


def _list_text(element) -> str:
    start = int(element.get("start") or 1) if (element.get("start") or "1").isdigit() else 1
    lines = []
    for number, item in enumerate(element.findall("li"), start=start):
        marker = f"{number}." if element.tag == "ol" else "-"
        lines.append(f"{marker} {_plain(item)}")
    return "\n".join(lines)


def _serialize(element) -> str:
    return etree.tostring(element, encoding="unicode", method="html", with_tail=False)


def _inner(element) -> str:
    if not len(element):
        return html.escape(element.text, quote=False) if element.text else ""
    return (element.text and html.escape(element.text, quote=False) or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in element
    )


def _block(element) -> Block | None:
    tag = element.tag
    if tag in _HEADING_TAGS:
        text = _plain(element)
        if not text:
            return None
        return Block(
            "heading", _serialize(element), text, f"<p>{html.escape(text, quote=False)}</p>", int(tag[1])
        )
    if tag in ("ul", "ol"):
        items = tuple(f"<li>{_apple(_inner(li))}</li>" for li in element.findall("li"))
        start = element.get("start")
        opening = f'<ol start="{start}">' if tag == "ol" and start and start != "1" else f"<{tag}>"
        apple = f"{opening}{''.join(items)}</{tag}>" if items else ""
        return Block("list", _serialize(element), _list_text(element), apple, items=items)
    if tag == "hr":
        return Block("other", _serialize(element), "", "")
    if tag == "table":
        # Apple's subset has no tables: each row becomes a paragraph, its cells side by side.
        rows = [
            [cell for cell in row if cell.tag in ("th", "td") and _plain(cell)] for row in element.iter("tr")
        ]
        rows = [row for row in rows if row]
        if not rows:
            return None
        items = tuple(
            f"<p>{TABLE_CELL_SEPARATOR.join(_apple(_inner(cell)) for cell in row)}</p>" for row in rows
        )
        text = "\n".join(TABLE_CELL_SEPARATOR.join(_plain(cell) for cell in row) for row in rows)
        return Block("group", _serialize(element), text, "".join(items), items=items)
    if tag == "blockquote":
        # Apple's subset has no <blockquote>, and a <p> must not hold the quote's own
        # paragraphs: they become paragraphs of the description.
        inner = [block for block in blocks_of(_inner(element)) if block.apple]
        if not inner:
            return None
        items = tuple(block.apple for block in inner)
        text = "\n\n".join(block.text for block in inner if block.text)
        return Block("group", _serialize(element), text, "".join(items), items=items)
    text = _plain(element)
    if not text:
        return None
    kind = "paragraph" if tag == "p" else "other"
    return Block(kind, _serialize(element), text, f"<p>{_apple(_inner(element))}</p>")


# lxml.html's parser without its element classes: making one for each element parsed
# costs a call into Python; the walker needs only the plain elements.
_HTML_PARSER = etree.HTMLParser()
_FULL_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE)


def _in_div(fragment: str):
    """`fragment` parsed into a <div>, as `lxml.html.fragment_fromstring(fragment, create_parent="div")`
    parses it (leading text kept only when it is more than white space), in plain elements."""
    import lxml.html

    if _FULL_DOCUMENT.match(fragment):
        return lxml.html.fragment_fromstring(fragment, create_parent="div")  # lxml.html's own case
    document = etree.fromstring(f"<html><body>{fragment}</body></html>", _HTML_PARSER)
    bodies = [element for element in document if element.tag == "body"]
    if len(bodies) != 1:
        return lxml.html.fragment_fromstring(fragment, create_parent="div")  # lxml.html's own error
    body = bodies[0]
    root = _HTML_PARSER.makeelement("div")
    if body.text and body.text.strip():
        root.text = body.text
    root.extend(body)
    return root


# Clean HTML that is <p> and <h1>-<h6> elements one after another, each holding text
# without "&", "<" or ">" (what most articles become): lxml gives each back as written.
_FLAT_BLOCK = re.compile(r"<(p|h[1-6])>([^<>&\r\x00]*)</\1>\n?")


def _flat_blocks(fragment: str) -> list[Block] | None:
    """The blocks of a fragment of flat paragraphs and headings, as the walker finds them
    (without parsing it); None for any other fragment."""
    parts: list[tuple[str, str]] = []
    position, end = 0, len(fragment)
    while position < end:
        match = _FLAT_BLOCK.match(fragment, position)
        if match is None:
            return None
        position = match.end()
        parts.append((match[1], match[2]))
    return _written_blocks(parts)


def _written_blocks(parts: Sequence[tuple[str, str]], *, spaced: bool = False) -> list[Block]:
    """The blocks of clean HTML that is <p> and <h1>-<h6> elements, (tag, words) each, holding
    text without "&", "<" or ">", as the walker finds them. `spaced`: each part's words are
    known to be their plain text already (single spaces, nothing at either end of a line)."""
    blocks: list[Block] = []
    for tag, words in parts:
        text = words if spaced else _lines(words)
        if not text:
            continue
        written = f"<{tag}>{words}</{tag}>"
        if tag == "p":
            blocks.append(Block("paragraph", written, text, written))
        else:
            blocks.append(Block("heading", written, text, f"<p>{text}</p>", int(tag[1])))
    return blocks


def blocks_of(fragment: str) -> list[Block]:
    """Clean HTML → its top-level blocks.

    Containers (<div>, <section>, <article>) are opened up; loose text and inline runs
    between blocks become paragraphs, split at blank lines and at double <br>.
    """
    flat = _flat_blocks(fragment) if fragment else None
    if flat is not None:
        return flat
    root = _in_div(fragment or "<p></p>")
    blocks: list[Block] = []
    loose: list[str] = []

    def flush() -> None:
        run = "".join(loose).strip()
        loose.clear()
        if not run:
            return
        for piece in _PARAGRAPH_BREAK.split(run):
            if not piece.strip():
                continue
            # Usually one <p>; more when the run holds what a <p> cannot (a stray <li>), whose text
            # and the text after it are kept as blocks of their own (found by tests/test_fuzz_notes.py).
            parsed = _in_div(f"<p>{piece.strip()}</p>")
            for element in parsed:
                if not isinstance(element.tag, str):
                    continue
                if element.tag == "li":
                    element.tag = "p"  # an item outside any list is a paragraph
                found = [_block(element)]
                if element.tail and element.tail.strip():
                    import lxml.html

                    found.append(_block(lxml.html.fragment_fromstring(f"<p>{html.escape(element.tail)}</p>")))
                blocks.extend(block for block in found if block)

    def walk(container) -> None:
        loose.append(html.escape(container.text or "", quote=False))
        for child in container:
            if not isinstance(child.tag, str):
                pass
            elif child.tag in _CONTAINER_TAGS:
                flush()
                walk(child)
                flush()
            elif child.tag in _BLOCK_TAGS:
                flush()
                block = _block(child)
                if block:
                    blocks.append(block)
            else:
                loose.append(etree.tostring(child, encoding="unicode", method="html", with_tail=False))
            loose.append(html.escape(child.tail or "", quote=False))

    walk(root)
    flush()
    return blocks


# ---------------------------------------------------------------- description


def _fit(pieces: Sequence[str], budget: int, joiner: str = "") -> int:
    """How many of `pieces`, joined, fit in `budget` bytes."""
    size, count = 0, 0
    for piece in pieces:
        size += len(piece.encode()) + (len(joiner.encode()) if count else 0)
        if size > budget:
            break
        count += 1
    return count


def _partial(block: Block, budget: int) -> str:
    """As much of `block` as fits in `budget` bytes, ending at a sentence or list item."""
    if block.kind == "list":
        opening, closing = block.apple[: block.apple.index(">") + 1], block.apple[-5:]
        count = _fit(block.items, budget - len(opening) - len(closing))
        return f"{opening}{''.join(block.items[:count])}{closing}" if count else ""
    if block.kind == "heading":
        return ""
    if block.kind == "group":
        count = _fit(block.items, budget)
        whole = "".join(block.items[:count])
        rest = blocks_of(block.items[count]) if count < len(block.items) else []
        return whole + (_partial(rest[0], budget - len(whole.encode())) if rest else "")
    inner = block.apple.removeprefix("<p>").removesuffix("</p>")
    sentences = [s for s in _SENTENCE_END.split(inner) if s]
    for count in range(len(sentences) - 1, 0, -1):
        # nh3 closes a link the cut left open.
        candidate = "<p>" + _apple(" ".join(sentences[:count])) + "</p>"
        if len(candidate.encode()) <= budget:
            return candidate
    return ""


def more_link_text(url: str, *, episode_page: bool) -> str:
    """The words of the link under a cut description, honest about where it goes.

    The episode's own page has the full notes; any other address (the show's website)
    may not, so the link names the place: "More at example.com".
    """
    if episode_page:
        return MORE_LINK_TEXT
    split = urlsplit(url)
    place = (split.hostname or url).removeprefix("www.") + split.path.rstrip("/")
    return f"More at {place}"


def link_options(episode_link: str | None, show_link: str | None) -> dict[str, str | None]:
    """`render`'s link options for an episode: its own page if it has one, else the show's site."""
    more_url = episode_link or show_link
    return {
        "more_url": more_url,
        "more_text": more_link_text(more_url or "", episode_page=bool(episode_link)),
        "page_url": episode_link,
    }


def describe(blocks: Sequence[Block], more_url: str | None = None, more_text: str = MORE_LINK_TEXT) -> str:
    """Apple's description: the notes in p/ol/ul/li/a, cut to DESCRIPTION_LIMIT bytes.

    When everything fits it is all there. Otherwise it ends at a paragraph, a
    sentence or a list item, followed by a link (if there is one) to `more_url`
    with the words `more_text`.
    """
    parts = [block.apple for block in blocks if block.apple]
    whole = "".join(parts)
    if len(whole.encode()) <= DESCRIPTION_LIMIT:
        return whole
    label = html.escape(more_text, quote=False)
    more = f'<p><a href="{html.escape(more_url)}">{label}</a></p>' if more_url else ""
    budget = DESCRIPTION_LIMIT - len(more.encode())
    kept: list[Block] = []
    tail = ""
    size = 0
    for block in blocks:
        if not block.apple:
            continue
        length = len(block.apple.encode())
        if size + length <= budget:
            kept.append(block)
            size += length
            continue
        tail = _partial(block, budget - size)
        if not tail and size < budget // 2:
            # No sentence or item of it fits, and ending at the last whole block would leave
            # the description mostly empty (a heading, a short line): cut at a word instead.
            tail = _hard_cut(block.text, budget - size)
        break
    while kept and kept[-1].kind == "heading" and not tail:
        kept.pop()  # a heading without its text says nothing
    if not tail and not any(block.kind != "heading" for block in kept):
        # Whatever came first left no room for a word of the text: the text's start alone.
        first = next((block for block in blocks if block.apple and block.kind != "heading"), None)
        if first is not None:
            kept, tail = [], _hard_cut(first.text, budget, whole_words=False)
    return "".join(block.apple for block in kept) + tail + more


def _hard_cut(text: str, budget: int, *, whole_words: bool = True) -> str:
    """Text too long for any sentence to fit: cut at a word, with an ellipsis.

    "" when not one word fits, unless `whole_words` is off: then a first word longer
    than the budget (a very long address, say) is cut inside.
    """
    words = text.split()
    room = budget - len("<p>…</p>".encode())
    count = _fit([html.escape(w, quote=False) for w in words], room, " ")
    if count:
        return "<p>" + html.escape(" ".join(words[:count]), quote=False) + "…</p>"
    if whole_words or not words or room <= 0:
        return ""
    cut = words[0]
    while cut and len(html.escape(cut, quote=False).encode()) > room:
        cut = cut[: len(cut) * 3 // 4]
    return "<p>" + html.escape(cut, quote=False) + "…</p>" if cut else ""


# ---------------------------------------------------------------- chapters


def timestamp_chapters(blocks: Sequence[Block]) -> tuple[Chapter, ...]:
    """Lines that start with a time (`00:00 Intro`, `(12:34) Topic`, `1:02:03 - Topic`).

    They count as chapters when there are at least two and each starts after the one
    before; otherwise they are ordinary text (a clock time in a sentence, say).
    """
    found: list[Chapter] = []
    for block in blocks:
        if block.kind == "heading":
            continue
        if ":" not in block.text:
            continue  # no clock time in it (most paragraphs)
        for line in block.text.split("\n"):
            line = _LIST_MARKER.sub("", line)
            match = _TIMESTAMP.match(line)
            if match:
                found.append(Chapter(start=clock.parse(match["time"]), title=match["title"]))
    if len(found) < 2 or any(b.start <= a.start for a, b in zip(found, found[1:], strict=False)):
        return ()
    return tuple(found)


_LIST_MARKER = re.compile(r"^(?:[-*•]|\d{1,3}\.)\s+")
_SPACELESS_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _words(text: str) -> int:
    # Scripts without spaces between words (Chinese, Japanese) count by character.
    if text.isascii() or not _SPACELESS_SCRIPT.search(text):
        return len(text.split())
    return sum(len(w) if _SPACELESS_SCRIPT.match(w) else 1 for w in text.split())


def section_chapters(notes: ShowNotes, duration: float) -> tuple[Chapter, ...]:
    """A chapter at each section heading, for audio that reads the article aloud.

    Each starts at duration × (words before the heading) / (all words), counting the
    title, headings and paragraphs, since the reader reads them all. Text before the
    first heading gets a chapter at 0 named after the title (or "Introduction");
    without such text, the first heading's chapter starts at 0.
    """
    words_before = _words(notes.title or "")
    starts: list[tuple[int, str]] = []
    for section in notes.sections:
        if section.heading is not None:
            starts.append((words_before, section.heading))
            words_before += _words(section.heading)
        words_before += sum(_words(p) for p in section.paragraphs)
    total = words_before
    if not starts or not total or duration <= 0:
        return ()
    chapters = [
        # A heading may hold a line break (a list opened inside it); a chapter title is one line.
        Chapter(start=float(round(duration * before / total)), title=" ".join(title.split()))
        for before, title in starts
    ]
    intro = notes.sections[0].heading is None and notes.sections[0].paragraphs
    if intro and chapters[0].start > 0:
        chapters.insert(0, Chapter(start=0.0, title=notes.title or "Introduction"))
    elif not intro:
        # Only the title is read before the first heading: that heading's chapter opens the episode.
        chapters[0] = replace(chapters[0], start=0.0)
    return tuple(chapters)


# ---------------------------------------------------------------- render


def _sections(blocks: Sequence[Block]) -> tuple[Section, ...]:
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            if heading is not None or paragraphs:
                sections.append(Section(heading, tuple(paragraphs)))
            heading, paragraphs = block.text, []
        elif block.text:
            paragraphs.append(block.text)
    if heading is not None or paragraphs:
        sections.append(Section(heading, tuple(paragraphs)))
    return tuple(sections)


def _cleaned(article: str) -> str:
    """The article without control characters, its lines ended by line feeds, stripped."""
    article = clean_text(article)
    if "\r" in article:
        article = article.replace("\r\n", "\n").replace("\r", "\n")
    return article.strip()


def article_html(
    article: str, *, format: Format = "text", title: str | None = None, page_url: str | None = None
) -> tuple[str | None, str]:
    """The article as clean HTML, and the title found at its top (if any).

    Relative links are resolved against `page_url`, or lose their address (see `sanitize`).
    """
    return _article_html(_cleaned(article), format, title, page_url)


def _article_html(
    article: str, format: Format, title: str | None, page_url: str | None
) -> tuple[str | None, str]:
    found = None
    if format == "markdown":
        fragment = _markdown_html(article)
    elif _HTML_BLOCK_TAG.search(article):
        fragment = article
    else:
        if _HTML_TAG.search(article):
            # Text with a few tags pasted in: keep the words, drop the tags (and scripts,
            # styles and frames with their content), then read it as text.
            import nh3

            article = html.unescape(nh3.clean(article, tags=set(), clean_content_tags=DROPPED_WITH_CONTENT))
        found, fragment = _read_text(article, title)
    # nh3 turns character references (&#11;) into the characters themselves.
    return found, clean_text(sanitize(fragment, page_url))


def article_blocks(
    article: str, *, format: Format = "text", title: str | None = None, page_url: str | None = None
) -> tuple[str | None, list[Block]]:
    """The title found at the top of the article (if any) and the blocks of its clean HTML:
    what `blocks_of` finds in `article_html`'s HTML.

    An article of words in paragraphs and headings (most) becomes HTML in which each
    word stands as written, which nh3 would give back unchanged: its blocks are made
    directly, without writing, cleaning and walking the HTML (most of what rendering costs).
    """
    article = _cleaned(article)
    found = _written_article(article, format, title)
    if found is not None:
        return found
    title_found, fragment = _article_html(article, format, title, page_url)
    return title_found, blocks_of(fragment)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _written_article(
    article: str, format: Format, title: str | None
) -> tuple[str | None, list[Block]] | None:
    """`article_blocks` of a clean article whose words go into the HTML as written (no
    character HTML escapes or nh3 writes as a reference: "&", "<", ">", the no-break space;
    no lone surrogate, which nh3 refuses) and that holds only headings, paragraphs and
    (in text) lists without links; None for any other article."""
    if "<" in article or ">" in article or "&" in article:
        return None
    if not article.isascii() and ("\xa0" in article or _SURROGATE.search(article)):
        return None
    # A clean article's only white space in ASCII is spaces, tabs and line feeds; its lines
    # stripped and joined by single spaces, or kept whole in Markdown's (which starts or ends
    # none with a space), are their plain text when no two spaces or a tab meet in them.
    spaced = article.isascii() and "\t" not in article and "  " not in article
    parts: list[tuple[str, str]] | None
    if format == "markdown":
        if _may_linkify(article):
            return None
        parts = _plain_markdown_parts(article)  # its `"` are what nh3 makes of markdown-it's &quot;
        return None if parts is None else (None, _written_blocks(parts, spaced=spaced))
    if _may_link(article):
        return None
    found, text_blocks, headings = _text_outline(article, title)
    blocks: list[Block] = []
    parts: list[tuple[str, str]] = []  # the paragraphs and headings since the last list
    for block, heading in zip(text_blocks, headings, strict=True):
        if heading:
            parts.append(("h2", block.lines[0]))
        elif block.kind in ("ul", "ol"):
            blocks += _written_blocks(parts, spaced=spaced)
            parts = []
            blocks.append(_written_list(block, spaced=spaced))
        else:
            parts.append(("p", " ".join(block.lines)))
    return found, blocks + _written_blocks(parts, spaced=spaced)


def _written_list(block: _TextBlock, *, spaced: bool) -> Block:
    """The block the walker finds in the list `_read_text` writes of `block`, its items' words
    as written (see `_written_blocks`)."""
    start = f' start="{block.start}"' if block.kind == "ol" and block.start != 1 else ""
    opening, closing = f"<{block.kind}{start}>", f"</{block.kind}>"
    items = tuple([f"<li>{item}</li>" for item in block.lines])
    written = opening + "".join(items) + closing
    first = block.start if block.kind == "ol" else 0
    lines = [
        f"{f'{first + index}.' if block.kind == 'ol' else '-'} {item if spaced else _lines(item)}"
        for index, item in enumerate(block.lines)
    ]
    return Block("list", written, "\n".join(lines), written, items=items)


def _title_block(blocks: list[Block], title: str | None) -> str | None:
    """A first heading that is the title: the only <h1>, or the episode's title repeated."""
    if not blocks or blocks[0].kind != "heading":
        return None
    first = blocks[0]
    only_h1 = first.level == 1 and sum(1 for b in blocks if b.kind == "heading" and b.level == 1) == 1
    if only_h1 or (title and _same_title(first.text, title)):
        del blocks[0]
        return first.text
    return None


def render(
    article: str,
    *,
    format: Format = "text",
    title: str | None = None,
    more_url: str | None = None,
    more_text: str = MORE_LINK_TEXT,
    chapters_from: ChaptersFrom = "timestamps",
    duration: float | None = None,
    page_url: str | None = None,
) -> ShowNotes:
    """Turn an article into show notes.

    `title` is the episode's title: a first line repeating it is taken as the title
    rather than a section. `more_url` is where the full notes are, linked from a
    description that had to be cut with the words `more_text` (see `more_link_text`).
    With `chapters_from="sections"` and the audio's `duration`, the chapters are the
    section headings; otherwise timestamp lines. `page_url` is the episode's own web
    page, against which relative links are resolved (without it they keep only their words).
    """
    found, blocks = article_blocks(article, format=format, title=title, page_url=page_url)
    found = found or _title_block(blocks, title)
    text = "\n\n".join([block.text for block in blocks if block.text])
    notes = ShowNotes(
        sections=_sections(blocks),
        html="\n".join([block.html for block in blocks]),
        description_html=describe(blocks, more_url, more_text),
        text=text,
        title=found,
        chapters=timestamp_chapters(blocks) if ":" in text else (),  # a time is written with ":"
    )
    if chapters_from == "sections" and duration:
        return replace(notes, chapters=section_chapters(notes, duration))
    return notes
