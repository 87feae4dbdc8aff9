"""`podcast build`: read everything, check it, then write.

For each published episode: probe the audio and its alternate formats (through
the build cache), find its transcripts, render its show notes, and choose its
chapters (chapters.json > the audio's own > the notes'). Then render the feed,
lint it against the feed built last, and only then write the sidecars and the
feed (Pelican's order), so a run with errors leaves the last good feed in place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import chapters, feed, lint, net, notes, transcripts
from .cache import BuildCache
from .config import (
    EPISODE_FILE,
    EPISODES_DIR,
    FEEDS_DIR,
    SHOW_FILE,
    episode_folders,
    load_episodes,
    read_show,
)
from .controlchars import clean_line
from .errors import AudioError, ConfigError, LintFailure, PodcastError, Problem, errors_in, tally
from .files import copy_atomic, write_atomic, write_problem
from .model import EPISODE_IMAGES_DIR, FEED_FILENAME, AudioFile, Chapter, Episode, Show, ShowNotes
from .web import pages as web_pages
from .web import site, urls

Progress = Callable[[Iterable[Episode]], Iterable[Episode]]


@dataclass
class Catalog:
    """A show and its episodes, read and checked but not yet written."""

    show: Show
    published: list[Episode] = field(default_factory=list)
    drafts: list[Episode] = field(default_factory=list)
    scheduled: list[Episode] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class BuildResult:
    feed_path: Path
    changed: bool
    catalog: Catalog
    pages: tuple[str, ...] = ()  # pages written or removed, relative to the output folder


def _probe(episode: Episode, problems: list[Problem], cache: BuildCache) -> Episode | None:
    if episode.audio is None:
        if episode.remote_audio is not None:  # published elsewhere: the front matter says what it is
            return dataclasses.replace(episode, info=episode.remote_audio.info)
        return episode
    where = {"field": "audio", "line": episode.lines.get("audio")}
    try:
        found = cache.read(episode.audio)
    except AudioError as exc:
        problems.append(Problem(episode.source, f"{episode.audio.name}: {exc.reason}", **where))
        return None
    info = found.info
    if info.truncated:
        problems.append(
            Problem(
                episode.source,
                f"{episode.audio.name}: looks cut short: its header promises more than the file holds"
                f" ({info.duration:.1f} s of audio are there)",
                hint="upload or export the audio again",
                **where,
            )
        )
        return None
    # A format Apple does not take (Ogg, Opus, FLAC, WAV, raw AAC) builds; lint's M101 warns about it.
    return dataclasses.replace(episode, info=info, chapters=_audio_chapters(episode, found))


def _audio_chapters(episode: Episode, found: AudioFile) -> tuple[Chapter, ...]:
    """The audio's chapters, with embedded images named for publishing beside the feed."""
    if found.chapters_written_by_tag:
        return ()  # copies `podcast tag` made of the notes' or chapters.json's: those are the source
    named = []
    for number, chapter in enumerate(found.chapters, start=1):
        if chapter.picture is not None and chapter.picture.data and not chapter.image:
            chapter = dataclasses.replace(
                chapter, image=f"chapters/{episode.slug}-{number}{chapter.picture.suffix}"
            )
        named.append(chapter)
    return tuple(named)


def episode_chapters(show: Show, episode: Episode, problems: list[Problem]) -> tuple[Chapter, ...]:
    """chapters.json in the episode folder > chapters in the audio > chapters in the show notes."""
    rel = f"{episode.folder}/{chapters.CHAPTERS_FILE}"
    from_file = chapters.load(show.root / rel, rel, problems)
    from_notes = episode.notes.chapters if episode.notes is not None else ()
    found = _xml_safe(chapters.resolve(from_file, episode.chapters, from_notes))
    if from_file is not None:
        where = Problem(rel, "", field="chapters")
    elif episode.chapters:
        where = Problem(episode.source, "", field="audio", line=episode.lines.get("audio"))
    else:
        where = Problem(episode.source, "")  # the timestamps or headings of the article
    return _inside_audio(episode, found, where, problems)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _inside_audio(
    episode: Episode, found: tuple[Chapter, ...], where: Problem, problems: list[Problem]
) -> tuple[Chapter, ...]:
    """Chapters that start at or after the end of the audio are left out, with a warning:
    apps would list a chapter nobody can reach (a typo in a timestamp, the wrong audio)."""
    if episode.info is None or not found:
        return found
    length = episode.info.duration
    kept = []
    for chapter in found:
        if chapter.start < length:
            kept.append(chapter)
            continue
        problems.append(
            dataclasses.replace(
                where,
                message=f"chapter {_clock(chapter.start)} {chapter.title!r} starts at or after the end of "
                f"the audio ({_clock(length)}, {length:.1f} s); it is left out of the feed",
                hint="correct its time, or check that the episode has the right audio",
                severity="warning",
            )
        )
    return tuple(kept)


