"""A saved episode page (HTML, or the text a browser saves) → title, date, host and article.

A hosting platform's episode page wraps the article in page furniture: a first line
where breadcrumb, show name and episode title run together, the title again, an
"Update: YYYY-MM-DD" line, "Share", "Description"; then the article; then
"Subscribe to <show> on <platform>", "Comments", the player (times, playback speeds,
a sleep timer, "End of Episode"), the title once more and the host's name last.
`read_page` keeps the article and the facts and drops the rest. Pure: text in,
`SavedPage` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import lxml.html

from .controlchars import clean_text

_UPDATE = re.compile(r"^Update:\s*(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_SUBSCRIBE = re.compile(r"^Subscribe to (?P<show>.+) on (?P<platform>\S.*)$", re.IGNORECASE)
_PLAYER_TIME = re.compile(r"^[-–]?\d{1,2}:\d{2}(?::\d{2})?$")
_SPEED = re.compile(r"^\d+(?:\.\d+)?\s*[x×]$", re.IGNORECASE)
_SLEEP = re.compile(
    r"^(?:sleep timer|off|cancel|end of episode|\d+\s*(?:m|min|mins|minutes))$",
    re.IGNORECASE,
)
_HEADER_LABELS = {"share", "description"}
_TAIL_LABELS = {"comments"}

# Elements that start a new line; those in _PARAGRAPH_TAGS also leave a blank line. Around
# those in _SINGLE_LINE_TAGS the breaks do not add up: list items and <br>s follow each other
# line by line, as a list or the lines of an address.
_SINGLE_LINE_TAGS = {"li", "ul", "ol", "br"}
_SINGLE_BREAK = "\x00"  # clean_text removed every NUL from the page, so this one is ours
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article"}
_LINE_TAGS = _PARAGRAPH_TAGS | {
    "div", "li", "ul", "ol", "br", "tr", "nav", "header", "footer", "main", "aside", "button",
    "label", "option", "dt", "dd", "figure", "figcaption", "form", "hr", "title",
}  # fmt: skip
_SKIPPED_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "head",
    "select",
    "audio",
    "video",
    "iframe",
}


@dataclass(frozen=True)
class SavedPage:
    """What a saved episode page says, without its furniture."""

    title: str | None
    date: date | None
    host: str | None
    article: str  # headings on their own lines, paragraphs separated by blank lines
    show: str | None = None  # from "Subscribe to <show> on <platform>"
    platform: str | None = None


def looks_like_html(source: str) -> bool:
    head = source.lstrip()[:1000].lower()
    return head.startswith("<") or "<html" in head or "<body" in head


def html_text(source: str) -> str:
    """The text of an HTML page as a browser would save it: blocks on their own lines,
    a blank line around paragraphs and headings, nothing from scripts or styles. List
    items become "- item" / "1. item" lines, and links keep their address after their
    words, "guide (https://…)", so the text reader makes lists and links of them again."""
    root = lxml.html.document_fromstring(clean_text(source))
    out: list[str] = []

    def spaced(value: str | None) -> str:
        # Line breaks in the HTML source are only wrapping; the tags say where lines end.
        return re.sub(r"\s+", " ", value or "")

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIPPED_TAGS:
            out.append(spaced(element.tail))
            return
        if tag in _LINE_TAGS:
            out.append(_break(tag))
        if tag == "li":
            out.append(_list_marker(element))  # the text reader makes the list again from these
        out.append(spaced(element.text) if tag else "")
        for child in element:
            walk(child)
        if tag == "a":
            out.append(_address(element))
        if tag in _LINE_TAGS:
            out.append(_break(tag))
        out.append(spaced(element.tail))

    walk(root)
    text = re.sub(f"[ \t]*(?:{_SINGLE_BREAK}[ \t]*)+", "\n", "".join(out))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _break(tag: str) -> str:
    if tag in _SINGLE_LINE_TAGS:
        return _SINGLE_BREAK
    return "\n\n" if tag in _PARAGRAPH_TAGS else "\n"


def _list_marker(item) -> str:
    """ "- " in a bulleted list, "3. " for the third item of a numbered one."""
    parent = item.getparent()
    if parent is None or parent.tag != "ol":
        return "- "
    start = parent.get("start") or "1"
    number = int(start) if start.isdigit() else 1
    number += sum(1 for sibling in item.itersiblings(preceding=True) if sibling.tag == "li")
    return f"{number}. "


def _address(link) -> str:
    """ " (https://…)" after a link's words, so the address survives as text the reader links
    again; nothing when the words are the address or it is relative (the page's own)."""
    href = (link.get("href") or "").strip()
    if not re.match(r"^(?:https?://|mailto:)", href, re.IGNORECASE):
        return ""
    address = href[7:] if href.lower().startswith("mailto:") else href
    words = " ".join(link.text_content().split())
    if address.rstrip("/").split("://", 1)[-1] in words:
        return ""
    return f" ({address})"


def _is_player(line: str) -> bool:
    line = re.sub(r"^(?:-|\d{1,3}\.)\s+", "", line)  # the player's lists in a saved HTML page
    return bool(_PLAYER_TIME.match(line) or _SPEED.match(line) or _SLEEP.match(line))


def _ends_article(line: str) -> bool:
    return bool(_SUBSCRIBE.match(line)) or line.casefold() in _TAIL_LABELS


def _player_starts(lines: list[str], index: int) -> bool:
    """Whether the player block starts at lines[index]: player lines with a playback speed among
    the next few. A lone time ("9:00" in opening hours) is the article's own."""
    if not _is_player(lines[index]):
        return False
    following = [line for line in lines[index : index + 8] if line][:4]
    if not all(_is_player(line) for line in following):
        return False
    return any(_SPEED.match(re.sub(r"^(?:-|\d{1,3}\.)\s+", "", line)) for line in following)


def is_furniture(line: str) -> bool:
    """Whether a line of a page is the platform's furniture by these rules ("Share", "Description",
    "Subscribe to <show> on <platform>", "Comments", a player's time or speed), not the article's."""
    line = " ".join(line.split())
    return line.casefold() in _HEADER_LABELS or _ends_article(line) or _is_player(line)


def read_page(source: str) -> SavedPage:
    """Read a saved episode page (HTML or text)."""
    source = clean_text(source)  # a vertical tab from Word is a line break; XML cannot carry it
    text = html_text(source) if looks_like_html(source) else source
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    title, published, start = _heading(lines)
    while start < len(lines) and (
        not lines[start] or lines[start].casefold() in _HEADER_LABELS or lines[start] == title
    ):
        start += 1
    end = next(
        (
            i
            for i in range(start, len(lines))
            if lines[i] and (_ends_article(lines[i]) or _player_starts(lines, i))
        ),
        len(lines),
    )
    show = platform = None
    for line in lines[end:]:
        match = _SUBSCRIBE.match(line)
        if match and show is None:
            show, platform = match["show"].strip(), match["platform"].strip()
    host = None
    tail = [line for line in lines[end:] if line]
    if tail:
        last = tail[-1]
        if last != title and not _ends_article(last) and not _is_player(last):
            host = last
    article = "\n".join(lines[start:end]).strip()
    article = re.sub(r"\n{3,}", "\n\n", article)
    return SavedPage(
        title=title,
        date=published,
        host=host,
        article=article + "\n" if article else "",
        show=show,
        platform=platform,
    )


def _heading(lines: list[str]) -> tuple[str | None, date | None, int]:
    """(title, date, the line after them): the line above `Update: YYYY-MM-DD` and its date, or,
    without a date line, the second line when the first ends with it."""
    filled = [index for index, line in enumerate(lines) if line]
    update = next((i for i in filled if _UPDATE.match(lines[i])), None)
    if update is not None:
        try:
            published = date.fromisoformat(_UPDATE.match(lines[update]).group(1))
        except ValueError:
            published = None
        before = [i for i in filled if i < update]
        return (lines[before[-1]] if before else None), published, update + 1
    if (
        len(filled) >= 2
        and lines[filled[0]] != lines[filled[1]]
        and lines[filled[0]].endswith(lines[filled[1]])
    ):
        return lines[filled[1]], None, filled[1] + 1
    return None, None, 0
