"""`podcast import`: a feed → a show directory, keeping every GUID.

Read everything first (fetch, parse, read the channel and every item) and refuse a
hostile or broken feed before a single byte is written. Then write podcast.toml and
each episode folder, sidecars before episode.md, every file atomically, so an
import killed midway leaves folders that the next run fills in. A re-import matches
episodes by guid: new ones are added, changed ones updated, unchanged ones left;
a file edited by hand since the last import is kept, and the import says so.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import net
from ..config import episode_folders
from ..errors import ConfigError, PodcastError, Problem
from ..files import confined, write_atomic, write_problem
from ..layout import (
    ARTWORK_STEM,
    CHAPTERS_FILE,
    EPISODE_FILE,
    EPISODES_DIR,
    FEEDS_DIR,
    GITIGNORE,
    SHOW_FILE,
    STATE_DIR,
)
from . import downloads, showdir
from .markdown import to_markdown
from .reader import FeedItem, FeedShow, Notes, read_items, read_show
from .source import binary_kind, is_url, read_source
from .xmlparse import NotAFeed, parse


class ShowDirError(PodcastError, OSError):
    """The show directory to import into cannot be one (a file), cannot be written, or holds another show."""


SIDE_COPIES = f"{STATE_DIR}/import"  # the feed's version of a file the producer edited
RENDERING = 2  # raise it when episode.md is written differently: a re-import then renders every item


@dataclass
class ImportReport:
    root: Path
    show_file: str = ""  # "written", "updated", "unchanged" or "kept"
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by hand: not overwritten
    downloaded: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # what the feed got wrong, read anyway
    problems: list[Problem] = field(default_factory=list)
    moved_to: str | None = None

    def to_dict(self) -> dict:
        return {
            "directory": str(self.root),
            "podcast.toml": self.show_file,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept": self.kept,
            "downloaded": self.downloaded,
            "recovered": self.recovered,
            "moved_to": self.moved_to,
            "problems": [p.to_dict() for p in self.problems],
        }


def _base_url(show: FeedShow, url: str | None, given: str | None) -> str:
    if given:
        return given.rstrip("/") + "/"
    for candidate in (show.self_url, url):
        if candidate and is_url(candidate):
            return candidate.rsplit("/", 1)[0] + "/"
    raise ConfigError(
        "cannot tell where the show will be published",
        problems=[
            Problem(
                "command line",
                "the feed has no self link and SOURCE is a file",
                field="--base-url",
                hint="give --base-url https://…/ (where the contents of feeds/ will be served)",
            )
        ],
    )


def write_unless_edited(
    root: Path,
    rel: str,
    text: str,
    report: ImportReport,
    *,
    durable: bool = True,
    source: str = "the feed",
    keep_because: str | None = None,
) -> str:
    """Write an import's file unless the producer edited it: "written", "updated", "unchanged", "kept".

    `source` names where the new text came from, for the message; `keep_because`, when given,
    keeps an existing file even if no hand touched it, for that reason.
    """
    target = confined(root, root / rel, rel)
    try:
        current = target.read_text("utf-8")
    except FileNotFoundError:
        write_atomic(target, text.encode("utf-8"), durable=durable)
        return "written"
    except (OSError, UnicodeDecodeError):
        current = None
    if current == text:
        return "unchanged"
    if keep_because is None and current is not None and showdir.untouched(current):
        write_atomic(target, text.encode("utf-8"), durable=durable)
        return "updated"
    copy = f"{SIDE_COPIES}/{rel.replace('/', '__')}"
    write_atomic(confined(root, root / copy, copy), text.encode("utf-8"))
    if keep_because is None:
        stamped_before = current is not None and showdir.made_by_import(current)
        keep_because = (
            "edited since the last import"
            if stamped_before
            else "was not written by an import (or its stamp line was removed)"
        )
    report.problems.append(
        Problem(
            rel,
            f"{keep_because}; kept as it is",
            severity="warning",
            hint=f"{source}'s version is in {copy}; merge what you want from it",
        )
    )
    return "kept"


def _episode_sidecars(
    client: net.Client, item: FeedItem, root: Path, folder: str, report: ImportReport
) -> None:
    reasons = []
    if item.chapters_url and not (root / folder / CHAPTERS_FILE).exists():
        reasons.append(downloads.chapters_file(client, item.chapters_url, root, folder))
    taken: dict[str, str] = {}  # file name → the transcript that has it
    for transcript in item.transcripts:
        name = downloads.transcript_name(transcript.type)
        if name in taken:
            said = (
                f"transcript {transcript.url} ({transcript.language or 'no language given'}) left out: "
                f"an episode keeps one transcript per format, and {name} is {taken[name]}"
            )
            report.problems.append(Problem(folder, said, severity="warning"))
            continue
        if name:
            taken[name] = transcript.url
        reasons.append(downloads.transcript_file(client, transcript.url, transcript.type, root, folder))
    for reason in filter(None, reasons):
        report.problems.append(
            Problem(folder, reason, severity="warning", hint="run the import again, or add the file yourself")
        )


def _artwork(client: net.Client, show: FeedShow, root: Path, report: ImportReport) -> str | None:
    """The show's artwork as a file in the show directory (downloaded once), else its URL."""
    if not show.artwork or not is_url(show.artwork):
        return show.artwork
    existing = [name for name in (f"{ARTWORK_STEM}.jpg", f"{ARTWORK_STEM}.png") if (root / name).is_file()]
    if existing:
        return existing[0]
    written, why = downloads.artwork(client, show.artwork, root)
    if why:
        report.problems.append(Problem(SHOW_FILE, why, field="artwork", severity="warning"))
    return written or show.artwork


