"""`podcast import-page`: one episode from its web page (a URL, saved HTML or saved text).

The episode gets a new GUID, since a page carries none; importing the same page again
(matched by the page's address or the audio's) updates that episode and keeps its GUID.
The audio stays where the page has it (audio_url); its length and type come from the
page's structured data or, failing that, from the server (one HEAD request).
"""

from __future__ import annotations

import codecs
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .. import net
from ..config import FRONT_MATTER_FENCE, front_matter_data
from ..errors import ConfigError, Problem
from ..layout import EPISODE_FILE, EPISODES_DIR, SHOW_FILE, slugify
from ..schema import MAX_BYTE_COUNT
from ..tomlsyntax import toml_string
from .feedimport import ImportReport, write_unless_edited
from .page import PageEpisode, read_episode_page
from .showdir import made_from, stamped
from .source import SourceError, binary_kind, is_url, read_source

PAGE_MAX_BYTES = 10_000_000


@dataclass
class PageReport:
    slug: str
    state: str  # "written", "updated", "unchanged" or "kept"
    page: PageEpisode
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict:
        page = self.page
        return {
            "episode": f"{EPISODES_DIR}/{self.slug}/{EPISODE_FILE}",
            "state": self.state,
            "title": page.title,
            "date": page.date.isoformat() if page.date else None,
            "host": page.host,
            "audio_url": page.audio_url,
            "sources": page.sources,
            "problems": [p.to_dict() for p in self.problems],
        }


def _front(path: Path) -> dict:
    try:
        return front_matter_data(path.read_text("utf-8")) or {}
    except (OSError, UnicodeDecodeError):
        return {}


def _same_episode(root: Path, page: PageEpisode) -> tuple[str, str] | None:
    """(slug, guid) of an episode imported from this page before."""
    keys = {k for k in (page.link, page.audio_url) if k}
    for md in sorted((root / EPISODES_DIR).glob(f"*/{EPISODE_FILE}")):
        data = _front(md)
        if keys & {data.get("link"), data.get("audio_url")} and isinstance(data.get("guid"), str):
            return md.parent.name, data["guid"]
    return None


def _refuse_binary(body: bytes, shown: str) -> None:
    """Refuse what is not a page nor text (the audio's own URL, given by mistake): read as text,
    it would become an article of garbage."""
    kind = binary_kind(body)
    if kind is not None:
        raise SourceError(
            f"{shown}: is {kind}, not a web page; give the address (or a saved copy) of the "
            "episode's page, or import the show's feed with `podcast import`",
            path=shown,
        )


