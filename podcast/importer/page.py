"""An episode's web page → what an episode needs: title, date, host, notes and the audio's URL.

General means first, as hosting platforms publish them for search engines and link
previews: structured data (JSON-LD `PodcastEpisode`), then Open Graph (`og:title`,
`og:audio`, `article:published_time`), then the page's own `<audio>`/`<source>`;
the article is found by a main-content extractor (trafilatura). Saved text, and a
page where the extractor finds nothing, fall back to the line rules of
podcast.pagetext, which know one platform's layout. `PageEpisode.sources` says which
means gave each fact.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

import lxml.html
import trafilatura
from lxml import etree

from ..controlchars import clean_line
from ..pagetext import SavedPage, is_furniture, looks_like_html, read_page
from ..schema import MAX_BYTE_COUNT
from ..weburl import has_web_scheme, joined
from .dates import MAX_DURATION, parse_date, parse_duration
from .markdown import to_markdown

EPISODE_TYPES = {"PodcastEpisode", "Episode", "RadioEpisode"}
AUDIO_SUFFIXES = (".mp3", ".m4a", ".mp4", ".m4v", ".ogg", ".opus", ".aac", ".flac", ".wav")
JSON_LD_MAX_CHARS = 1_000_000  # one script; real ones are a few KB


@dataclass(frozen=True)
class PageEpisode:
    title: str | None
    date: datetime | None
    date_only: bool  # the page gave a day, not a moment
    host: str | None
    article: str  # Markdown (format "markdown") or text (format "text")
    article_format: str
    audio_url: str | None
    audio_type: str | None = None
    audio_length: int | None = None
    duration: float | None = None
    link: str | None = None  # the page's own address
    image: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # fact → which means gave it


def _iso_duration(value: str) -> float | None:
    """schema.org durations: "PT1H2M3S" (ISO 8601), or a clock "1:02:03"."""
    match = re.fullmatch(r"P(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)", value.strip())
    if match and any(match.groups()):
        hours, minutes, seconds = match.groups()
        total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
        return total if 0 < total <= MAX_DURATION else None
    return parse_duration(value)


def _nodes(data) -> list[dict]:
    """Every object in a JSON-LD document, @graph and nested lists included."""
    found: list[dict] = []
    stack = [data]
    while stack and len(found) < 1000:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            found.append(item)
            stack.extend(v for v in item.values() if isinstance(v, list | dict))
    return found


def _types(node: dict) -> set[str]:
    kind = node.get("@type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def _name(value) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) or None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _value(value) -> str | None:
    """A JSON-LD value as text: a string, or the first string of a list (schema.org allows
    either for most properties); None for anything else (an object, a number)."""
    if isinstance(value, list):
        return next((found for found in map(_value, value) if found), None)
    return value.strip() or None if isinstance(value, str) else None


def _json_ld(tree) -> dict:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        text = (script.text or "")[:JSON_LD_MAX_CHARS]
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, or nested beyond reason
            continue
        for node in _nodes(data):
            if _types(node) & EPISODE_TYPES:
                return node
    return {}


def _meta(tree, *names: str) -> str | None:
    for name in names:
        for element in tree.xpath("//meta[@property=$n or @name=$n]", n=name):
            content = (element.get("content") or "").strip()
            if content:
                return content
    return None


def _audio_element(tree) -> tuple[str | None, str | None]:
    for element in tree.xpath("//audio[@src] | //audio/source[@src] | //video/source[@src]"):
        return element.get("src").strip(), (element.get("type") or "").strip() or None
    for link in tree.xpath("//a[@href]"):
        href = link.get("href").strip()
        if href.lower().split("?")[0].endswith(AUDIO_SUFFIXES):
            return href, None
    return None, None


def _date(value: str | None) -> tuple[datetime | None, bool]:
    if not value:
        return None, False
    date_only = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()))
    return parse_date(value)[0], date_only


def _pick(sources: dict[str, str], fact: str, *candidates: tuple[str, object]):
    """The first candidate (means, value) with a value; `sources` records the means for `fact`."""
    for means, value in candidates:
        if value:
            sources[fact] = means
            return value
    return None


def read_html(html: str, page_url: str | None) -> PageEpisode:
    tree = lxml.html.document_fromstring(
        html, parser=lxml.html.HTMLParser(no_network=True, remove_comments=True)
    )
    sources: dict[str, str] = {}
    ld = _json_ld(tree)
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    link = _pick(sources, "link",
                 ("JSON-LD", _value(ld.get("url"))),
                 ("Open Graph", _meta(tree, "og:url")),
                 ("canonical link", canonical[0] if canonical else None),
                 ("address", page_url))  # fmt: skip
    base = page_url or link
    title, when, date_only, host = _told(tree, ld, sources)
    audio, audio_type, duration_text, size = _media(tree, ld, sources)
    ld_image = ld.get("image")
    if isinstance(ld_image, dict):
        ld_image = ld_image.get("url")
    image = _meta(tree, "og:image") or _value(ld_image)
    saved = None
    if not when or not host:
        saved = read_page(html)  # the line rules know one platform's layout: its date and host line
        when, date_only, host = _by_line_rules(saved, when, date_only, host, sources)
    article, article_format, title = _article(html, base, title, saved, sources)
    audio = _line(audio)
    return PageEpisode(
        title=_line(title),
        date=when,
        date_only=date_only,
        host=_line(host),
        article=article,
        article_format=article_format,
        audio_url=joined(base, audio) if audio and base else audio,
        audio_type=audio_type.lower() if isinstance(audio_type, str) and "/" in audio_type else None,
        audio_length=int(size) if size.isdigit() and int(size) <= MAX_BYTE_COUNT else None,
        duration=_iso_duration(duration_text) if isinstance(duration_text, str) else None,
        link=_line(link),
        image=joined(base, image) if image and base else image,
        sources=sources,
    )


def _told(tree, ld: dict, sources: dict[str, str]) -> tuple[object, datetime | None, bool, object]:
    """The title, the date (and whether it is a day only) and the host, as the page tells them."""
    title_tag = tree.findtext(".//title")
    title = _pick(sources, "title",
                  ("JSON-LD", _name(ld.get("name")) or _name(ld.get("headline"))),
                  ("Open Graph", _meta(tree, "og:title", "twitter:title")),
                  ("<h1>", tree.xpath("string(//h1)").strip()),
                  ("<title>", title_tag.strip() if title_tag else None))  # fmt: skip
    raw_date = _pick(sources, "date",
                     ("JSON-LD", _value(ld.get("datePublished")) or _value(ld.get("uploadDate"))),
                     ("Open Graph", _meta(tree, "article:published_time", "og:published_time", "date")),
                     ("<time>", (tree.xpath("//time/@datetime") or [None])[0]))  # fmt: skip
    when, date_only = _date(raw_date if isinstance(raw_date, str) else None)
    host = _pick(sources, "host",
                 ("JSON-LD", _name(ld.get("author")) or _name(ld.get("actor")) or _name(ld.get("creator"))),
                 ("meta author", _meta(tree, "author", "article:author")))  # fmt: skip
    if host and has_web_scheme(host):
        host = None  # article:author is often a profile URL, not a name
    return title, when, date_only, host


def _media(tree, ld: dict, sources: dict[str, str]) -> tuple[object, object, object, str]:
    """The audio's address and type, the duration as written, and the size in bytes as text."""
    media = ld.get("associatedMedia") or ld.get("audio") or {}
    media = media[0] if isinstance(media, list) and media else media
    media = media if isinstance(media, dict) else {}
    audio_tag, audio_tag_type = _audio_element(tree)
    audio = _pick(sources, "audio",
                  ("JSON-LD", _value(media.get("contentUrl")) or _value(media.get("url"))),
                  ("Open Graph", _meta(tree, "og:audio:secure_url", "og:audio:url", "og:audio")),
                  ("<audio>", audio_tag))  # fmt: skip
    audio_type = _value(media.get("encodingFormat")) or _meta(tree, "og:audio:type") or audio_tag_type
    duration_text = (
        _value(media.get("duration")) or _value(ld.get("timeRequired")) or _value(ld.get("duration"))
    )
    size = media.get("contentSize")
    size = str(size) if isinstance(size, int) and not isinstance(size, bool) else _value(size) or ""
    return audio, audio_type, duration_text, size


