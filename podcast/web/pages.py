"""Model → HTML pages with Jinja2: the show's home page and one page per episode.

`render(show, episodes)` is pure in the way feed.render is: the same show, episodes and
templates give the same bytes (no clock, no random ids), so a committed feeds/ can be
checked against a fresh build. Templates ship inside the package; a file of the same
name in the show's `templates/` folder replaces one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .. import feed
from ..clock import player as clock
from ..errors import PageError
from ..files import OutsideShow, confined
from ..model import Chapter, Episode, Show
from . import transcript, urls

TEMPLATES_DIR = "templates"  # in the show directory: templates that replace the package's
TEMPLATE_MAX_BYTES = 1_000_000
GENERATOR = "podcast"  # <meta name="generator">: marks pages the build may replace or remove
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
SLEEP_MINUTES = (5, 10, 15, 30, 45, 60, 120)
SKIP_BACK, SKIP_FORWARD = 15, 30  # seconds
SUMMARY_WORDS = 40


class ShowTemplates(jinja2.BaseLoader):
    """Templates from the show's templates/ folder, confined to the show directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        # No `..`: an include names a template beside it, never another file of the show.
        rel = "/".join([TEMPLATES_DIR, *jinja2.loaders.split_template_path(template)])
        path = self.root / rel
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        try:
            path = confined(self.root, path, rel)
            if path.stat().st_size > TEMPLATE_MAX_BYTES:
                raise PageError(
                    f"{rel}: larger than {TEMPLATE_MAX_BYTES:,} bytes; is it a template?", path=rel
                )
            source = path.read_text("utf-8")
        except UnicodeDecodeError:
            raise PageError(f"{rel}: is not UTF-8 text; save it as UTF-8", path=rel) from None
        except OutsideShow as exc:
            raise PageError(str(exc), path=rel) from None
        mtime = path.stat().st_mtime
        return source, rel, lambda: path.is_file() and path.stat().st_mtime == mtime


class PageSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, and no file paths: `show.root` is a Path, whose methods read and write files."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, PurePath) or isinstance(value, PurePath):
            return False
        return super().is_safe_attribute(obj, attr, value)


def environment(root: Path) -> jinja2.Environment:
    # Sandboxed: a template that came with a show directory cannot reach Python beyond its data.
    env = PageSandbox(
        loader=jinja2.ChoiceLoader([ShowTemplates(root), jinja2.PackageLoader("podcast.web", "templates")]),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clock"] = clock
    return env


def _summary(text: str) -> str:
    words = text.split()
    return " ".join(words[:SUMMARY_WORDS]) + (" …" if len(words) > SUMMARY_WORDS else "")


@dataclass(frozen=True)
class EpisodeView:
    """What a template knows about an episode."""

    slug: str
    guid: str
    title: str
    date: str  # YYYY-MM-DD, in the show's time zone
    hosts: tuple[str, ...]
    page: str  # relative to the site's root: episodes/<slug>/
    url: str  # absolute
    audio_url: str | None
    audio_type: str | None
    audio_size: int | None
    duration: float | None
    image_url: str | None
    notes_html: str
    summary: str
    chapters: tuple[Chapter, ...]
    transcript: transcript.PageTranscript | None
    transcript_url: str | None  # the published file
    language: str | None  # when it is not the show's
    season: int | None
    number: int | None


def episode_view(show: Show, episode: Episode) -> EpisodeView:
    info = episode.info
    notes = episode.notes
    text = notes.text if notes is not None else ""
    return EpisodeView(
        slug=episode.slug,
        guid=episode.guid,
        title=episode.title,
        date=episode.date.date().isoformat(),
        hosts=episode.hosts,
        page=urls.episode_page_path(episode.slug),
        url=show.url_for(urls.episode_page_path(episode.slug)),
        audio_url=feed.enclosure_url(show, episode) if info is not None else None,
        audio_type=info.mime if info is not None else None,
        audio_size=info.size if info is not None else None,
        duration=info.duration if info is not None else None,
        image_url=feed.image_url(show, episode) or show.artwork_url,
        notes_html=notes.html if notes is not None else "",
        summary=_summary(text),
        chapters=episode.chapters,
        transcript=transcript.for_page(episode.transcripts),
        transcript_url=show.url_for(quote(episode.transcripts[0].publish_path))
        if episode.transcripts
        else None,
        language=episode.language if episode.language and episode.language != show.language else None,
        season=episode.season,
        number=episode.number,
    )


def _show_template_line(exc: BaseException) -> tuple[str, int] | None:
    """The show's own template (templates/…) and line an error came from: the innermost such
    frame of the traceback, which Jinja rewrites to name templates and their lines."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(TEMPLATES_DIR + "/"):
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> bytes:
    try:
        return env.get_template(name).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise PageError(
            f"{where}: template error: {exc.message}", path=exc.filename, line=exc.lineno
        ) from None
    except (jinja2.TemplateError, RecursionError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        # A show's template that fails as it renders (an undefined name, 1/0, a template that
        # includes itself) is the show's to fix: name it and the line. In our own, it is our bug.
        where = _show_template_line(exc)
        if where is None and not isinstance(exc, jinja2.TemplateError):
            raise
        if isinstance(exc, RecursionError):
            shown = "it includes itself, or templates include each other, without end"
        elif isinstance(exc, jinja2.TemplateNotFound):
            shown = f"no template named {exc.name!r}, in {TEMPLATES_DIR}/ or among the package's"
        else:
            shown = str(exc) or type(exc).__name__
        if where is None:
            raise PageError(
                f"{TEMPLATES_DIR}/{name} (or a template it uses): cannot render: {shown}", path=name
            ) from None
        rel, line = where
        raise PageError(f"{rel}:{line}: cannot render: {shown}", path=rel, line=line) from None


def render(show: Show, episodes: Sequence[Episode]) -> dict[str, bytes]:
    """Every page of the show: {path under feeds/: HTML bytes}. Raises PageError."""
    env = environment(show.root)
    ordered = [episode_view(show, e) for e in feed.newest_first(episodes)]
    common = {
        "show": show,
        "feed_url": show.feed_url,
        "subscribe": show.pages.subscribe,
        "generator": GENERATOR,
        "speeds": SPEEDS,
        "sleep_minutes": SLEEP_MINUTES,
        "skip_back": SKIP_BACK,
        "skip_forward": SKIP_FORWARD,
    }
    pages: dict[str, bytes] = {}
    chunks = [ordered[i : i + urls.PER_PAGE] for i in range(0, len(ordered), urls.PER_PAGE)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        here = urls.list_page_path(number)
        root = "../" * here.count("/")
        pages[here + urls.INDEX_PAGE] = _render(
            env,
            "index.html",
            {
                **common,
                "root": root,
                "url": show.url_for(here),
                "episodes": chunk,
                "page_number": number,
                "page_count": len(chunks),
                "newer": root + urls.list_page_path(number - 1) if number > 1 else None,
                "older": root + urls.list_page_path(number + 1) if number < len(chunks) else None,
            },
        )
    for view in ordered:
        pages[view.page + urls.INDEX_PAGE] = _render(
            env, "episode.html", {**common, "root": "../../", "url": view.url, "episode": view}
        )
    return pages