def _xml_safe(found: tuple[Chapter, ...]) -> tuple[Chapter, ...]:
    """Chapter titles from an audio tag or a chapters.json ("\\u000b") without controls XML forbids."""
    return tuple(
        dataclasses.replace(
            chapter,
            title=clean_line(chapter.title),
            url=chapter.url and clean_line(chapter.url),
            image=chapter.image and clean_line(chapter.image),
        )
        for chapter in found
    )


def episode_notes(show: Show, episode: Episode, cache: BuildCache | None = None) -> ShowNotes:
    """The show notes of an episode whose audio has been read (sections chapters need its duration)."""
    chapters_from = episode.chapters_from or show.chapters_from
    options = {
        "format": episode.article_format,
        "title": episode.title,
        "chapters_from": chapters_from,
        "duration": episode.info.duration if episode.info and chapters_from == "sections" else None,
        **notes.link_options(episode.link, show.link),
    }

    def render() -> ShowNotes:
        return notes.render(episode.article, **options)

    if cache is None:
        return render()
    return cache.notes({"article": episode.article, **options}, render)


def _probe_alternates(episode: Episode, problems: list[Problem], cache: BuildCache) -> Episode:
    """Read each other format of the audio; a broken one is a problem like the main file."""
    probed = []
    for other in episode.alternate_audio:
        try:
            info = cache.read(other.path).info
            probed.append(dataclasses.replace(other, info=info))
        except AudioError as exc:
            reason = exc.reason
            problems.append(
                Problem(
                    episode.source,
                    f"{other.path.name}: {reason}",
                    field="alternate_audio",
                    line=episode.lines.get("alternate_audio"),
                )
            )
    return dataclasses.replace(episode, alternate_audio=tuple(probed))


def _check_soundbites(episode: Episode, problems: list[Problem]) -> None:
    """A soundbite must lie inside the audio, or apps play silence or nothing."""
    if episode.info is None:
        return
    length = episode.info.duration
    for index, bite in enumerate(episode.soundbites, start=1):
        end = bite.start + bite.duration
        if end > length + 0.5:
            problems.append(
                Problem(
                    episode.source,
                    f"soundbite {index} runs to {end:.1f} s; the audio is {length:.1f} s",
                    field="soundbite",
                    line=episode.lines.get(f"soundbite[{index}]", episode.lines.get("soundbite")),
                    hint="move its start or shorten its duration",
                )
            )


def _check_against_duration(show: Show, episode: Episode, problems: list[Problem]) -> None:
    """Transcript cues must lie inside the audio (chapters are checked in episode_chapters)."""
    if episode.info is None:
        return
    length = episode.info.duration
    for transcript in episode.transcripts:
        if not transcript.captions:
            continue
        last = transcripts.last_cue_end(transcript.path)
        if last is not None and last[2] > length + 0.5:
            number, line, end = last
            unit = "subtitle" if transcript.path.suffix.lower() == ".srt" else "cue"
            problems.append(
                Problem(
                    f"{episode.folder}/{transcript.path.name}",
                    f"{unit} {number} ends at {end:.1f} s; the audio is {length:.1f} s",
                    line=line,
                    severity="warning",
                    hint="check that the transcript is of this audio, and its times",
                )
            )


def _add_transcripts(show: Show, episode: Episode, problems: list[Problem]) -> Episode:
    found, trouble = transcripts.find(
        show.root / episode.folder, episode.folder, episode.slug, episode.language or show.language
    )
    problems.extend(trouble)
    return dataclasses.replace(episode, transcripts=found)


def _check_unread_folder(show: Show, folder: str, slug: str, problems: list[Problem]) -> None:
    """An episode that could not be read still has its transcripts and chapters.json checked."""
    _, trouble = transcripts.find(show.root / folder, folder, slug, show.language)
    problems.extend(trouble)
    rel = f"{folder}/{chapters.CHAPTERS_FILE}"
    chapters.load(show.root / rel, rel, problems)


def _unread_folders(show: Show, read: set[str]) -> list[str]:
    """Episode folders with an episode.md that did not give an episode."""
    return [
        folder.name
        for folder in episode_folders(show.root)
        if folder.name not in read and (folder / EPISODE_FILE).is_file()
    ]


