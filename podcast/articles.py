"""Article files → show notes, for `podcast notes`: the reading at the edge of notes.py.

A file is one of:
- an episode of a show (episodes/<slug>/episode.md below a podcast.toml): read as the
  build reads it, the show and then the episode against it, refused with the build's own
  problems, and its notes are the build's (`pipeline.episode_notes`);
- any other file that starts with front matter (TOML between +++ lines): the front matter
  is checked by the schema's reader, as the build checks an episode's, and the notes follow
  its own settings (there is no show to take the rest from);
- a bare article (.md/.markdown is Markdown; anything else is text, or HTML when it has tags);
- with `from_page`, a saved episode page (see pagetext.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from . import audio, notes, pagetext, pipeline
from .config import FRONT_MATTER_FENCE, episode_folders, load_episode, read_front_matter, read_show
from .errors import AudioError, ConfigError, Problem, errors_in, tally
from .layout import EPISODE_FILE, EPISODES_DIR, find_show
from .model import Episode, Show, ShowNotes
from .textfiles import NotUtf8, read_utf8

MARKDOWN_SUFFIXES = {".md", ".markdown"}


@dataclass(frozen=True)
class Article:
    """What `podcast notes` shows: the notes, and what is known of the episode they belong to."""

    notes: ShowNotes
    title: str | None = None
    date: date | None = None
    host: str | None = None
    link: str | None = None  # the episode's page, which the description links to


def _read(path: Path) -> str:
    try:
        return read_utf8(path)
    except NotUtf8 as exc:
        bad = Problem(str(path), exc.reason, line=exc.line, hint=exc.hint)
        raise ConfigError(f"{path} cannot be read", path=str(path), line=exc.line, problems=[bad]) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})", path=str(path)) from None


def show_episode(path: Path) -> tuple[Show, Episode] | None:
    """The show and the episode when `path` is one of a show's episode.md files, read and
    checked as `podcast build` reads them; None for any other file.

    Raises ConfigError with every problem the build would report about the show and this
    episode, when one of them is an error.
    """
    path = Path(path)
    if path.name != EPISODE_FILE:
        return None
    try:
        root = find_show(path.parent)
    except ConfigError:
        return None  # not in a show
    folder = path.parent.resolve()
    if folder not in episode_folders(root):
        return None
    show, problems = read_show(root)
    episode = load_episode(show, folder, problems)
    if episode is None or errors_in(problems):
        rel = f"{EPISODES_DIR}/{folder.name}/{EPISODE_FILE}"
        raise ConfigError(
            f"cannot preview {rel}: {tally(problems)}; `podcast build` stops on them too",
            path=rel,
            problems=problems,
        )
    return show, pipeline.with_page_link(show, _with_audio_facts(show, episode))


def _with_audio_facts(show: Show, episode: Episode) -> Episode:
    """The episode with its audio's duration, when its chapters come from the notes' sections."""
    if episode.audio is None and episode.remote_audio is not None:
        return dataclasses.replace(episode, info=episode.remote_audio.info)
    if episode.audio is None or (episode.chapters_from or show.chapters_from) != "sections":
        return episode
    try:
        return dataclasses.replace(episode, info=audio.probe(episode.audio))
    except AudioError:
        return episode  # the preview still shows everything else; `podcast build` names the audio


def _front_matter_article(path: Path, source: str) -> Article:
    """A file with front matter outside a show's episodes: checked by the schema's reader."""
    problems: list[Problem] = []
    front = read_front_matter(source, str(path), problems)
    if front is None:
        message = f"{path}: the front matter (TOML between +++ lines) cannot be read"
        raise ConfigError(message, path=str(path), problems=problems)
    if errors_in(problems):
        raise ConfigError(f"{path}: {tally(problems)} in its front matter", path=str(path), problems=problems)
    values = front.values
    chapters_from = values.get("chapters", "timestamps")
    duration = None
    if chapters_from == "sections" and "audio" in values:
        try:
            duration = audio.probe(path.parent / values["audio"]).duration
        except AudioError:
            duration = None  # the preview still shows everything else
    shown = notes.render(
        front.article.strip("\n"),
        format=values.get("format", "text"),
        title=values["title"],
        chapters_from=chapters_from,
        duration=duration,
        **notes.link_options(values.get("link"), None),
    )
    host = ", ".join(values.get("hosts", ())) or None
    return Article(shown, values["title"], values["date"].date(), host, values.get("link"))


def read_article(path: Path, *, from_page: bool = False) -> Article:
    """Read an episode.md, an article file or (with `from_page`) a saved episode page."""
    path = Path(path)
    found = None if from_page else show_episode(path)
    if found is not None:
        show, episode = found
        host = ", ".join(episode.hosts) or None
        shown = pipeline.episode_notes(show, episode)
        return Article(shown, episode.title, episode.date.date(), host, episode.link)
    source = _read(path)
    if from_page:
        page = pagetext.read_page(source)
        shown = notes.render(page.article, title=page.title)
        return Article(shown, title=page.title, date=page.date, host=page.host)
    if source.lstrip().startswith(FRONT_MATTER_FENCE):
        return _front_matter_article(path, source)
    article_format = "markdown" if path.suffix.lower() in MARKDOWN_SUFFIXES else "text"
    return Article(notes.render(source, format=article_format))


def preview(path: Path, *, from_page: bool = False) -> dict[str, Any]:
    """What `podcast notes --json` prints."""
    article = read_article(path, from_page=from_page)
    shown = article.notes
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