_CHARSET = re.compile(rb"""<meta[^>]*charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def _page_text(body: bytes) -> str:
    """The page as text: UTF-8 when it is, else the charset its <meta> declares, else Windows-1252
    (what pages that are not UTF-8 nearly always are)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(body[:8192])
    try:
        codec = codecs.lookup(declared.group(1).decode("ascii")).name if declared else "cp1252"
    except LookupError:
        codec = "cp1252"
    if codec in ("utf-8", "ascii", "latin-1", "iso8859-1"):
        codec = "cp1252"  # a page that says so but is not: Windows-1252 is Latin-1's superset
    return body.decode(codec, errors="replace")


def _from_feed(path: Path) -> bool:
    """Whether an episode.md was written by `podcast import` from a feed (its stamp says from what)."""
    try:
        return made_from(path.read_text("utf-8")) is not None
    except (OSError, UnicodeDecodeError):
        return False


def _audio_facts(page: PageEpisode, client: net.Client, problems: list[Problem], rel: str) -> tuple[int, str]:
    length, kind = page.audio_length, page.audio_type
    if (length is None or kind is None) and page.audio_url and is_url(page.audio_url):
        try:
            head = client.head(page.audio_url)
            told = head.content_length
            length = length if length is not None else told if told and told <= MAX_BYTE_COUNT else None
            kind = kind or head.content_type
        except net.NetError as exc:
            problems.append(
                Problem(
                    rel,
                    f"HEAD {page.audio_url}: {exc.reason}",
                    field="length",
                    severity="warning",
                    hint="write the audio's size in bytes as length",
                )
            )
    return length or 0, kind or "audio/mpeg"


def episode_text(
    page: PageEpisode, guid: str, length: int, kind: str, problems: list[Problem], rel: str
) -> str:
    lines = [FRONT_MATTER_FENCE, f"title = {toml_string(page.title or 'Untitled episode')}"]
    lines.append(_date_line(page, problems, rel))
    lines.append("# A new GUID: the page carries none. Never change it once published.")
    lines.append(f"guid = {toml_string(guid)}")
    lines += _audio_lines(page, length, kind, problems, rel)
    if page.host:
        lines.append(f"hosts = [{toml_string(page.host)}]")
    if page.link and is_url(page.link):
        lines.append(f"link = {toml_string(page.link)}")
    if page.image and page.image.startswith("https://"):
        lines.append(f"image = {toml_string(page.image)}")
    if page.article_format == "markdown":
        lines.append('format = "markdown"')
    lines.append(FRONT_MATTER_FENCE)
    return stamped("\n".join(lines) + "\n" + page.article, after_fence=True)


def _date_line(page: PageEpisode, problems: list[Problem], rel: str) -> str:
    """The page's date (a day, or a moment with its offset); today, with a warning, when it has none."""
    if page.date is None:
        problems.append(
            Problem(rel, "the page gives no date; today's written", field="date", severity="warning")
        )
        return f"date = {datetime.now(UTC).date().isoformat()}  # the page gave no date: set the real one"
    if page.date_only or page.date.tzinfo is None:
        return f"date = {page.date.date().isoformat()}"
    return f"date = {page.date.isoformat()}"


def _audio_lines(page: PageEpisode, length: int, kind: str, problems: list[Problem], rel: str) -> list[str]:
    """The audio the page names, as audio_url with its length and type; a draft when there is none
    this show can use."""
    if page.audio_url and not is_url(page.audio_url):
        scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", page.audio_url)
        why = (
            f"which is not a web address ({scheme.group(1)}:)"
            if scheme
            else "which is relative to an address a saved page no longer has"
        )
        problems.append(
            Problem(
                rel,
                f"the page names its audio as {page.audio_url!r}, {why}; written as a draft",
                field="audio_url",
                severity="warning",
                hint="import the page by its URL, or add audio_url, length and type yourself",
            )
        )
        return ["draft = true  # the page names no audio this show can use: add audio_url"]
    if page.audio_url:
        lines = [f"audio_url = {toml_string(page.audio_url)}", f"length = {length}"]
        lines.append(f"type = {toml_string(kind)}")
        return lines + ([f"duration = {round(page.duration)}"] if page.duration else [])
    problems.append(
        Problem(
            rel,
            "the page names no audio; written as a draft",
            field="audio",
            severity="warning",
            hint='add audio = "file.mp3" or audio_url = "https://…" with length and type',
        )
    )
    return ["draft = true  # no audio found on the page: add audio or audio_url"]


def import_page(
    source: str, into: Path, *, deadline: float = net.DEFAULT_DEADLINE, client: net.Client | None = None
) -> PageReport:
    """Add (or update) the episode on the page `source` in the show directory `into`."""
    root = Path(into).absolute()
    if not (root / SHOW_FILE).is_file():
        raise ConfigError(
            f"{into}: no {SHOW_FILE} here",
            problems=[
                Problem(
                    str(into),
                    "is not a show directory",
                    field="--into",
                    hint="give --into DIR of a show, or make one with `podcast init` or `podcast import`",
                )
            ],
        )
    owned = client is None
    client = client or net.Client(deadline=deadline, timeout=min(15.0, deadline))
    try:
        fetched = read_source(source, client, max_bytes=PAGE_MAX_BYTES, what="page")
        _refuse_binary(fetched.body, fetched.shown)
        text = _page_text(fetched.body)
        page = read_episode_page(text, fetched.url)
        problems: list[Problem] = []
        known = _same_episode(root, page)
        slug, guid = known if known else (slugify(page.title or "episode"), str(uuid.uuid4()))
        if not known:
            base, n = slug, 1
            while (root / EPISODES_DIR / slug).exists():
                n += 1
                slug = f"{base}-{n}"
        rel = f"{EPISODES_DIR}/{slug}/{EPISODE_FILE}"
        length, kind = _audio_facts(page, client, problems, rel)
    finally:
        if owned:
            client.close()
    body = episode_text(page, guid, length, kind, problems, rel)
    scratch = ImportReport(root=root)
    keep_because = None
    if known and _from_feed(root / rel):
        keep_because = (
            "came from the feed's import, which says more of the episode than its page "
            "(the audio, its duration, season and number)"
        )
    state = write_unless_edited(root, rel, body, scratch, source="the page", keep_because=keep_because)
    return PageReport(slug, state, page, problems + scratch.problems)