def with_page_link(show: Show, episode: Episode) -> Episode:
    """An episode without a link of its own links to its generated page, when the show has pages."""
    link = urls.episode_link(
        episode.link, slug=episode.slug, base_url=show.base_url, pages=show.pages.enabled
    )
    return episode if link == episode.link else dataclasses.replace(episode, link=link)


def read_catalog(
    root: Path,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    base_url: str | None = None,
) -> Catalog:
    """Read the show directory and everything the feed needs. Writes nothing.

    A podcast.toml with errors does not stop the reading: the episodes are read
    against a provisional show, so every problem of the run is reported together.
    `base_url` replaces the show's (the preview server serves the show at its own address), and
    drops its `enclosure_prefix`.
    """
    now = now or datetime.now(UTC)
    show, problems = read_show(Path(root))
    if base_url is not None:
        # Served elsewhere (the preview): no analytics prefix, which could not reach that address.
        show = dataclasses.replace(show, base_url=base_url.rstrip("/") + "/", enclosure_prefix=None)
    episodes, episode_problems = load_episodes(show)
    catalog = Catalog(show=show, problems=problems + episode_problems)
    due = []
    for episode in episodes:
        if episode.draft:
            catalog.drafts.append(episode)
        elif episode.date > now:
            catalog.scheduled.append(episode)
        else:
            due.append(episode)
    with BuildCache(show.root) as cache:
        for episode in (progress or iter)(due):
            probed = _probe(episode, catalog.problems, cache)
            if probed is None:
                _check_unread_folder(show, episode.folder, episode.slug, catalog.problems)
                continue
            probed = _probe_alternates(probed, catalog.problems, cache)
            _check_soundbites(probed, catalog.problems)
            probed = _add_transcripts(show, probed, catalog.problems)
            probed = with_page_link(show, probed)
            probed = dataclasses.replace(probed, notes=episode_notes(show, probed, cache))
            probed = dataclasses.replace(probed, chapters=episode_chapters(show, probed, catalog.problems))
            _check_against_duration(show, probed, catalog.problems)
            catalog.published.append(probed)
    for slug in _unread_folders(show, {e.slug for e in episodes}):
        _check_unread_folder(show, f"{EPISODES_DIR}/{slug}", slug, catalog.problems)
    return catalog


def _write_chapters(show: Show, episodes: list[Episode], out: Path) -> None:
    """feeds/chapters/<slug>.json for each episode with chapters (and their embedded images)."""
    written: set[Path] = set()
    for episode in episodes:
        if not episode.chapters:
            continue
        for chapter in episode.chapters:
            if chapter.picture is not None and chapter.picture.data and chapter.image:
                if not chapter.image.startswith(("http://", "https://")):
                    write_atomic(out / chapter.image, chapter.picture.data)
                    written.add(out / chapter.image)
        target = out / episode.chapters_path
        write_atomic(target, chapters.to_json(episode.chapters, show.url_for))
        written.add(target)
    # Chapters of episodes that are gone or lost their chapters would otherwise linger.
    for stale in sorted((out / "chapters").glob("*")) if (out / "chapters").is_dir() else []:
        if stale.is_file() and stale not in written:
            stale.unlink()


def lint_rendered(
    catalog: Catalog, document: bytes, *, now: datetime | None = None, out: Path | None = None
) -> list[Problem]:
    """Lint the feed `document` rendered from `catalog`, against the feed last built (in `out`)."""
    try:
        previous = ((out or catalog.show.root / FEEDS_DIR) / FEED_FILENAME).read_bytes()
    except OSError:
        previous = None
    findings = lint.check_show(
        catalog.show,
        catalog.published,
        document,
        previous=previous,
        now=now,
        ordered=feed.newest_first(catalog.published),
    )
    if any(p.path == SHOW_FILE and p.field == "base_url" and p.severity == "error" for p in catalog.problems):
        # base_url is missing or invalid: the feed was rendered at a stand-in address, and the
        # show has not moved there (G105 would advise a new_feed_url at example.invalid).
        findings = [f for f in findings if f.code != "G105"]
    # An episode whose guid line was removed gets G103's "restore this line" with the GUID it
    # had, not also the reading's "not set" warning with the GUID derived in its place.
    restored = {p.path for p in findings if p.code == "G103"}
    catalog.problems[:] = [
        p for p in catalog.problems if not (p.field == "guid" and p.code is None and p.path in restored)
    ]
    return findings