def _show_file(root: Path) -> dict:
    """What podcast.toml in `root` says, as far as it can be read (nothing when it cannot)."""
    try:
        data = tomllib.loads((root / SHOW_FILE).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return data


def _recorded(data: dict, key: str, table: str | None = None) -> str | None:
    holder = data.get(table) if table else data
    value = holder.get(key) if isinstance(holder, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def _refuse_inside_a_show(root: Path, into: Path) -> None:
    """Refuse a folder inside another show's episodes/ or feeds/: a show written there would
    become a broken episode of that show (or be published with its feed)."""
    resolved = root.resolve()
    for folder in (resolved, *resolved.parents):
        if folder.name in (EPISODES_DIR, FEEDS_DIR) and (folder.parent / SHOW_FILE).is_file():
            raise ShowDirError(
                f"{into}: is inside {folder.name}/ of the show at {folder.parent}; nothing was written. "
                f"To bring the feed into that show, give --into {folder.parent}; for a show of its "
                "own, give a folder outside it",
                path=str(into),
            )


def _refuse_another_show(root: Path, into: Path, feed: ReadFeed) -> None:
    """Refuse to import into a show directory that holds a different show with episodes of its own.

    The same show is recognised by what an earlier import recorded ([imported] feed or guid),
    by its podcast:guid, or by an episode GUID the two have in common (a feed found at a new
    address); a folder with a podcast.toml but no episode yet (`podcast init`) is taken as a
    place for this show.
    """
    if not (root / SHOW_FILE).is_file():
        return
    data = _show_file(root)
    guid = showdir.show_guid(feed.show, feed.source)
    if feed.source == _recorded(data, "feed", "imported") or guid in (
        _recorded(data, "guid", "imported"),
        _recorded(data, "guid"),
    ):
        return
    if not any((folder / EPISODE_FILE).is_file() for folder in episode_folders(root)):
        return
    known = showdir.existing_guids(root)
    if any(item.guid in known for item in feed.items):
        return
    title = data.get("title")
    which = f'"{title}"' if isinstance(title, str) else f"(its {SHOW_FILE} cannot be read)"
    raise ShowDirError(
        f"{into}: already holds a show, {which}, that is not the one this feed publishes "
        f'("{feed.show.title or feed.shown}"); importing it here would mix the two shows\' episodes. '
        "Nothing was written: import into a new folder (--into NEW-FOLDER)",
        path=str(into),
    )


@dataclass(frozen=True)
class ReadFeed:
    """Everything an import took from the feed, before a byte is written."""

    source: str  # the address (or file) recorded in [imported]
    url: str | None  # where it was fetched from, for relative links
    shown: str  # how messages name it
    show: FeedShow
    items: list[FeedItem]
    recovered: tuple[str, ...]
    base_url: str


def read_feed(
    source: str, client: net.Client, base_url: str | None, report: ImportReport, notes: Notes
) -> ReadFeed:
    """Fetch, parse and read the whole feed; any refusal happens here, before anything is written."""
    fetched = read_source(source, client)
    kind = binary_kind(fetched.body)
    if kind is not None:
        raise NotAFeed(
            f"{fetched.shown}: is {kind}, not a feed; give the feed's address (the show's RSS), "
            "not an episode's audio or image",
            path=fetched.shown,
        )
    parsed = parse(fetched.body, fetched.shown)
    fetched = dataclasses.replace(fetched, body=b"")  # read: the bytes need not stay
    show = read_show(parsed.root, fetched.url, notes)
    items = list(read_items(parsed.root, fetched.url, notes))
    recovered = parsed.recovered
    del parsed  # the tree is read into items: let it go before the writing starts
    report.moved_to = fetched.moved_to
    if show.new_feed_url and show.new_feed_url not in (source, fetched.url):
        report.problems.append(
            Problem(
                fetched.shown,
                f"the feed says it has moved to {show.new_feed_url} (itunes:new-feed-url)",
                severity="warning",
                hint=f"import from there: podcast import {show.new_feed_url}",
            )
        )
    return ReadFeed(
        source=fetched.moved_to or (source if is_url(source) else str(Path(source).resolve())),
        url=fetched.url,
        shown=fetched.shown,
        show=show,
        items=items,
        recovered=recovered,
        base_url=_base_url(show, fetched.url, base_url),
    )


def import_feed(
    source: str,
    into: Path,
    *,
    download: bool = False,
    base_url: str | None = None,
    deadline: float = net.DEFAULT_DEADLINE,
    make_client: Callable[[], net.Client] | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    each_item: Callable[[list], Iterable] | None = None,
) -> ImportReport:
    """Import the feed at `source` (a URL or a file) into the show directory `into`.

    `progress` is called with each chunk of audio downloaded (after `on_total` with the
    bytes expected); `each_item` wraps the items as they are written (a progress bar).
    """

    def client_factory() -> net.Client:
        return make_client() if make_client else net.Client(deadline=deadline, timeout=min(15.0, deadline))

    root = Path(into).absolute()  # confined() takes a relative path as relative to the show, not here
    if root.exists() and not root.is_dir():
        raise ShowDirError(f"{into}: is a file, not a show directory; give --into a folder", path=str(into))
    _refuse_inside_a_show(root, Path(into))
    report = ImportReport(root=Path(into))
    notes = Notes()
    earlier = _show_file(root)  # what an earlier import (or the producer) set stays so
    base_url = base_url or _recorded(earlier, "base_url")
    try:
        with client_factory() as client:
            feed = read_feed(source, client, base_url, report, notes)
            _refuse_another_show(root, Path(into), feed)
            recorded_guid = _recorded(earlier, "guid", "imported")
            jobs = _write_show(feed, root, client, report, notes, download, each_item or iter, recorded_guid)
        if jobs:
            if on_total:
                on_total(sum(job.length for _, _, job in jobs))
            _download(feed, root, jobs, client_factory, progress, report, notes)
    except OSError as exc:
        if isinstance(exc, PodcastError):  # ours (NetError, OutsideShow…) say it already
            raise
        problem = write_problem(exc, root)
        if problem.message == "is a file where a folder is needed":
            shown = str(root / problem.path)
            raise ShowDirError(f"{shown}: {problem.message}; {problem.hint}", path=shown) from None
        where = exc.filename or root
        raise ShowDirError(
            f"{where}: cannot write ({exc.strerror or exc}); what was written so far is whole, "
            "and running the import again completes it",
            path=str(where),
        ) from None
    report.recovered = [f"{feed.shown}: {line}" for line in feed.recovered] + notes.lines()
    return report


Job = tuple[FeedItem, str, downloads.AudioJob]


def _write_show(
    feed: ReadFeed,
    root: Path,
    client: net.Client,
    report: ImportReport,
    notes: Notes,
    download: bool,
    each_item: Callable[[list], Iterable],
    recorded_guid: str | None = None,
) -> list[Job]:
    """podcast.toml, then each episode folder; returns the audio still to download."""
    root.mkdir(parents=True, exist_ok=True)
    (root / EPISODES_DIR).mkdir(exist_ok=True)
    (root / FEEDS_DIR).mkdir(exist_ok=True)
    if not (root / ".gitignore").exists():
        write_atomic(root / ".gitignore", GITIGNORE.encode())
    artwork = _artwork(client, feed.show, root, report)
    settings = showdir.ShowSettings(feed.source, feed.base_url, artwork, recorded_guid)
    toml = showdir.show_toml(feed.show, settings, notes, report.problems)
    report.show_file = write_unless_edited(root, SHOW_FILE, toml, report)

    slugs = showdir.assign_slugs(feed.items, root, showdir.existing_guids(root))
    jobs: list[Job] = []
    for item, slug in each_item(list(zip(feed.items, slugs, strict=True))):
        folder = f"{EPISODES_DIR}/{slug}"
        confined(root, root / folder, folder).mkdir(parents=True, exist_ok=True)
        _episode_sidecars(client, item, root, folder, report)
        job = None
        if item.enclosure is not None:
            name = downloads.audio_name(item.enclosure.url, item.enclosure.type, slug)
            target = confined(root, root / folder / name, f"{folder}/{name}")
            if download or target.is_file():  # a file downloaded before stays the episode's audio
                job = downloads.AudioJob(item.enclosure.url, target, item.enclosure.length, folder)
        if job is None or job.target.is_file():
            _write_episode(root, item, feed.show, slug, job, report, notes, feed.url)
        else:
            jobs.append((item, slug, job))
    return jobs


def _download(
    feed: ReadFeed,
    root: Path,
    jobs: list[Job],
    client_factory: Callable[[], net.Client],
    progress: Callable[[int], None] | None,
    report: ImportReport,
    notes: Notes,
) -> None:
    """Fetch the audio several at a time; each episode.md is written once its audio is whole."""
    done = downloads.fetch_audio([job for _, _, job in jobs], client_factory, progress)
    for (item, slug, job), result in zip(jobs, done, strict=True):
        if result.size is None:
            # The episode is not lost for it: it names the audio by its URL until a download succeeds.
            report.problems.append(
                Problem(
                    f"{EPISODES_DIR}/{slug}",
                    f"audio {job.url} not downloaded: {result.reason}; the episode uses audio_url for now",
                    hint="run the import again with --download to try again (a partial download resumes)",
                )
            )
            _write_episode(root, item, feed.show, slug, None, report, notes, feed.url)
            continue
        report.downloaded.append(slug)
        if job.length and result.size < job.length:
            report.problems.append(
                Problem(
                    f"{EPISODES_DIR}/{slug}/{job.target.name}",
                    f"{result.size:,} bytes downloaded, but the feed says the audio is {job.length:,}",
                    severity="warning",
                    hint="listen to its end: if it is cut off, delete the file and run the import again "
                    "with --download; if it is whole, the feed's length was wrong",
                )
            )
        elif job.length and result.size != job.length:
            notes.add(
                "downloaded audio larger than the feed's length (inserted ads?); the build uses the file's"
            )
        _write_episode(root, item, feed.show, slug, job, report, notes, feed.url)


def _write_episode(
    root: Path,
    item: FeedItem,
    show: FeedShow,
    slug: str,
    job: downloads.AudioJob | None,
    report: ImportReport,
    notes: Notes,
    feed_url: str | None,
) -> None:
    files = showdir.EpisodeFiles(audio=job.target.name if job and job.target.is_file() else None)
    base = item.link or show.link or feed_url
    rel = f"{EPISODES_DIR}/{slug}/{EPISODE_FILE}"
    source = showdir.digest(repr((RENDERING, item, files, base, show.explicit, show.author, show.owner_name)))
    try:
        current = (root / rel).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        current = None
    if current is not None and showdir.made_from(current) == source and showdir.untouched(current):
        report.unchanged.append(slug)  # made from the same item as before, and not edited since
        return
    text = showdir.episode_md(item, show, to_markdown(item.notes_html, base), files, notes, source)
    # Many small files: no fsync each (a killed import still never leaves half a file).
    state = write_unless_edited(root, rel, text, report, durable=False)
    {"written": report.added, "updated": report.updated, "unchanged": report.unchanged, "kept": report.kept}[
        state
    ].append(slug)