def _by_line_rules(
    saved: SavedPage, when: datetime | None, date_only: bool, host: object, sources: dict[str, str]
) -> tuple[datetime | None, bool, object]:
    """The date and host the page did not give, from the line rules, where they know its layout."""
    if not when and saved.date:
        when, date_only = datetime(saved.date.year, saved.date.month, saved.date.day), True
        sources["date"] = "line rules (podcast.pagetext)"
    recognised = saved.platform is not None or saved.date is not None  # its layout, not any page's
    if not host and saved.host and recognised:
        host = saved.host
        sources["host"] = "line rules (podcast.pagetext)"
    return when, date_only, host


def _article(
    html: str, base: str | None, title: object, saved: SavedPage | None, sources: dict[str, str]
) -> tuple[str, str, object]:
    """(article, its format, the title): the main content as Markdown, else the line rules' text
    (which may also know the title)."""
    extracted = trafilatura.extract(
        html,
        output_format="html",
        include_links=True,
        include_formatting=True,
        include_images=False,
        include_comments=False,
        url=base,
    )
    if extracted and extracted.strip():
        sources["article"] = "trafilatura"
        return _without_furniture(to_markdown(_without_title(extracted, title), base)), "markdown", title
    saved = saved or read_page(html)
    sources["article"] = "line rules (podcast.pagetext)"
    return saved.article, "text", title or saved.title