def check(
    root: Path, *, now: datetime | None = None, progress: Progress | None = None, online: bool = False
) -> list[Problem]:
    """`podcast lint DIR`: every problem with the show and the feed it would build. Writes nothing.

    With `online`, remote audio (audio_url) is also asked whether it answers as recorded.
    """
    try:
        catalog = read_catalog(Path(root), now=now, progress=progress)
    except ConfigError as exc:
        return exc.problems or [Problem(exc.path or str(root), str(exc))]
    document = feed.render(catalog.show, catalog.published)
    problems = catalog.problems + lint_rendered(catalog, document, now=now)
    if online:
        with net.Client() as client:
            problems += lint.check_remote_audio(catalog.published + catalog.scheduled, client)
    return problems


def _lint_partial(catalog: Catalog, now: datetime | None, out: Path) -> list[Problem]:
    """Lint the episodes that could be read, so a build with reading errors reports what lint does."""
    return lint_rendered(catalog, feed.render(catalog.show, catalog.published), now=now, out=out)


def build(
    root: Path,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    strict: bool = False,
    force: bool = False,
    out: Path | None = None,
    base_url: str | None = None,
) -> BuildResult:
    """Build feeds/feed.xml (and the show's pages). Raises PodcastError with every problem if any is an error.

    The rendered feed is linted before it is written: lint errors (and warnings,
    when `strict`) keep the last feed in place unless `force` is set. `out` and
    `base_url` build elsewhere for another address (the preview server's).
    """
    root = Path(root)
    out = Path(out) if out is not None else root / FEEDS_DIR
    catalog = read_catalog(root, now=now, progress=progress, base_url=base_url)
    if errors_in(catalog.problems):
        catalog.problems.extend(_lint_partial(catalog, now, out))
        raise PodcastError(
            f"build stopped: {tally(catalog.problems)}; {FEEDS_DIR}/{FEED_FILENAME} was not changed",
            problems=catalog.problems,
        )
    show = catalog.show
    document = feed.render(show, catalog.published)
    findings = lint_rendered(catalog, document, now=now, out=out)
    catalog.problems.extend(findings)
    if lint.failed(findings, strict=strict) and not force:
        blocking = "errors and warnings stop it with --strict" if strict else "errors stop it"
        raise LintFailure(
            f"build stopped: {tally(catalog.problems)} ({blocking}); {FEEDS_DIR}/{FEED_FILENAME} was not"
            " changed (fix them, or run `podcast build --force` to write the feed anyway)",
            problems=catalog.problems,
        )
    # Rendered before anything is written: a broken template of the show's leaves feeds/ as it was.
    rendered_pages = web_pages.render(show, catalog.published) if show.pages.enabled else {}
    feed_path = out / FEED_FILENAME
    try:
        if show.artwork_path:
            copy_atomic(root / show.artwork, out / show.artwork_path)
        _write_chapters(show, catalog.published, out)
        publish_sidecars(root, catalog.published, out)
        pages_changed = site.write(out, rendered_pages)
        changed = write_atomic(feed_path, document)
    except OSError as exc:
        raise _unwritable(root, exc) from None
    return BuildResult(feed_path=feed_path, changed=changed, catalog=catalog, pages=tuple(pages_changed))


def _unwritable(root: Path, exc: OSError) -> PodcastError:
    """The build's error when feeds/ cannot be written: which file, and what to do."""
    problem = write_problem(exc, root)
    return PodcastError(
        f"build stopped: {problem.path} cannot be written; {FEEDS_DIR}/{FEED_FILENAME} was not changed",
        path=problem.path,
        problems=[problem],
    )


def publish_sidecars(root: Path, episodes: Iterable[Episode], out: Path | None = None) -> None:
    """Copy what items link to (transcripts, episode images) into feeds/ (or `out`).

    Files in those folders that no episode links to any more are removed, so a
    transcript taken out of an episode is not published on.
    """
    out = out if out is not None else root / FEEDS_DIR
    wanted: set[Path] = set()
    for episode in episodes:
        for transcript in episode.transcripts:
            wanted.add(out / transcript.publish_path)
            copy_atomic(transcript.path, out / transcript.publish_path)
        if episode.image_path and episode.image:
            wanted.add(out / episode.image_path)
            copy_atomic(root / episode.folder / episode.image, out / episode.image_path)
    for folder in (out / transcripts.TRANSCRIPTS_DIR, out / EPISODE_IMAGES_DIR):
        if folder.is_dir():
            for stale in folder.iterdir():
                if stale.is_file() and stale not in wanted:
                    stale.unlink()
