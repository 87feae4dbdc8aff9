"""Show notes as feeds carry them (HTML, CDATA, or plain text) → Markdown for episode.md.

markdownify does the conversion; links and images are made absolute first, against
the episode's page or the show's website, since the notes will be read far from
the page they were written on. The build renders the Markdown again (format =
"markdown"), through the same sanitiser as any article.
"""

from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree
from markdownify import MarkdownConverter

from ..controlchars import clean_text

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


_LINK_SCHEMES = ("http:", "https:", "mailto:")


class _NotesConverter(MarkdownConverter):
    """markdownify, with a link to anything but a web or mail address kept as its words.

    (`javascript:`, `data:` and the like: the build's sanitiser would not link them either, and
    the Markdown left for it would show as text, brackets and all.) Script and style elements
    go with their content: markdownify's own rule, kept by not listing them in `strip`.
    """

    def convert_a(self, el, text, parent_tags):
        href = (el.get("href") or "").strip()
        if href and ":" in href.split("/", 1)[0] and not href.lower().startswith(_LINK_SCHEMES):
            return text
        return super().convert_a(el, text, parent_tags)


# One converter for every item; lxml parses for it (faster than html.parser on 50,000 items).
_CONVERTER = _NotesConverter(
    heading_style="ATX",
    bullets="-",
    strip=["iframe", "img"],
    escape_underscores=False,
    bs4_options="lxml",
)


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


def _absolute_links(fragment: str, base: str | None) -> str:
    if not base:
        return fragment
    try:
        tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment
    tree.make_links_absolute(base, resolve_base_href=False, handle_failures="ignore")
    inner = (tree.text or "") + "".join(etree.tostring(child, encoding="unicode") for child in tree)
    return inner


def to_markdown(notes: str, base: str | None = None) -> str:
    """The notes as Markdown: HTML converted, plain text kept paragraph by paragraph."""
    notes = original = clean_text(notes).strip()
    if not notes:
        return ""
    if not looks_like_html(notes):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", notes) if p.strip()]
        notes = "".join(f"<p>{_escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    else:
        notes = _absolute_links(notes, base) or notes
    try:
        text = re.sub(r"\n{3,}", "\n\n", _CONVERTER.convert(notes)).strip()
    except RecursionError:
        text = ""
    if not text:
        # Markup nested thousands deep (no editor writes it) defeats the parsers: keep the words.
        return _words_only(original)
    return text + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _words_only(fragment: str) -> str:
    """The words of a fragment without its tags (parsers give up on such nesting), one block per paragraph."""
    blocks = re.split(r"(?i)</?(?:p|div|br|li|h[1-6]|tr|blockquote|section|article)\b[^>]*>", fragment)
    words = [" ".join(html.unescape(_TAG.sub(" ", block)).split()) for block in blocks]
    text = "\n\n".join(w for w in words if w)
    return (text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_") + "\n") if text else ""
