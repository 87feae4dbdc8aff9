"""Article files → show notes, for `podcast notes`: the reading at the edge of notes.py.

A file is an episode.md (TOML front matter between +++ lines, then the article), a
bare article (.md/.markdown is Markdown; anything else is text, or HTML when it
has tags), or, with `from_page`, a saved episode page (see pagetext.py).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import audio, notes, pagetext
from .config import FRONT_MATTER_FENCE, parse_toml, split_front_matter
from .errors import AudioError, ConfigError, Problem
from .layout import SHOW_FILE
from .model import ShowNotes
from .textfiles import NotUtf8, read_utf8
from .web import urls

MARKDOWN_SUFFIXES = {".md", ".markdown"}


@dataclass(frozen=True)
class Article:
    text: str
    format: notes.Format = "text"
    title: str | None = None
    date: date | None = None
    host: str | None = None
    link: str | None = None  # the episode's own page
    show_link: str | None = None  # the show's website, linked when the episode has no page
    chapters_from: notes.ChaptersFrom = "timestamps"
    duration: float | None = None  # of the episode's audio, when chapters come from sections


def _read(path: Path) -> str:
    try:
        return read_utf8(path)
    except NotUtf8 as exc:
        bad = Problem(str(path), exc.reason, line=exc.line, hint=exc.hint)
        raise ConfigError(f"{path} cannot be read", path=str(path), line=exc.line, problems=[bad]) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})", path=str(path)) from None


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError:
        return {}  # `podcast build` reports it; a preview only misses the show's setting


def _page_link(own: Any, slug: str, show: dict[str, Any]) -> str | None:
    """The episode's page as the build chooses it: its own link, else its generated page."""
    pages = show.get("pages") if isinstance(show.get("pages"), dict) else {}
    base_url = show.get("base_url") if isinstance(show.get("base_url"), str) else None
    return urls.episode_link(
        own if isinstance(own, str) else None,
        slug=slug,
        base_url=base_url,
        pages=pages.get("enabled", True) is not False,
    )


def _episode(path: Path, source: str) -> Article:
    problems: list[Problem] = []
    parts = split_front_matter(source, str(path), problems)
    if parts is None:
        raise ConfigError(f"{path}: front matter is not readable", path=str(path), problems=problems)
    toml_text, first_line, text = parts
    data = parse_toml(toml_text, str(path), first_line, problems)
    if data is None:
        raise ConfigError(f"{path}: front matter is not valid TOML", path=str(path), problems=problems)
    show_toml = path.parent.parent.parent / SHOW_FILE
    show = _toml(show_toml) if show_toml.is_file() else {}
    chapters_from = data.get("chapters") or show.get("chapters") or "timestamps"
    duration = None
    if chapters_from == "sections" and isinstance(data.get("audio"), str):
        try:
            duration = audio.probe(path.parent / data["audio"]).duration
        except AudioError:
            duration = None  # the preview still shows everything else
    when = data.get("date")
    hosts = data.get("hosts") or []
    return Article(
        text=text,
        format="markdown" if data.get("format") == "markdown" else "text",
        title=data.get("title") if isinstance(data.get("title"), str) else None,
        date=when.date() if isinstance(when, datetime) else when if isinstance(when, date) else None,
        host=", ".join(hosts) if isinstance(hosts, list) else str(hosts),
        link=_page_link(data.get("link"), path.parent.name, show),
        show_link=show.get("link"),
        chapters_from="sections" if chapters_from == "sections" else "timestamps",
        duration=duration,
    )


def read_article(path: Path, *, from_page: bool = False) -> Article:
    """Read an episode.md, an article file or (with `from_page`) a saved episode page."""
    path = Path(path)
    source = _read(path)
    if from_page:
        page = pagetext.read_page(source)
        return Article(text=page.article, title=page.title, date=page.date, host=page.host)
    if source.lstrip().startswith(FRONT_MATTER_FENCE):
        return _episode(path, source)
    return Article(text=source, format="markdown" if path.suffix.lower() in MARKDOWN_SUFFIXES else "text")


def render(article: Article) -> ShowNotes:
    return notes.render(
        article.text,
        format=article.format,
        title=article.title,
        chapters_from=article.chapters_from,
        duration=article.duration,
        **notes.link_options(article.link, article.show_link),
    )


def preview(path: Path, *, from_page: bool = False) -> dict[str, Any]:
    """What `podcast notes --json` prints."""
    article = read_article(path, from_page=from_page)
    shown = render(article)
    return {
        "title": article.title or shown.title,
        "date": article.date.isoformat() if article.date else None,
        "host": article.host or None,
        "sections": [{"heading": s.heading, "paragraphs": list(s.paragraphs)} for s in shown.sections],
        "html": shown.html,
        "description_html": shown.description_html,
        "text": shown.text,
        "chapters": [{"start": c.start, "title": c.title} for c in shown.chapters],
    }