def _line(value) -> str | None:
    """A fact from the page as one line of text, without the control characters a feed cannot
    carry (a page may hold them, in an attribute as `&#11;`); None when nothing is left."""
    if not isinstance(value, str):
        return None
    return clean_line(value).strip() or None


def _without_title(fragment: str, title: str | None) -> str:
    """The extracted article without a first heading that repeats the title (apps show it already)."""
    try:
        tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment
    body = tree.find(".//body")
    container = body if body is not None else tree
    first = next((child for child in container if isinstance(child.tag, str)), None)
    if (
        first is not None
        and first.tag in ("h1", "h2")
        and title
        and first.text_content().strip() == title.strip()
    ):
        container.remove(first)
    return "".join(etree.tostring(child, encoding="unicode") for child in container)


def _without_furniture(markdown: str) -> str:
    """The article without the furniture blocks an extractor may leave at its ends ("Description"
    above it, "Subscribe to … on …" below), by the line rules of podcast.pagetext."""
    blocks = markdown.strip().split("\n\n")

    def plain(block: str) -> str:
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", block)  # a link's words
        return re.sub(r"^#+\s*|[*_]", "", text).strip()

    while blocks and is_furniture(plain(blocks[0])):
        blocks.pop(0)
    while blocks and is_furniture(plain(blocks[-1])):
        blocks.pop()
    return "\n\n".join(blocks) + "\n" if blocks else ""


def read_text(text: str) -> PageEpisode:
    """A page saved as text: only the line rules apply."""
    saved = read_page(text)
    when = datetime(saved.date.year, saved.date.month, saved.date.day) if saved.date else None
    return PageEpisode(
        title=saved.title,
        date=when,
        date_only=True,
        host=saved.host,
        article=saved.article,
        article_format="text",
        audio_url=None,
        sources={"title": "line rules", "date": "line rules", "host": "line rules", "article": "line rules"},
    )


def read_episode_page(source: str, page_url: str | None) -> PageEpisode:
    return read_html(source, page_url) if looks_like_html(source) else read_text(source)
