"""Model → HTML pages with Jinja2: the show's home page and one page per episode.

`render(show, episodes)` is pure in the way feed.render is: the same show, episodes and
templates give the same bytes (no clock, no random ids), so a committed feeds/ can be
checked against a fresh build. Templates ship inside the package; a file of the same
name in the show's `templates/` folder replaces one.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import operator
import os
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from types import CodeType
from typing import Any, NamedTuple
from urllib.parse import quote

import jinja2
import jinja2.meta
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from .. import feed, versions
from ..clock import player as clock
from ..errors import PageError
from ..files import OutsideShow, confined
from ..model import Chapter, Episode, Show
from . import shared, transcript, urls

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


def _options() -> dict[str, Any]:
    return {
        "autoescape": jinja2.select_autoescape(["html"]),
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
        "auto_reload": False,  # an environment lasts one build: no stat of every template per page
        "cache_size": -1,  # a plain dict of the few templates: no LRU bookkeeping per include
        "extensions": [shared.SharedParts],
    }


def environment(root: Path) -> jinja2.Environment:
    """For pages that use a template of the show's: sandboxed, since a template that came with a
    show directory must not reach Python beyond its data."""
    env = PageSandbox(
        loader=jinja2.ChoiceLoader([ShowTemplates(root), jinja2.PackageLoader("podcast.web", "templates")]),
        **_options(),
    )
    env.filters["clock"] = clock
    return env


try:  # markupsafe's escaping of a str (in C), without the Markup escape() wraps it in
    from markupsafe import _escape_inner as _escaped_str
except ImportError:  # (a markupsafe without it: its public escape, the long way)

    def _escaped_str(text: str, /) -> str:
        return str(escape(text))


def escape_text(value: Any, /) -> str:
    """What markupsafe.escape makes of `value`, as the text a page's `{{ … }}` writes: a str
    escaped as a plain str, markup as it is, anything else as escape() has it. A value written
    into a page is only ever joined to the rest of it (a `{% set %}` block, a macro, a filter
    block make Markup of what they join), so its being a plain str changes no byte; it spares
    two Python calls of escape() and Markup() on each of the ~40 values an episode page writes."""
    kind = type(value)
    if kind is str:
        return _escaped_str(value)
    if kind is Markup:
        return value
    return escape(value)


class PackagedTemplate(jinja2.Template):
    """A template of the package's, compiled once a process: what its `{{ … }}` write goes
    through escape_text, and its globals are a plain dict. Only PackagedEnvironment makes
    these; a show's templates (and pages that use one) render the long way, which
    tests/test_web_pages.py checks these against."""

    @classmethod
    def from_code(
        cls,
        environment: jinja2.Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> jinja2.Template:
        # Its globals flattened (Jinja's are a ChainMap over the environment's, read in Python
        # by the two copies each page's context makes): ours are set before any template loads.
        template = super().from_code(environment, code, dict(globals), uptodate)
        # Every function of the compiled module (root, blocks) reads `escape` from this namespace.
        template.root_render_func.__globals__["escape"] = escape_text
        return template


class PackagedEnvironment(jinja2.Environment):
    """Where the package's own templates render (PackagedTemplate), each found by its name
    alone once loaded: a page asks for three (its own, the one it extends, the player it
    includes), and Jinja's lookup of one costs four Python calls and a weak reference."""

    template_class = PackagedTemplate

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self._loaded: dict[str, jinja2.Template] = {}

    def get_template(
        self,
        name: str | jinja2.Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        if globals is None and type(name) is str:
            template = self._loaded.get(name)
            if template is None:
                template = self._loaded[name] = super().get_template(name, parent)
            return template
        return super().get_template(name, parent, globals)


@functools.cache
def trusted_environment() -> jinja2.Environment:
    """For pages made of the package's own templates only: no sandbox, whose check of every
    attribute a template reads costs more than the rest of the rendering."""
    env = PackagedEnvironment(loader=jinja2.PackageLoader("podcast.web", "templates"), **_options())
    env.filters["clock"] = clock
    return env


# Words one space apart, nothing before or after: a text whose words are its own summary's.
_ONE_SPACE_APART = re.compile(r"\S+(?: \S+)*")


def _summary(text: str) -> str:
    # A text that is its own summary comes back as it is: most do, since a build keeps of each
    # episode's text its summary (summary_source), and seeing so costs a third of splitting it
    # into 41 strings to join them again. (As many words as a summary shows, or one more, " …".)
    spaces = text.count(" ")
    if (spaces < SUMMARY_WORDS or (spaces == SUMMARY_WORDS and text.endswith(" …"))) and (
        _ONE_SPACE_APART.fullmatch(text)
    ):
        return text
    words = text.split(maxsplit=SUMMARY_WORDS)  # the last item, when there is one past them, is the rest
    return " ".join(words[:SUMMARY_WORDS]) + (" …" if len(words) > SUMMARY_WORDS else "")


def summary_source(text: str) -> str:
    """As much of an episode's plain-text notes as its pages show: what a build keeps of the text
    once its item is made. It is the summary itself, which the summary made from it is too."""
    return _summary(text)


@dataclass(slots=True)
class EpisodeView:
    """What a template knows about an episode. (Not frozen, which no template could change
    anyway: a frozen dataclass sets each of its 20 fields through object.__setattr__, 1.8 µs a
    view against 0.2.)"""

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
    """What a template knows about an episode, its transcript read. (page_key digests what
    this reads of the episode: a field added here goes there too.)"""
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


class ListedView:
    """What the package's list page shows of an episode (title, date, duration, hosts, summary,
    its page), each as its EpisodeView has it, made when the page first reads one of them (a row
    the build kept, web/keptrows.py, reads none); any other field is the view's, made when asked."""

    def __init__(self, episode: Episode, full: Callable[[], EpisodeView]) -> None:
        self._episode = episode
        self._full = full

    def _row(self) -> dict[str, Any]:
        episode = self._episode
        info = episode.info
        notes = episode.notes
        return {
            "slug": episode.slug,
            "title": episode.title,
            "date": episode.date.date().isoformat(),
            "hosts": episode.hosts,
            "page": urls.episode_page_path(episode.slug),
            "duration": info.duration if info is not None else None,
            "summary": _summary(notes.text if notes is not None else ""),
        }

    def __getattr__(self, name: str) -> Any:  # a field not made yet: all of the row's at once
        if name.startswith("_"):
            raise AttributeError(name)
        if name in _ROW_FIELDS:
            self.__dict__.update(self._row())
            return self.__dict__[name]
        return getattr(self._full(), name)


_ROW_FIELDS = frozenset(("slug", "title", "date", "hosts", "page", "duration", "summary"))


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
        template = env.get_template(name)
        try:
            # Template.render less its copy of the context, and each piece encoded alone rather
            # than the page joined: most pieces are ASCII, whose UTF-8 is a copy, and a single
            # character past Latin-1 anywhere makes the encoder of the joined page step through
            # every character (16 KB: 17 µs, against 6 µs a piece at a time).
            return b"".join(map(str.encode, template.root_render_func(template.new_context(context))))
        except Exception:
            env.handle_exception()  # as Template.render does: the traceback names template lines
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


PAGE_TEMPLATES = ("index.html", "episode.html")  # the templates a page starts from


def show_templates(root: Path) -> dict[str, tuple[int, ...]]:
    """The show's own templates (name → size, times, inode): which packaged ones they replace,
    and, for the pages' digests, whether they changed. Only listed here; the loader reads them."""
    folder = Path(root) / TEMPLATES_DIR
    found: dict[str, tuple[int, ...]] = {}
    for parent, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(parent) / name
            try:
                stat = path.stat()  # as the loader reads it: through a link, the file it leads to
            except OSError:
                continue
            rel = path.relative_to(folder).as_posix()
            found[rel] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    return found


@functools.cache
def _package_uses(name: str) -> frozenset[str] | None:
    """Every packaged template `name` extends or includes, itself too; None when one is named
    by an expression (then any template could be used)."""
    env = trusted_environment()
    assert env.loader is not None
    used, todo = {name}, [name]
    while todo:
        source = env.loader.get_source(env, todo.pop())[0]
        for other in jinja2.meta.find_referenced_templates(env.parse(source)):
            if other is None:
                return None
            if other not in used:
                used.add(other)
                todo.append(other)
    return frozenset(used)


@functools.cache
def _code_key() -> bytes:
    """The code that makes pages and what it reads (the package's modules and templates, the
    libraries that render and sanitise): another podcast, or another Jinja2, renders every page."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent.parent
    for path in sorted([*package.rglob("*.py"), *(package / "web" / "templates").iterdir()]):
        digest.update(f"{path.relative_to(package)}\0".encode() + path.read_bytes() + b"\0")
    for library, version in versions.versions(("jinja2", "markupsafe", "nh3", "webvtt-py", "srt")).items():
        digest.update(f"{library} {version or '?'}\0".encode())
    return digest.digest()


_chapter_values = operator.attrgetter(*(f.name for f in dataclasses.fields(Chapter)))


def page_key(episode: Episode) -> bytes:
    """A digest of everything of `episode` its page and its line on the episode list show, given
    the show (which every page's digest covers apart): the fields its view is made of, its notes,
    its chapters with their images, and its transcript, by the file's stat (reading it is left
    to a page that renders).

    Made from the episode's own fields, not from its view, so that planning 10,000 pages does
    not build 10,000 views; tests/test_web_pages.py checks that each field of the view moves it.
    A build keeps it in each episode's record (pipeline), and plans with the kept ones.
    """
    info = episode.info
    notes = episode.notes
    remote = episode.remote_audio
    transcripts = episode.transcripts
    values = (
        episode.slug,
        episode.guid,
        episode.title,
        episode.date.isoformat(),  # a third of its repr's cost
        episode.hosts,
        episode.audio.name if episode.audio is not None else None,
        remote.url if remote is not None else None,
        (info.mime, info.size, info.duration) if info is not None else None,
        episode.image,
        episode.language,
        episode.season,
        episode.number,
        [_chapter_values(chapter) for chapter in episode.chapters],  # plain tuples: a cheaper repr
        (transcripts[0].publish_path, _file_stat(transcripts[0].path)) if transcripts else None,
    )
    # SHA-256: with the processor's SHA instructions, twice as fast as BLAKE2 over the notes.
    if notes is None:
        digest = hashlib.sha256(repr(values).encode())
    else:  # the text too: the summary comes from it
        digest = hashlib.sha256(b"\0".join((repr(values).encode(), notes.html.encode(), notes.text.encode())))
    for chapter in episode.chapters:
        if chapter.picture is not None:  # which a Picture's repr leaves out
            digest.update(chapter.picture.data)
    return digest.digest()[:16]


def _file_stat(path: Path) -> tuple[int, ...] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


class PlannedPage(NamedTuple):
    """A page of the show: where it goes, a digest of everything it shows, and how to make it."""

    path: str  # under feeds/
    digest: str  # hex; equal digests make equal pages
    make: Callable[[], bytes]  # renders it; raises PageError
    packaged: bool = True  # made of the package's templates only: no show template can fail in it


@dataclass(frozen=True)
class _PageTemplate:
    """A page template as one show's pages use it: the environment it renders in, and the
    digest its pages start from."""

    name: str  # one of PAGE_TEMPLATES
    env: jinja2.Environment
    base: hashlib.blake2b  # over the code, the name, the show (and the show's templates)
    packaged: bool  # see PlannedPage.packaged
    parts: dict[tuple[Any, ...], str] | None  # the {% shared %} parts its pages reuse; None: render each time

    @functools.cached_property
    def base_hex(self) -> str:
        return self.base.hexdigest()

    def digest(self, *parts: bytes) -> str:
        page = self.base.copy()
        for part in parts:
            page.update(part)
        return page.hexdigest()

    def render(self, context: dict[str, Any]) -> bytes:
        if self.parts is not None:
            context[shared.STORE] = self.parts
        return _render(self.env, self.name, context)


def _packaged_episode_page_reads(show: Show) -> tuple[Any, ...]:
    """What the packaged episode page reads of the show (its templates, and the view through
    url_for, measured, artwork_url): a setting no episode page shows (the description, the
    categories, the owner) then leaves 10,000 of them alone. tests/test_web_pages.py checks
    that a change to any setting that changes such a page moves this."""
    return (
        show.language,
        show.title,
        show.artwork_url,
        show.base_url,
        show.copyright,
        show.link,
        show.pages.subscribe,
        show.enclosure_prefix,
    )


def _page_templates(show: Show) -> dict[str, _PageTemplate]:
    """Each of PAGE_TEMPLATES as `show` uses it, by name."""
    overrides = show_templates(show.root)
    # A page made of packaged templates only renders outside the sandbox, and the show's own
    # templates are no part of its digest.
    sandbox = environment(show.root) if overrides else None
    templates = {}
    for name in PAGE_TEMPLATES:
        if sandbox is None:
            trusted = True
        else:
            uses = _package_uses(name)
            trusted = uses is not None and not uses & overrides.keys()
        base = hashlib.blake2b(_code_key() + name.encode(), digest_size=16)
        # A show's template may read anything of the show; the packaged episode page, little.
        reads = _packaged_episode_page_reads(show) if trusted and name == "episode.html" else show
        base.update(repr(reads).encode())
        if not trusted:
            base.update(repr(sorted(overrides.items())).encode())
        env = trusted_environment() if trusted or sandbox is None else sandbox
        templates[name] = _PageTemplate(name, env, base, trusted, {} if trusted else None)
    return templates


class _Pages:
    """What the pages of one plan share: the templates, the episodes newest first with their
    digest keys, their views once made, and the context every template gets."""

    def __init__(
        self, show: Show, episodes: Sequence[Episode], keys: Mapping[str, bytes] | None = None
    ) -> None:
        self.show = show
        self.templates = _page_templates(show)
        self.ordered = feed.newest_first(episodes)
        known = keys or {}
        self.keys = [known.get(e.slug) or page_key(e) for e in self.ordered]
        self._views: dict[int, EpisodeView] = {}
        self.common = {
            "show": show,
            "feed_url": show.feed_url,
            "subscribe": show.pages.subscribe,
            "generator": GENERATOR,
            "speeds": SPEEDS,
            "sleep_minutes": SLEEP_MINUTES,
            "skip_back": SKIP_BACK,
            "skip_forward": SKIP_FORWARD,
        }

    def view(self, index: int) -> EpisodeView:
        """The whole view of the episode at `index`: made, its transcript read, only when a page
        showing it renders."""
        view = self._views.get(index)
        if view is None:
            view = self._views[index] = episode_view(self.show, self.ordered[index])
        return view

    def listed(self, index: int) -> EpisodeView | ListedView:
        """The episode at `index` as a page of the list sees it: for the package's list page,
        what it shows made alone (a list of 10,000 reads no transcript); a show's own list page
        may read anything of the view."""
        view = self._views.get(index)
        if view is not None or not self.templates["index.html"].packaged:
            return self.view(index)
        return ListedView(self.ordered[index], functools.partial(self.view, index))

    def list_pages(self) -> list[PlannedPage]:
        """The pages of the episode list."""
        template = self.templates["index.html"]
        count = max(1, -(-len(self.ordered) // urls.PER_PAGE))
        listed = []
        for number in range(1, count + 1):
            first = (number - 1) * urls.PER_PAGE
            chunk = range(first, min(first + urls.PER_PAGE, len(self.ordered)))
            place = f"{number} {count}".encode()
            digest = template.digest(place, *(self.keys[i] for i in chunk))
            path = urls.list_page_path(number) + urls.INDEX_PAGE
            make = functools.partial(self._list_page, number, count, chunk)
            listed.append(PlannedPage(path, digest, make, template.packaged))
        return listed

    def _list_page(self, number: int, count: int, chunk: range) -> bytes:
        here = urls.list_page_path(number)
        root = "../" * here.count("/")
        context = {
            **self.common,
            "root": root,
            "url": self.show.url_for(here),
            "episodes": [self.listed(i) for i in chunk],
            "episode_keys": [self.keys[i] for i in chunk],  # the key of each one's row (kept parts)
            "page_number": number,
            "page_count": count,
            "newer": root + urls.list_page_path(number - 1) if number > 1 else None,
            "older": root + urls.list_page_path(number + 1) if number < count else None,
        }
        return self.templates["index.html"].render(context)

    def episode_digests(self) -> dict[str, str]:
        """Each episode's page (newest first): its path, and its digest. The digest is the
        template's (base_hex) and the episode's page key side by side, not hashed again: a plan
        of 10,000 pages then costs no hashing at all (a hash of the two says no more)."""
        base = self.templates["episode.html"].base_hex
        page, index = urls.episode_page_path, urls.INDEX_PAGE
        return {
            page(episode.slug) + index: base + key.hex()
            for episode, key in zip(self.ordered, self.keys, strict=True)
        }

    def episode_pages(self) -> list[PlannedPage]:
        """The page of each episode, newest first."""
        return [
            self.episode_page(index, path, digest)
            for index, (path, digest) in enumerate(self.episode_digests().items())
        ]

    def episode_page(self, index: int, path: str, digest: str) -> PlannedPage:
        """The page of the episode at `index` (newest first), at `path`, with `digest`."""
        make = functools.partial(self._episode_page, index)
        return PlannedPage(path, digest, make, self.templates["episode.html"].packaged)

    def _episode_page(self, index: int) -> bytes:
        # Taken, not kept: an episode's page is rendered once, and 10,000 views held (their
        # notes' HTML) only cost memory.
        view = self._views.pop(index, None) or episode_view(self.show, self.ordered[index])
        context = {**self.common, "root": "../../", "url": view.url, "episode": view}
        return self.templates["episode.html"].render(context)


class ListRows(NamedTuple):
    """Where the package's list pages keep their rows in one plan (its list template's shared
    parts), and the code they are rendered with: rows kept under the same code are the same
    rows (web/keptrows.py)."""

    store: dict[tuple[Any, ...], Any]
    code: str
    listed: set[bytes]  # the page key of every episode listed


class SitePlan:
    """Every page of a show, planned: each one's path and digest (a page's digest says whether
    it must be rendered), and a page to render made only when asked for (`pages`): a build that
    finds 10,000 pages current makes no object for any of them."""

    def __init__(
        self, show: Show, episodes: Sequence[Episode], keys: Mapping[str, bytes] | None = None
    ) -> None:
        self._pages = _Pages(show, episodes, keys)
        self._listed = {page.path: page for page in self._pages.list_pages()}
        self._episodes = self._pages.episode_digests()
        self.digests: dict[str, str] = {path: page.digest for path, page in self._listed.items()}
        self.digests.update(self._episodes)

    @property
    def list_paths(self) -> set[str]:
        """The list pages' paths."""
        return set(self._listed)

    def list_rows(self) -> ListRows | None:
        """Where the list pages keep their rows; None when they use a show's own template (which
        may read anything into a row, and renders each time)."""
        template = self._pages.templates["index.html"]
        if template.parts is None:
            return None
        code = hashlib.blake2b(_code_key() + b"index.html rows", digest_size=16).hexdigest()
        return ListRows(template.parts, code, set(self._pages.keys))

    def pages(self, paths: Iterable[str]) -> list[PlannedPage]:
        """The pages at `paths` (of `digests`), to render."""
        wanted = set(paths)
        found = [page for path, page in self._listed.items() if path in wanted]
        for index, (path, digest) in enumerate(self._episodes.items()):
            if path in wanted:
                found.append(self._pages.episode_page(index, path, digest))
        return found


def plan(
    show: Show, episodes: Sequence[Episode], keys: Mapping[str, bytes] | None = None
) -> list[PlannedPage]:
    """Every page of the show, not yet rendered: a page's digest says whether it must be.

    The digest covers what a template can read (the show, each episode's page_key, a list
    page's place), the templates (the package's code and templates, the show's own by their
    stat), so it costs a fraction of a render. `keys` holds page keys made already (by slug,
    each page_key of that very episode), as a build's records keep them.
    """
    pages = _Pages(show, episodes, keys)
    return pages.list_pages() + pages.episode_pages()


def render(show: Show, episodes: Sequence[Episode]) -> dict[str, bytes]:
    """Every page of the show: {path under feeds/: HTML bytes}. Raises PageError."""
    return {page.path: page.make() for page in plan(show, episodes)}
