"""Article text → ShowNotes: sections, full HTML, Apple's description, plain text.

A pure function: text in, `ShowNotes` out. Plain text is read by structure:
paragraphs are separated by blank lines, and a short line without end
punctuation that is followed by a paragraph is a section heading.
"""

from __future__ import annotations

import html
import re

from .model import Section, ShowNotes

DESCRIPTION_LIMIT = 4000  # bytes; Apple's limit for <description>
_HEADING_MAX = 90  # characters


def _blocks(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    raw = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.split("\n")
    return [" ".join(line.strip() for line in block.split("\n")).strip() for block in raw if block.strip()]


def _is_heading(block: str) -> bool:
    return len(block) <= _HEADING_MAX and not re.search(r"[.!?:;,…]$", block)


def sections_of(text: str) -> list[Section]:
    """Group the blocks of an article into sections under their headings."""
    blocks = _blocks(text)
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for index, block in enumerate(blocks):
        followed = index + 1 < len(blocks) and not _is_heading(blocks[index + 1])
        if _is_heading(block) and followed:
            if heading is not None or paragraphs:
                sections.append(Section(heading, tuple(paragraphs)))
            heading, paragraphs = block, []
        else:
            paragraphs.append(block)
    if heading is not None or paragraphs:
        sections.append(Section(heading, tuple(paragraphs)))
    return sections


def _cut_description(paragraphs: list[str], more_url: str | None) -> str:
    """Whole paragraphs in <p>, as many as fit in DESCRIPTION_LIMIT bytes."""
    more = f'<p><a href="{html.escape(more_url)}">Full show notes</a></p>' if more_url else ""
    parts: list[str] = []
    size = 0
    for paragraph in paragraphs:
        part = f"<p>{html.escape(paragraph, quote=False)}</p>"
        if size + len(part.encode()) + len(more.encode()) > DESCRIPTION_LIMIT:
            return "".join(parts) + more
        parts.append(part)
        size += len(part.encode())
    return "".join(parts)


def render(text: str, *, more_url: str | None = None) -> ShowNotes:
    """Turn article text into show notes."""
    sections = sections_of(text)
    body: list[str] = []
    flat: list[str] = []
    plain: list[str] = []
    for section in sections:
        if section.heading:
            body.append(f"<h2>{html.escape(section.heading, quote=False)}</h2>")
            flat.append(section.heading)
            plain.append(section.heading)
        for paragraph in section.paragraphs:
            body.append(f"<p>{html.escape(paragraph, quote=False)}</p>")
            flat.append(paragraph)
            plain.append(paragraph)
    return ShowNotes(
        sections=tuple(sections),
        html="\n".join(body),
        description_html=_cut_description(flat, more_url),
        text="\n\n".join(plain),
    )
