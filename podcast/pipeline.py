"""`podcast build`: read everything, check it, then write.

For each published episode: probe the audio and its alternate formats (through
the build cache), find its transcripts, render its show notes, and choose its
chapters (chapters.json > the audio's own > the notes'). Then render the feed,
lint it against the feed built last, and only then write the sidecars and the
feed (Pelican's order), so a run with errors leaves the last good feed in place.

A rebuild costs what changed: what each episode folder gave a build (the episode, its
problems, its feed item and what lint's rules over one item found in it) is kept in the
build cache, keyed by the folder's file stats and what else the episode depends on
(`_show_key`), and taken from there while none of it changes. The feed is always put
together from item fragments, so a build from the cache and one from nothing write the
same bytes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path

from . import (
    chapters,
    clock,
    collector,
    feed,
    lastfeed,
    layout,
    lint,
    notes,
    parallel,
    transcripts,
    uptodate,
    versions,
)
from .cache import CACHE_FILE, NOTES_LIBRARIES, BuildCache, Prepared, pickle_record, wait_closed
from .config import episode_folders, read_episode_folder, read_show
from .controlchars import clean_line
from .errors import AudioError, ConfigError, LintFailure, PodcastError, Problem, errors_in, tally
from .feed import paging
from .files import (
    FolderListing,
    StagedWrite,
    confined,
    outside,
    read_bounded,
    unlinked_target,
    write_atomic,
    write_problem,
)
from .layout import EPISODE_FILE, EPISODES_DIR, FEED_FILENAME, FEEDS_DIR, SHOW_FILE
from .lint.itemwise import ItemLint, ItemLinter, check_assembled
from .model import AudioFile, Chapter, Episode, PublishSettings, Show, ShowNotes, replaced, unread_parts
from .progress import Progress
from .web import pages, site, urls
from .weburl import has_web_scheme, is_web_url
from .written import WrittenRecord


@dataclass
class Catalog:
    """A show and its episodes, read and checked but not yet written.

    The published episodes are as their items were made from them, without what only that
    needed: their article, their notes' sections and <description> HTML (see `_spent`). Their
    items are in `records`.
    """

    show: Show
    published: list[Episode] = field(default_factory=list)
    drafts: list[Episode] = field(default_factory=list)
    scheduled: list[Episode] = field(default_factory=list)
    removed: list[Episode] = field(default_factory=list)  # marked `removed = true`
    problems: list[Problem] = field(default_factory=list)
    # By slug, each published episode's record: its <item>, and what lint found in it.
    records: dict[str, Prepared] = field(default_factory=dict)

    @property
    def items(self) -> dict[str, bytes]:
        return {slug: record.item for slug, record in self.records.items() if record.item is not None}

    @property
    def page_keys(self) -> dict[str, bytes]:
        """By slug, each published episode's page key as its record holds it (web.pages.page_key)."""
        return {
            slug: record.page_key
            for slug, record in self.records.items()
            if record.page_key is not None and record.ready is not None
        }


@dataclass(frozen=True)
class BuildResult:
    feed_path: Path
    changed: bool
    catalog: Catalog
    pages: tuple[str, ...] = ()  # pages written or removed, relative to the output folder

    def to_dict(self) -> dict:
        """What the build reports, as `podcast build --json` prints it."""
        catalog = self.catalog
        return {
            "feed": str(self.feed_path),
            "show": catalog.show.title,
            "changed": self.changed,
            "pages": list(self.pages),
            "published": [e.slug for e in catalog.published],
            "drafts": [e.slug for e in catalog.drafts],
            "removed": [e.slug for e in catalog.removed],
            "scheduled": [{"slug": e.slug, "date": e.date.isoformat()} for e in catalog.scheduled],
            "problems": [p.to_dict() for p in catalog.problems],
        }


def _probe(episode: Episode, problems: list[Problem], cache: BuildCache) -> Episode | None:
    if episode.audio is None:
        if episode.remote_audio is not None:  # published elsewhere: the front matter says what it is
            return replaced(episode, info=episode.remote_audio.info)
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
    return replaced(episode, info=info, audio_chapters=_audio_chapters(episode, found))


def _audio_chapters(episode: Episode, found: AudioFile) -> tuple[Chapter, ...]:
    """The audio's chapters, with embedded images named for publishing beside the feed."""
    named = []
    for number, chapter in enumerate(chapters.from_audio(found), start=1):
        if chapter.picture is not None and chapter.picture.data and not chapter.image:
            chapter = replaced(
                chapter, image=f"{layout.CHAPTERS_DIR}/{episode.slug}-{number}{chapter.picture.suffix}"
            )
        named.append(chapter)
    return tuple(named)


def episode_chapters(
    show: Show, episode: Episode, problems: list[Problem], listing: FolderListing | None = None
) -> tuple[Chapter, ...]:
    """chapters.json in the episode folder > chapters in the audio > chapters in the show notes.
    `listing`: the episode folder's, when the caller has one."""
    return _chosen_chapters(show, episode, episode.notes, problems, listing)


def _chosen_chapters(
    show: Show,
    episode: Episode,
    notes: ShowNotes | None,
    problems: list[Problem],
    listing: FolderListing | None,
) -> tuple[Chapter, ...]:
    """`episode_chapters` of the episode with `notes` (before they are in it)."""
    rel = f"{episode.folder}/{layout.CHAPTERS_FILE}"
    # (A path as text: most folders have no chapters.json, and their listing says so.)
    path = os.path.join(show.root, rel)
    from_file = chapters.load(path, rel, problems, root=show.root, listing=listing)
    from_notes = notes.chapters if notes is not None else ()
    found = chapters.resolve(from_file, episode.audio_chapters, from_notes)
    if not found:
        return found
    if from_file is not None:
        where = Problem(rel, "", field="chapters")
    elif episode.audio_chapters:
        where = Problem(episode.source, "", field="audio", line=episode.lines.get("audio"))
    else:
        where = Problem(episode.source, "")  # the timestamps or headings of the article
    return _inside_audio(episode, _safe_chapters(found, where, problems), where, problems)


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
            replaced(
                where,
                message=f"chapter {clock.player(chapter.start)} {chapter.title!r} starts at or after "
                f"the end of the audio ({clock.player(length)}, {length:.1f} s); it is left out of the feed",
                hint="correct its time, or check that the episode has the right audio",
                severity="warning",
            )
        )
    return tuple(kept)


def _safe_chapters(
    found: tuple[Chapter, ...], where: Problem, problems: list[Problem]
) -> tuple[Chapter, ...]:
    """Chapters fit to publish, from an audio tag or a chapters.json, whoever made them.

    Controls XML forbids ("\\u000b") and line breaks leave titles, with a warning; a link
    that is not an http(s) URL (`javascript:`, `data:`) is dropped with a warning, and so is an
    image with such a scheme (a plain name stays: it is published beside the feed).
    """
    safe = []
    for chapter in found:
        title = clean_line(chapter.title)
        url = chapter.url
        image = chapter.image
        if (
            title == chapter.title
            and (url is None or is_web_url(url))
            and (image is None or ":" not in image or is_web_url(image))
        ):
            safe.append(chapter)  # as it is (most are): nothing to say of it
            continue
        at = f"chapter {clock.player(chapter.start)}"
        if title != chapter.title:
            problems.append(
                replaced(
                    where,
                    message=f"{at}: title {chapter.title!r} holds control characters or line breaks; "
                    f"published as {title!r}",
                    hint="write the title on one line, without control characters",
                    severity="warning",
                )
            )
        if url is not None and not is_web_url(url):
            problems.append(
                replaced(
                    where,
                    message=f"{at}: link {url[:80]!r} is not an http(s) URL; it is left out",
                    hint="link chapters only to web pages (https://…)",
                    severity="warning",
                )
            )
            url = None
        if image is not None and ":" in image and not is_web_url(image):  # a name has no scheme
            problems.append(
                replaced(
                    where,
                    message=f"{at}: image {image[:80]!r} is not an http(s) URL; it is left out",
                    hint="give chapter images as https URLs",
                    severity="warning",
                )
            )
            image = None
        safe.append(replaced(chapter, title=title, url=url, image=image))
    return tuple(safe)


def notes_inputs(show: Show, episode: Episode, *, link: str | None = None) -> dict:
    """Everything `notes.render` is given for an episode (and what its cache entry is keyed by).
    `link`: the episode's link (`page_link`), when it is not in `episode` yet."""
    chapters_from = episode.chapters_from or show.chapters_from
    return {
        "article": episode.article,
        "format": episode.article_format,
        "title": episode.title,
        "chapters_from": chapters_from,
        "duration": episode.info.duration if episode.info and chapters_from == "sections" else None,
        **notes.link_options(link or episode.link, show.link),
    }


def episode_notes(
    show: Show,
    episode: Episode,
    cache: BuildCache | None = None,
    inputs: dict | None = None,
    key: str | None = None,
) -> ShowNotes:
    """The show notes of an episode whose audio has been read (sections chapters need its duration).
    `inputs` and `key`: its `notes_inputs` and their key in the cache, when the caller has them."""
    inputs = inputs or notes_inputs(show, episode)
    options = {key: value for key, value in inputs.items() if key != "article"}

    def render() -> ShowNotes:
        return notes.render(episode.article, **options)

    if cache is None:
        return render()
    return cache.notes(inputs, render, key)


def _keyed_notes(
    show: Show, episode: Episode, cache: BuildCache, link: str | None = None
) -> tuple[ShowNotes, str]:
    """`episode_notes` with the key its cache entry has (a record keeps it, for `_remade`).
    `link`: as `notes_inputs` takes it."""
    inputs = notes_inputs(show, episode, link=link)
    key = cache.notes_key(inputs)
    return episode_notes(show, episode, cache, inputs, key), key


def _work_ahead(show: Show, due: list[Episode], cache: BuildCache, progress: Progress | None) -> None:
    """Read the audio and render the notes the cache lacks on every core, before the loop over
    the episodes (which then finds them in the cache). Only a large cold build gains from it, and
    only where worker processes did not make its episodes ready already (they could not fork, or
    the pool broke): too few episodes to spread is known before any file is looked at."""
    if len(due) < parallel.threshold():
        return
    paths = [e.audio for e in due if e.audio is not None]
    paths += [other.path for e in due for other in e.alternate_audio]
    cache.read_ahead(paths, progress and (lambda items: progress(items, "Reading audio")))
    inputs = []
    for episode in due:
        episode = with_page_link(show, episode)  # as the loop renders them: the page is in the notes
        if episode.audio is not None and (episode.chapters_from or show.chapters_from) == "sections":
            try:
                episode = replaced(episode, info=cache.read(episode.audio).info)
            except AudioError:
                continue  # reported by the loop
        inputs.append(notes_inputs(show, episode))
    cache.render_ahead(inputs, progress and (lambda items: progress(items, "Rendering notes")))


def _probe_alternates(episode: Episode, problems: list[Problem], cache: BuildCache) -> Episode:
    """Read each other format of the audio; a broken one is a problem like the main file."""
    if not episode.alternate_audio:
        return episode
    probed = []
    for other in episode.alternate_audio:
        try:
            info = cache.read(other.path).info
            probed.append(replaced(other, info=info))
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
    return replaced(episode, alternate_audio=tuple(probed))


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


def _add_transcripts(
    show: Show, episode: Episode, problems: list[Problem], listing: FolderListing | None = None
) -> Episode:
    folder = episode.folder
    found, trouble = transcripts.find(
        os.path.join(show.root, folder),  # (as text: a Path is made only of a transcript found)
        folder,
        episode.slug,
        episode.language or show.language,
        root=show.root,
        listing=listing,
    )
    problems.extend(trouble)
    return episode if found == episode.transcripts else replaced(episode, transcripts=found)


def _check_unread_folder(show: Show, folder: str, slug: str, problems: list[Problem]) -> None:
    """An episode that could not be read still has its transcripts and chapters.json checked."""
    _, trouble = transcripts.find(show.root / folder, folder, slug, show.language, root=show.root)
    problems.extend(trouble)
    rel = f"{folder}/{layout.CHAPTERS_FILE}"
    chapters.load(show.root / rel, rel, problems, root=show.root)


def _unread_folders(show: Show, folders: Sequence[_Folder]) -> list[str]:
    """Episode folders with an episode.md that did not give an episode."""
    unread = []
    for folder in folders:
        if folder.record is None or folder.record.episode is None:
            path = folder.path
            if not outside(show.root, path) and (path / EPISODE_FILE).is_file():
                unread.append(path.name)
    return unread


def with_page_link(show: Show, episode: Episode) -> Episode:
    """An episode without a link of its own links to its generated page, when the show has pages."""
    link = page_link(show, episode)
    return episode if link == episode.link else replaced(episode, link=link)


def page_link(show: Show, episode: Episode) -> str | None:
    """The link `with_page_link` gives the episode."""
    pages = show.pages.enabled
    return urls.episode_link(episode.link, slug=episode.slug, base_url=show.base_url, pages=pages)


# Show settings that only the channel reads: changing one keeps every episode's record.
CHANNEL_ONLY = {
    "title": "",
    "description": "",
    "owner_name": "",
    "owner_email": "",
    "artwork": None,
    "categories": (),
    "copyright": None,
    "feed_items": None,
    "funding": (),
    "locked": None,
    "medium": None,
    "txts": (),
    "update_frequency": None,
    "new_feed_url": None,
    "block": False,
    "complete": False,
    "imported_from": None,
    "imported_guid": None,
    "publish": PublishSettings(),
}


# Show settings that the feed items and lint's rules over one item read, but reading and making
# ready an episode folder do not: changing one keeps every episode's ready episode, and makes
# only the items and their lint again (`_remake_items`).
ITEM_ONLY = {
    "author": "",
    "explicit": False,
    "type": "episodic",
    "simple_chapters": False,
    "persons": (),
    "license": None,
    "locations": (),
    "enclosure_prefix": None,
}


def item_key(show: Show) -> str:
    """What a record's item was made with beyond its ready episode: the show's ITEM_ONLY settings,
    a digest of each, so that a later build can tell which of them changed (`changed_settings`)."""
    digests = []
    for name in ITEM_ONLY:
        value = repr(getattr(show, name)).encode(errors="surrogateescape")
        digests.append(hashlib.blake2b(value, digest_size=8).hexdigest())
    return "-".join(digests)


def changed_settings(made_with: str | None, now: str) -> list[str] | None:
    """The ITEM_ONLY settings whose values differ between two `item_key`s; None when `made_with`
    is not one of this form (a record of another version)."""
    before, after = (made_with or "").split("-"), now.split("-")
    if not len(before) == len(after) == len(ITEM_ONLY):
        return None
    return [name for name, old, new in zip(ITEM_ONLY, before, after, strict=True) if old != new]


# Libraries whose output a record holds: the items (feedgen, lxml) and the notes in them.
RECORD_LIBRARIES = ("feedgen", "lxml", *NOTES_LIBRARIES)


def _library_versions() -> str:
    found = versions.versions(RECORD_LIBRARIES)
    return ",".join(name if version is None else f"{name}={version}" for name, version in found.items())


def _show_key(show: Show) -> str:
    """What every episode's record also depends on: the show's settings that reading and making
    ready an episode read (with where every setting stands in podcast.toml, which findings name),
    where the show is, and the code (ours, Python's and the libraries'). The settings that only
    the items read are the record's `item_key`."""
    digest = hashlib.blake2b(digest_size=16)
    parts = (
        repr(replaced(show, **CHANNEL_ONLY, **ITEM_ONLY)),
        repr(sorted(show.lines.items())),
        uptodate.build_fingerprint({}),
        sys.version,
        _library_versions(),
    )
    for part in parts:
        digest.update(part.encode(errors="surrogateescape") + b"\0")
    return digest.hexdigest()


def _in_folder(show: Show, episode: Episode) -> bool:
    """Whether every file the episode reads lies in its own folder (its record's fingerprint
    covers nothing else)."""
    folder = os.path.normpath(os.path.join(show.root, episode.folder)) + os.sep
    paths = [episode.audio, *(a.path for a in episode.alternate_audio)]
    paths += [transcript.path for transcript in episode.transcripts]
    if episode.image and not is_web_url(episode.image):
        paths.append(os.path.join(show.root, episode.folder, episode.image))
    return all(path is None or _below(folder, os.fspath(path)) for path in paths)


def _below(folder: str, path: str) -> bool:
    """os.path.normpath(path).startswith(folder), for a `folder` normalised already (ending in
    os.sep): a plain name in it (as config makes an episode's files) is normal as it is."""
    if path.startswith(folder):
        name = path[len(folder) :]
        if name not in ("", ".", "..") and os.sep not in name:
            return True
    return os.path.normpath(path).startswith(folder)


def _prepare(
    show: Show, episodes: Sequence[Episode], cache: BuildCache, listings: Sequence[FolderListing | None]
) -> list[tuple[Episode | None, list[Problem], str | None]]:
    """Due episodes made ready to publish, each with its problems and the key of its notes in the
    cache: audio read, transcripts found, notes rendered, chapters chosen; None when its audio
    cannot be read (the problems say why).
    `listings`: each episode folder's, when the caller read the episode with one.

    Step by step over them all, not episode by episode: each step (reading audio, rendering
    notes) runs much code, which stays in the processor's caches from one episode to the next
    (a worker's batch of 16 costs about a third less CPU than one at a time: bench_prepare.py).
    Each episode's problems come in the order of its steps."""
    problems: list[list[Problem]] = [[] for _ in episodes]
    probed = [_probe(episode, found, cache) for episode, found in zip(episodes, problems, strict=True)]
    live = []
    for index, episode in enumerate(episodes):
        if probed[index] is None:
            _check_unread_folder(show, episode.folder, episode.slug, problems[index])
        else:
            live.append(index)
    links = {}  # each one's link (`with_page_link`), put in it with its notes: one copy less
    for index in live:
        ready = _probe_alternates(probed[index], problems[index], cache)
        _check_soundbites(ready, problems[index])
        probed[index] = _add_transcripts(show, ready, problems[index], listings[index])
        links[index] = page_link(show, probed[index])
    rendered = {index: _keyed_notes(show, probed[index], cache, links[index]) for index in live}
    for index in live:
        ready, found, (notes, _) = probed[index], problems[index], rendered[index]
        chosen = _chosen_chapters(show, ready, notes, found, listings[index])
        ready = replaced(ready, link=links[index], notes=notes, chapters=chosen)
        _check_against_duration(show, ready, found)
        probed[index] = ready
    keys = [rendered[index][1] if index in rendered else None for index in range(len(episodes))]
    return list(zip(probed, problems, keys, strict=True))


@dataclass
class _Folder:
    """An episode folder in this build, and where its record stands."""

    path: Path
    fingerprint: str | None  # of its inputs; None: its record is not to be kept
    record: Prepared | None = None  # None until it is read
    unkept: bool = True  # read in this build, and not stored in the build cache yet
    readied: bool = False  # made ready (when due) by a worker process already


# Folders a worker process reads and makes ready at a time: enough to make handing them out and
# sending them back cheap; the last FOLDER_TAIL per worker go in smaller batches, so that every
# core stays busy to the end.
FOLDER_BATCH = 64
FOLDER_TAIL = 2 * FOLDER_BATCH


def _read_folders(show: Show, cache: BuildCache, now: datetime, progress: Progress | None) -> list[_Folder]:
    """Each episode folder's record: kept from an earlier build when nothing it depends on
    changed, else read now. When many are to be read, worker processes read them on every core,
    and make the due ones ready too (rendering and linting their items)."""
    show_key = _show_key(show)
    # A link on the way to the folders could lead them outside the show with their stats unchanged.
    trusted = not os.path.islink(show.root / EPISODES_DIR)
    start = uptodate.begun()
    if start is not None and trusted:
        return _read_every_folder(show, cache, now, progress, _Fingerprints(start, show_key))
    folders = []
    for path in episode_folders(show.root):
        found = uptodate.folder_fingerprint(path) if trusted else None
        folders.append(_Folder(path, f"{show_key}:{found}" if found else None))
    kept = cache.kept({folder.path.name: folder.fingerprint for folder in folders if folder.fingerprint})
    fresh = []
    for folder in folders:
        folder.record = kept.get(folder.path.name)
        folder.unkept = folder.record is None
        if folder.record is None:
            fresh.append(folder)
    if len(fresh) >= parallel.threshold():
        _read_in_workers(show, fresh, cache, now, progress)
    for folder in fresh:
        if folder.record is None:  # few of them, or a worker could not
            problems: list[Problem] = []
            episode = read_episode_folder(show, folder.path, problems)
            folder.record = Prepared(episode, tuple(problems))
    return folders


class _Fingerprints:
    """The episode folders' fingerprints, taken by whoever reads a folder, just before (in a build
    that reads them all: `uptodate.SnapshotStart`), as the build's snapshot and the records'
    keys need them."""

    def __init__(self, start: uptodate.SnapshotStart, show_key: str) -> None:
        self.start, self.show_key = start, show_key

    def take(
        self, folders: Sequence[_Folder], listings: Sequence[FolderListing] | None = None
    ) -> uptodate.FolderPrints:
        """Fingerprint `folders` (in a worker: the parts go back to the build's process, `add`);
        `listings`: theirs, made for reading them (the walk takes the entries they listed)."""
        scanned = []
        for listing in listings or ():
            entries = listing.entries()
            scanned.append(entries.values() if entries is not None else None)
        prints = self.start.walk([folder.path.name for folder in folders], scanned)
        self.keyed(folders, prints)
        return prints

    def add(self, folders: Sequence[_Folder], prints: uptodate.FolderPrints) -> None:
        """Parts a worker took, for the snapshot and the records' keys."""
        self.start.add(prints)
        self.keyed(folders, prints)

    def keyed(self, folders: Sequence[_Folder], prints: uptodate.FolderPrints) -> None:
        for folder, part in zip(folders, prints.parts, strict=True):
            found = part.vouched if part is not None else None
            folder.fingerprint = f"{self.show_key}:{found}" if found else None


def _read_every_folder(
    show: Show, cache: BuildCache, now: datetime, progress: Progress | None, fingerprints: _Fingerprints
) -> list[_Folder]:
    """`_read_folders` in a build that reads every folder afresh: none is fingerprinted first, each
    is by whoever reads it (the workers start at once)."""
    folders = [_Folder(path, None) for path in episode_folders(show.root)]
    if len(folders) >= parallel.threshold():
        _read_in_workers(show, folders, cache, now, progress, fingerprints)
    for folder in folders:
        if folder.record is None:  # few of them, or a worker could not
            fingerprints.start.add(fingerprints.take([folder]))
            problems: list[Problem] = []
            episode = read_episode_folder(show, folder.path, problems)
            folder.record = Prepared(episode, tuple(problems))
    return folders


def _is_due(episode: Episode, now: datetime) -> bool:
    return not (episode.removed or episode.draft or episode.date > now)


class _FolderWorker:
    """In a worker process: reads episode folders and makes the due episodes ready, as the
    build's own process would, and returns each record pickled. What it adds to the build cache
    (probes, notes, the records worth keeping) it stores itself, a few batches at a time and once
    more as it exits; where it cannot, it returns that too, for the build's process to store."""

    def __init__(
        self,
        show: Show,
        now: datetime,
        cache: BuildCache,
        folders: Sequence[_Folder],
        fingerprints: _Fingerprints | None,
    ) -> None:
        self.show, self.now, self.folders = show, now, folders
        self.fingerprints = fingerprints  # with them: this worker fingerprints each folder it reads
        self.store = _WorkerStore(cache)
        self.cache = self.store.cache
        self.finish = _Finisher(show, now)
        self.real_root = os.path.realpath(show.root)  # (found once, for every folder's listing)
        self.tail = FOLDER_TAIL * parallel.workers()  # the folders handed out in small batches

    def __call__(self, indexes: Sequence[int]) -> tuple[list[bytes], list, uptodate.FolderPrints | None]:
        folders = [self.folders[index] for index in indexes]
        paths = [folder.path for folder in folders]
        listings = prints = None
        if self.fingerprints is not None:  # each folder listed once, for its fingerprint and its reading
            listings = [FolderListing(self.show.root, path, real_root=self.real_root) for path in paths]
            prints = self.fingerprints.take(folders, listings)
        records = _read_and_ready(
            self.show, self.now, self.cache, self.finish, paths, self.real_root, listings
        )
        made, kept = [], []
        for folder, record in zip(folders, records, strict=True):
            value = pickle_record(record)
            made.append(value)
            if folder.fingerprint is not None and _keepable(self.show, record):
                kept.append((folder.path.name, folder.fingerprint, value))
        self.cache.keep_pickled(kept)
        entries = self.store.after(len(indexes), near_end=indexes[-1] >= len(self.folders) - self.tail)
        return made, entries, prints


class _WorkerStore:
    """A worker's copy of the build cache, and when the worker stores what it made there: every
    SAVE_EVERY folders, each batch near the end (so that little is left to store on exit), and
    once more as it exits; what it cannot store goes back to the build's process."""

    def __init__(self, cache: BuildCache) -> None:
        self.cache = cache.for_worker()
        self.unsaved = 0  # folders since the worker last stored what it made
        if self.cache.shared:
            parallel.at_exit(self.cache.save_pending)

    def after(self, count: int, *, near_end: bool) -> list:
        """After `count` more folders: the entries the build's process must store (none when they
        are stored, or when it is not yet time to)."""
        self.unsaved += count
        if self.cache.shared and self.unsaved < SAVE_EVERY and not near_end:
            return []
        self.unsaved = 0
        return [] if self.cache.save_pending() else self.cache.take_pending()


# Folders a worker reads between storing what it made. Each transaction writes again every page it
# touches (the notes' keys are hashes, spread over all the pages of their index): a few large ones
# write far less than one a batch (at 1,000 episodes a log of 24 MB, not 62).
SAVE_EVERY = 256


_worker: _FolderWorker | None = None  # in a worker process, what it works with


def _start_folder_worker(*arguments) -> None:
    """In a worker process as it starts: its _FolderWorker, made of `arguments`."""
    global _worker
    _worker = _FolderWorker(*arguments)


def _work_on_folders(indexes: Sequence[int]) -> tuple[list[bytes], list, uptodate.FolderPrints | None]:
    assert _worker is not None
    return _worker(indexes)


def _read_in_workers(
    show: Show,
    fresh: list[_Folder],
    cache: BuildCache,
    now: datetime,
    progress: Progress | None,
    fingerprints: _Fingerprints | None = None,
) -> None:
    """Fill in the records of `fresh` folders from worker processes (which store them in the
    build cache, or else this process does as they come back); a batch no worker could do is
    left for this process (its record stays None). With `fingerprints`, the workers fingerprint
    each folder before they read it (its record's key is None until then)."""
    parts = parallel.batches(range(len(fresh)), FOLDER_BATCH, tail=FOLDER_TAIL * parallel.workers())
    done = parallel.in_order(
        _work_on_folders,
        parts,
        initializer=_start_folder_worker,
        initargs=(show, now, cache, fresh, fingerprints),
        progress=progress and (lambda batches: progress(batches, "Reading episodes")),
    )
    cache.commit()  # this process holds no transaction while the workers write theirs
    with collector.paused(frozen=True):
        for indexes, result in done:
            if result is None:
                continue
            made, entries, prints = result
            if fingerprints is not None and prints is not None:
                fingerprints.add([fresh[index] for index in indexes], prints)
            for index, value in zip(indexes, made, strict=True):
                folder = fresh[index]
                folder.record = pickle.loads(value)
                folder.readied = True
                folder.unkept = False
            if entries:  # the worker could not store them
                cache.store(entries)
                cache.commit()


def _keepable(show: Show, record: Prepared) -> bool:
    """A record worth keeping: no errors (they stop the build, and are read again once fixed),
    and nothing read from outside the folder."""
    if record.episode is None or errors_in([*record.problems, *record.ready_problems]):
        return False
    return _in_folder(show, record.ready or record.episode)


class _Finisher:
    """Renders a ready episode's feed item and lints it (lint's rules over one item); the
    renderer and the linter are made on first use, as most builds need neither."""

    def __init__(self, show: Show, now: datetime) -> None:
        self.show, self.now = show, now
        self.item_key = item_key(show)
        self.renderer: feed.ItemRenderer | None = None
        self.linter: ItemLinter | None = None
        # By the item key a record was made with: the tags the settings changed since write.
        self.tags_changed: dict[str | None, frozenset[str] | None] = {}

    def items(self, readies: Sequence[Episode]) -> list[tuple[bytes, ItemLint]]:
        """Each ready episode's <item>, and what lint's rules over one item found in it: all
        rendered, then all linted (each's code stays in the processor's caches, see `_prepare`)."""
        if not readies:
            return []
        renderer, linter = self._made()
        rendered = [renderer.render(ready) for ready in readies]
        return [(item, linter.check(ready, item)) for ready, item in zip(readies, rendered, strict=True)]

    def _made(self) -> tuple[feed.ItemRenderer, ItemLinter]:
        if self.renderer is None or self.linter is None:
            self.renderer = feed.ItemRenderer(self.show)
            self.linter = ItemLinter(self.show, *feed.channel_parts(self.show, []), self.now)
        return self.renderer, self.linter

    def remade(self, record: Prepared, ready: Episode) -> tuple[bytes, ItemLint]:
        """The item of a record kept from a build with other ITEM_ONLY settings, made again of
        `ready` (its ready episode with the notes the item reads), and what lint's rules over
        one item find in it: only those that read a tag the changed settings write run again;
        the others found what they found before (ItemLinter.recheck)."""
        renderer, linter = self._made()
        item = renderer.render(ready)
        if record.item_key not in self.tags_changed:  # (most records were made with the same settings)
            changed = changed_settings(record.item_key, self.item_key)
            self.tags_changed[record.item_key] = None if changed is None else feed.item.tags_written(changed)
        tags = self.tags_changed[record.item_key]
        if tags is None or record.digest is None:
            found = linter.check(ready, item)
        else:
            found = linter.recheck(ready, item, ItemLint(record.lint, record.digest), tags)
        return item, found


def read_catalog(
    root: Path,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    base_url: str | None = None,
) -> Catalog:
    """Read the show directory and everything the feed needs. Writes nothing (but the build cache).

    A podcast.toml with errors does not stop the reading: the episodes are read
    against a provisional show, so every problem of the run is reported together.
    `base_url` replaces the show's (the preview server serves the show at its own address), and
    drops its `enclosure_prefix`.

    An episode folder in which nothing changed since an earlier build (nor podcast.toml, nor
    the code) is not read again: its record in the build cache gives the episode, its feed
    item and the problems reading it found, which are reported again.
    """
    now = now or datetime.now(UTC)
    show, problems = read_show(Path(root))
    if base_url is not None:
        # Served elsewhere (the preview): no analytics prefix, which could not reach that address.
        show = replaced(show, base_url=base_url.rstrip("/") + "/", enclosure_prefix=None)
    catalog = Catalog(show=show, problems=problems)
    with BuildCache(show.root) as cache:
        folders = _read_folders(show, cache, now, progress)
        due = _sort_by_state(catalog, folders, cache, now)
        _publish_due(catalog, due, cache, now, progress)
        cache.close(wait=False)  # the cache's log is copied into its file while the build goes on
    for slug in _unread_folders(show, folders):
        _check_unread_folder(show, f"{EPISODES_DIR}/{slug}", slug, catalog.problems)
    collector.settle()
    return catalog


def _sort_by_state(
    catalog: Catalog, folders: list[_Folder], cache: BuildCache, now: datetime
) -> list[_Folder]:
    """File each episode read as removed, draft or scheduled in `catalog`, and return the
    folders of the due ones, to be made ready (unless they are). Adds the problems reading found."""
    show = catalog.show
    due: list[_Folder] = []
    for folder in folders:
        record = folder.record
        assert record is not None
        catalog.problems.extend(record.problems)
        episode = record.episode
        if episode is None:
            continue
        if folder.unkept and folder.fingerprint and not _is_due(episode, now):
            if _keepable(show, record):  # (a due one is kept once it is ready)
                cache.keep_prepared(episode.slug, folder.fingerprint, record)
        if episode.removed:
            catalog.removed.append(episode)
        elif episode.draft:
            catalog.drafts.append(episode)
        elif episode.date > now:
            catalog.scheduled.append(episode)
        else:
            due.append(folder)
    return due


def _publish_due(
    catalog: Catalog,
    due: list[_Folder],
    cache: BuildCache,
    now: datetime,
    progress: Progress | None,
) -> None:
    """Make the due episodes ready that are not (the slow work ahead, in parallel) and add the
    ready ones to `catalog.published`, with their records and the problems making them ready found."""
    show = catalog.show
    unready = [f.record.episode for f in due if f.record and f.record.ready is None and not f.readied]
    _work_ahead(show, [episode for episode in unready if episode is not None], cache, progress)
    finish = _Finisher(show, now)
    remade = [f for f in due if f.record and f.record.ready and f.record.item_key != finish.item_key]
    if remade:
        _remake_items(show, remade, cache, finish, progress)
    for folder in due:
        record = folder.record
        assert record is not None
        if record.episode is None:  # read again (`_remake_items`), and no longer an episode
            catalog.problems.extend(record.problems)
            continue
        if record.ready is None and not folder.readied:
            record = _make_ready(show, folder.fingerprint, record, cache, finish)
        catalog.problems.extend(record.ready_problems)
        if record.ready is not None:
            catalog.published.append(record.ready)
            catalog.records[record.ready.slug] = record


def _remake_items(
    show: Show, folders: list[_Folder], cache: BuildCache, finish: _Finisher, progress: Progress | None
) -> None:
    """Make again the items (and their lint) of ready records kept from a build with other
    ITEM_ONLY settings (the author, explicit, ...), from their ready episodes and the notes the
    cache keeps: their folders are not read again (but where those notes are gone). Many are
    spread over every core; each is kept again with its new item."""
    done: set[int] = set()
    if len(folders) >= parallel.threshold():
        parts = parallel.batches(range(len(folders)), ITEM_BATCH)
        results = parallel.in_order(
            _remake_in_worker,
            parts,
            initializer=_start_item_worker,
            initargs=(show, finish.now, cache, folders),  # (forked: the workers read the records there)
            progress=progress and (lambda batches: progress(batches, "Making items")),
        )
        cache.commit()  # this process holds no transaction while the workers store the records
        with collector.paused(frozen=True):
            for indexes, result in results:
                if result is None:
                    continue
                made, entries = result
                # Unpickled here, not in the pool's thread: the new items take the memory of the
                # old ones (freed in this thread; another thread allocates from another arena).
                for index, parts_made in zip(indexes, pickle.loads(made), strict=True):
                    if parts_made is None:
                        continue
                    folder = folders[index]
                    assert folder.record is not None
                    item, found, digest = parts_made
                    # As the worker made it and kept it: only what the item settings decide is new.
                    folder.record = replaced(
                        folder.record, item=item, lint=found, digest=digest, item_key=finish.item_key
                    )
                    done.add(index)
                if entries:  # the worker could not store them
                    cache.store(entries)
                    cache.commit()
    for index, folder in enumerate(folders):
        if index in done:
            continue
        assert folder.record is not None
        record = _remade(folder.record, cache, finish)  # few of them, or no worker could
        if record is None:  # its notes are no longer kept: read the folder again
            problems: list[Problem] = []
            episode = read_episode_folder(show, folder.path, problems)
            record = Prepared(episode, tuple(problems))
            if episode is not None and _is_due(episode, finish.now):
                record = _ready_record(show, record, cache, finish)
            if folder.fingerprint and _keepable(show, record):
                cache.keep_prepared(folder.path.name, folder.fingerprint, record)
        elif folder.fingerprint:
            cache.keep_prepared(folder.path.name, folder.fingerprint, record)
        folder.record = record


def _remade(record: Prepared, cache: BuildCache, finish: _Finisher) -> Prepared | None:
    """A kept ready record with its item and the item's lint made again with the show's settings
    now; None when the notes it was made of are no longer in the cache."""
    ready = record.ready
    assert ready is not None
    notes = ready.notes
    if notes is not None and notes.html:  # (the item reads no notes without HTML)
        kept = cache.stored_notes_html(record.notes_key) if record.notes_key else None
        if kept is None or kept[0] != notes.html:
            return None
        notes = replaced(notes, description_html=kept[1])
    item, found = finish.remade(record, replaced(ready, notes=notes))
    return replaced(  # its ready episode as kept: without what the item alone read
        record, episode=ready, item=item, lint=found.problems, digest=found.digest, item_key=finish.item_key
    )


# Items a worker process makes again at a time (`_remake_items`).
ITEM_BATCH = 64


class _ItemWorker:
    """In a worker process of `_remake_items`: makes records' items (and their lint) again, keeps
    the records in the build cache itself (a few batches at a time, and once more as it exits;
    where it cannot, it hands the entries back), and sends back only the new parts of each, which
    the build's process puts into the record it holds: unpickling whole records again there cost
    it more than making the items cost a worker."""

    def __init__(self, show: Show, now: datetime, cache: BuildCache, folders: Sequence[_Folder]) -> None:
        self.folders = folders
        self.finish = _Finisher(show, now)
        self.store = _WorkerStore(cache)
        self.cache = self.store.cache

    def __call__(self, indexes: Sequence[int]) -> tuple[bytes, list]:
        """Each record's new parts, pickled as one list (None for one whose notes the cache no
        longer has: the build reads its folder again), and the entries the worker could not store."""
        made: list[ItemParts | None] = []
        kept = []
        for index in indexes:
            folder = self.folders[index]
            assert folder.record is not None and folder.record.ready is not None
            # (taken before making the item reads them: the record is stored with them as they are)
            ready_parts = unread_parts(folder.record.ready)
            remade = _remade(folder.record, self.cache, self.finish)
            if remade is None:
                made.append(None)
                continue
            assert remade.item is not None and remade.digest is not None
            made.append((remade.item, remade.lint, remade.digest))
            if folder.fingerprint:  # (kept before: nothing that decides it changed)
                kept.append((folder.path.name, folder.fingerprint, pickle_record(remade, ready_parts)))
        self.cache.keep_pickled(kept)
        near_end = indexes[-1] >= len(self.folders) - ITEM_BATCH * parallel.workers()
        return pickle.dumps(made), self.store.after(len(indexes), near_end=near_end)


# What a worker sends back of a record it made again: its item, what lint found in the item,
# the item's digest.
ItemParts = tuple[bytes, tuple[Problem, ...], bytes]

_item_worker: _ItemWorker | None = None  # in a worker process of `_remake_items`


def _start_item_worker(show: Show, now: datetime, cache: BuildCache, folders: list[_Folder]) -> None:
    global _item_worker
    _item_worker = _ItemWorker(show, now, cache, folders)


def _remake_in_worker(indexes: Sequence[int]) -> tuple[bytes, list]:
    assert _item_worker is not None
    return _item_worker(indexes)


def _ready_record(
    show: Show, record: Prepared, cache: BuildCache, finish: _Finisher, listing: FolderListing | None = None
) -> Prepared:
    """A due episode's record made ready (`_ready_records` of one)."""
    return _ready_records(show, [record], cache, finish, [listing])[0]


def _ready_records(
    show: Show,
    records: Sequence[Prepared],
    cache: BuildCache,
    finish: _Finisher,
    listings: Sequence[FolderListing | None],
) -> list[Prepared]:
    """Due episodes' records made ready, their items rendered and linted, and slimmed (`_spent`),
    with what the build writes of them besides (`_outputs`), each in one copy of the record; a
    step at a time over them all (see `_prepare`). `listings`: each episode folder's, when the
    episode was just read with it."""
    episodes = []
    for record in records:
        assert record.episode is not None
        episodes.append(record.episode)
    prepared = _prepare(show, episodes, cache, listings)
    made = iter(finish.items([ready for ready, _, _ in prepared if ready is not None]))
    done = []
    for record, (ready, trouble, notes_key) in zip(records, prepared, strict=True):
        if ready is None:
            done.append(replaced(record, ready=None, ready_problems=tuple(trouble)))
            continue
        item, found = next(made)
        ready = _spent(ready)
        chapters_json, page_key = _outputs(show, ready)
        done.append(
            replaced(
                record,
                episode=ready,  # (the one read differs in nothing a later build reads: slug, date, state)
                ready=ready,
                ready_problems=tuple(trouble),
                item=item,
                lint=found.problems,
                digest=found.digest,
                item_key=finish.item_key,
                notes_key=notes_key,  # where its notes are kept, for its item to be made again (`_remade`)
                chapters_json=chapters_json,
                page_key=page_key,
            )
        )
    return done


def _read_and_ready(
    show: Show,
    now: datetime,
    cache: BuildCache,
    finish: _Finisher,
    paths: Sequence[Path],
    real_root: str,
    listed: Sequence[FolderListing] | None = None,
) -> list[Prepared]:
    """The record of each episode folder at `paths`, read, and made ready when it is due (as a
    worker process does a batch): one listing of each folder serves both, and the due ones
    are made ready together (`_ready_records`). `real_root`: the show's real path. `listed`:
    the folders' listings, when the caller made them."""
    records = []
    listings = []
    for number, path in enumerate(paths):
        problems: list[Problem] = []
        listing = listed[number] if listed else FolderListing(show.root, path, real_root=real_root)
        episode = read_episode_folder(show, path, problems, listing)
        records.append(Prepared(episode, tuple(problems)))
        listings.append(listing)
    due = [i for i, r in enumerate(records) if r.episode is not None and _is_due(r.episode, now)]
    readied = _ready_records(show, [records[i] for i in due], cache, finish, [listings[i] for i in due])
    for index, record in zip(due, readied, strict=True):
        records[index] = record
    return records


def _outputs(show: Show, ready: Episode) -> tuple[bytes | None, bytes | None]:
    """What the build writes of a ready episode besides its item, made once and kept in its
    record: its JSON chapters, and (with pages) its page's key; a build that keeps the record
    reads them from it."""
    chapters_json = chapters.to_json(ready.chapters, show.url_for) if ready.chapters else None
    key = pages.page_key(ready) if show.pages.enabled else None
    return chapters_json, key


def _spent(ready: Episode) -> Episode:
    """A ready episode without what only rendering and linting its item read: the article, the
    notes' sections and the HTML of <description> (all in the item now; a change to a setting
    only items read makes it again with the notes the cache keeps, `_remade`), the chapters of
    the notes and of the audio (`chapters` holds the ones published), and of the notes' plain
    text all but what the episode's pages show of it (pages.summary_source). A catalog of 10,000
    episodes holds half as much, and its records load twice as fast. Its record keeps it as the
    episode as read too."""
    notes = ready.notes
    if notes is not None:
        text = pages.summary_source(notes.text)
        notes = replaced(notes, sections=(), description_html="", chapters=(), text=text)
    return replaced(ready, article="", notes=notes, audio_chapters=())


def _make_ready(
    show: Show, fingerprint: str | None, record: Prepared, cache: BuildCache, finish: _Finisher
) -> Prepared:
    """A due episode's record made ready, its item rendered and linted, and kept in the cache."""
    record = _ready_record(show, record, cache, finish)
    if record.ready is not None and fingerprint and _keepable(show, record):
        cache.keep_prepared(record.ready.slug, fingerprint, record)
    return record


def _put(out: Path, relative: str, data: bytes | Sequence[bytes]) -> Path:
    """Write feeds/<relative> atomically, never through a symlink."""
    target = unlinked_target(out, out / relative, f"{FEEDS_DIR}/{relative}")
    write_atomic(target, data)
    return target


def _write_chapters(
    show: Show,
    episodes: list[Episode],
    out: Path,
    written: WrittenRecord | None = None,
    records: Mapping[str, Prepared] | None = None,
) -> set[Path]:
    """feeds/chapters/<slug>.json for each episode with chapters (and their embedded images).

    Returns every file written, so that the ones no longer wanted can be pruned. With `written`,
    a file that holds what it should since the last build is neither written nor read. An
    episode's JSON is taken from its record in `records` (by slug) when that holds it.
    """

    def put(relative: str, data: bytes) -> Path:
        return written.put(relative, data) if written is not None else _put(out, relative, data)

    wanted: set[Path] = set()
    for episode in episodes:
        if not episode.chapters:
            continue
        for chapter in episode.chapters:
            if chapter.picture is not None and chapter.picture.data and chapter.image:
                if not has_web_scheme(chapter.image):
                    wanted.add(put(chapter.image, chapter.picture.data))
        record = records.get(episode.slug) if records is not None else None
        data = record.chapters_json if record is not None and record.ready is episode else None
        if data is None:
            data = chapters.to_json(episode.chapters, show.url_for)
        wanted.add(put(episode.chapters_path, data))
    return wanted


SIDECAR_FOLDERS = (layout.CHAPTERS_DIR, layout.TRANSCRIPTS_DIR, layout.EPISODE_IMAGES_DIR)


def prune_sidecars(root: Path, wanted: set[Path], out: Path | None = None) -> None:
    """Remove files in feeds/chapters, transcripts and images that the feed no longer links to.

    Runs after the feed is written: a build killed before that leaves the old feed, and
    every file it links to, in place.
    """
    out = out if out is not None else Path(root) / FEEDS_DIR
    keep = {os.fspath(path) for path in wanted}
    for name in SIDECAR_FOLDERS:
        folder = unlinked_target(out, out / name, f"{FEEDS_DIR}/{name}")
        if folder.is_dir():
            _remove_unwanted(folder, keep)
    # Pages of a longer catalog, or of a show that no longer pages its feed.
    if out.is_dir():
        _remove_unwanted(out, keep, feed_pages_only=True)


def _remove_unwanted(folder: Path, keep: set[str], *, feed_pages_only: bool = False) -> None:
    """Remove the files in `folder` (not folders; links to files too) that are not kept."""
    with os.scandir(folder) as entries:
        found = sorted(
            entry.path
            for entry in entries
            if entry.path not in keep
            and (not feed_pages_only or paging.is_page_name(entry.name))
            and _is_file(entry)
        )
    for stale in found:
        os.unlink(stale)


def _is_file(entry: os.DirEntry) -> bool:
    """Path.is_file's answer for a folder entry."""
    try:
        return entry.is_file()
    except OSError:
        return False


def lint_rendered(
    catalog: Catalog,
    rendered: feed.Rendered,
    *,
    now: datetime | None = None,
    out: Path | None = None,
    published_bytes: int | None = None,
    last: lastfeed.LastFeed | None | str = "read",
) -> list[Problem]:
    """Lint the feed `rendered` from `catalog`, against the feed last built (in `out`; or `last`,
    when the caller has read it already).

    What lint's rules over one item found is kept with each item (`Catalog.records`); the rules
    over the whole feed run here. `published_bytes` is the size of the feed.xml apps fetch when
    that is only the first page of the feed (`feed_items`)."""
    now = now or datetime.now(UTC)
    show = catalog.show
    ordered = list(rendered.episodes) or feed.newest_first(catalog.published)
    # (map and attrgetter: C's loops over 10,000 records, each a few times quicker than Python's)
    records = list(map(catalog.records.__getitem__, map(attrgetter("slug"), ordered)))
    digests = list(map(attrgetter("digest"), records))
    if None in digests:
        digests = [digest or b"" for digest in digests]
    if isinstance(last, str):
        last = lastfeed.read(show.root, out)
    findings = check_assembled(
        show,
        ordered,
        rendered.head,
        rendered.tail,
        list(map(attrgetter("lint"), records)),
        digests,
        now=now,
        previous=last.feed if last is not None else None,
        published_bytes=published_bytes if published_bytes is not None else rendered.size,
        channel_linter=ItemLinter(show, *feed.channel_parts(show, []), now),
    )
    if any(p.path == SHOW_FILE and p.field == "base_url" for p in errors_in(catalog.problems)):
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
    rendered = feed.assemble(catalog.show, catalog.published, catalog.items)
    first_page = paging.from_parts(catalog.show, rendered)[0][1]
    problems = catalog.problems + lint_rendered(catalog, rendered, now=now, published_bytes=first_page.size)
    if online:
        problems += lint.check_remote_audio(catalog.published + catalog.scheduled)
    return problems


def dropped_episodes(catalog: Catalog, last: lastfeed.LastFeed | None) -> list[Problem]:
    """An error for each item of the feed last built that this build would leave out.

    A feed is polled by thousands of apps: an episode that vanishes from it is gone
    from their lists. A folder deleted or moved, an emptied episodes/, a GUID edited by
    mistake would otherwise publish quietly. Episodes marked `removed = true` may go.
    """
    if last is None:
        return []
    keep = set(map(attrgetter("guid"), catalog.published)) | {e.guid for e in catalog.removed}
    why = {e.guid: "it is now a draft" for e in catalog.drafts}
    why |= {e.guid: f"it is now scheduled for {e.date.date().isoformat()}" for e in catalog.scheduled}
    problems: list[Problem] = []
    # Each item's GUID as lint's G103 read it (`texts`: made once, for both).
    guids = last.feed.texts("guid")
    if not set(guids) - keep - {""}:
        return problems  # (a set's difference: C's loop, where most builds find none)
    for index, (item, guid) in enumerate(zip(last.feed.items, guids, strict=True)):
        if not guid or guid in keep:
            continue
        title = (item.findtext("title") or "").strip()
        reason = why.get(
            guid, "no episode folder has this GUID now (folder deleted or moved, or its guid edited)"
        )
        problems.append(
            Problem(
                f"{FEEDS_DIR}/{FEED_FILENAME}",
                f"the published episode {title!r} (guid {guid}) would be dropped from the feed: {reason}",
                line=last.line(index),
                hint="put it back; or, to withdraw it, add removed = true to its episode.md "
                "or run `podcast build --allow-removal`",
            )
        )
    return problems


def _lint_partial(catalog: Catalog, now: datetime | None, out: Path) -> list[Problem]:
    """Lint the episodes that could be read, so a build with reading errors reports what lint does."""
    rendered = feed.assemble(catalog.show, catalog.published, catalog.items)
    return lint_rendered(catalog, rendered, now=now, out=out)


def build(
    root: Path,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    strict: bool = False,
    force: bool = False,
    allow_removal: bool = False,
    out: Path | None = None,
    base_url: str | None = None,
) -> BuildResult:
    """Build feeds/feed.xml (and the show's pages). Raises PodcastError with every problem if any is an error.

    The rendered feed is linted before it is written: lint errors (and warnings,
    when `strict`) keep the last feed in place unless `force` is set. Episodes of the
    last feed that this one would leave out stop the build unless `allow_removal` is set
    or they are marked `removed`. `out` and `base_url` build elsewhere for another address
    (the preview server's): feeds/ and the record of the last build are then left alone.
    """
    root = Path(root)
    elsewhere = out is not None
    out = Path(out) if out is not None else root / FEEDS_DIR
    options = {"strict": strict, "force": force, "allow_removal": allow_removal}
    before = None
    if not elsewhere:
        _check_output(root)
        # A build with no records to keep reads every folder: each is fingerprinted as it is read,
        # in the worker processes, which start without waiting for a walk of them all.
        cold = not (root / CACHE_FILE).exists()
        before = uptodate.Snapshot.begin(root, options) if cold else uptodate.Snapshot.take(root, options)
        uptodate.forget(root)  # until this build has succeeded, the next one is a full build
    with uptodate.reading(before):  # the snapshot's walk (or the reading) fingerprints the episode folders
        catalog = read_catalog(root, now=now, progress=progress, base_url=base_url)
    before = before.completed() if before is not None else None
    _stop_on_reading_errors(catalog, now, out)
    show = catalog.show
    # The packaged pages due start rendering in another process while the feed is linted (web/ahead.py).
    planned_pages = site.plan(show, catalog.published, out, catalog.page_keys)
    stated: dict[str, str] = {}  # the pages' folders as their writers left them
    try:
        rendered = feed.assemble(show, catalog.published, catalog.items)
        feed_pages = paging.from_parts(show, rendered)
        _stop_before_writing(catalog, rendered, feed_pages[0][1], root=root, out=out, now=now, **options)
        # Rendered before anything is written: a broken template of the show's leaves feeds/ as it was.
        rendered_pages = site.render(show, catalog.published, out, progress, planned=planned_pages)
        feed_path, changed, pages_changed = _write_output(
            root, out, catalog, rendered_pages, feed_pages, progress, remember=not elsewhere, stated=stated
        )
    finally:
        planned_pages.cancel()  # a build stopped before writing its pages: no more are rendered
    result = BuildResult(feed_path=feed_path, changed=changed, catalog=catalog, pages=tuple(pages_changed))
    if before is not None and not any(p.code in SINCE_LAST_FEED for p in catalog.problems):
        due_next = min((episode.date for episode in catalog.scheduled), default=None)
        uptodate.record(root, before, result.to_dict(), due_next=due_next, stated=stated)
    wait_closed()  # (done long before, at any size that matters): the caller may copy the show next
    return result


def _stop_on_reading_errors(catalog: Catalog, now: datetime | None, out: Path) -> None:
    """Raise when reading the show found an error, with what lint finds in the episodes read."""
    if errors_in(catalog.problems):
        catalog.problems.extend(_lint_partial(catalog, now, out))
        raise PodcastError(
            f"build stopped: {tally(catalog.problems)}; {FEEDS_DIR}/{FEED_FILENAME} was not changed",
            problems=catalog.problems,
        )


def _stop_before_writing(
    catalog: Catalog,
    rendered: feed.Rendered,
    first_page: feed.Rendered,
    *,
    root: Path,
    out: Path,
    now: datetime | None,
    strict: bool,
    force: bool,
    allow_removal: bool,
) -> None:
    """Lint the rendered feed and look for dropped episodes, adding what they find to the
    catalog's problems; raise when either stops the build (nothing is written yet)."""
    last = lastfeed.read(root, out)
    findings = lint_rendered(catalog, rendered, now=now, out=out, published_bytes=first_page.size, last=last)
    unread = lastfeed.unread_because_large(root, out) if last is None else None
    catalog.problems.extend([*findings, *([unread] if unread else [])])
    dropped = [] if allow_removal else dropped_episodes(catalog, last)
    catalog.problems.extend(dropped)
    if lint.failed(findings, strict=strict) and not force:
        blocking = "errors and warnings stop it with --strict" if strict else "errors stop it"
        raise LintFailure(
            f"build stopped: {tally(catalog.problems)} ({blocking}); {FEEDS_DIR}/{FEED_FILENAME} was not"
            " changed (fix them, or run `podcast build --force` to write the feed anyway)",
            problems=catalog.problems,
        )
    if dropped:
        raise PodcastError(
            f"build stopped: {len(dropped)} published episode(s) would be dropped from the feed; "
            f"{FEEDS_DIR}/{FEED_FILENAME} was not changed",
            problems=catalog.problems,
        )


def _write_output(
    root: Path,
    out: Path,
    catalog: Catalog,
    rendered_pages: site.RenderedPages,
    feed_pages: list[tuple[str, feed.Rendered]],
    progress: Progress | None,
    *,
    remember: bool,
    stated: dict[str, str] | None = None,
) -> tuple[Path, bool, list[str]]:
    """Write feeds/: artwork, sidecars, pages, the older feed pages, and feed.xml last (an app
    that fetches it finds everything it links to); then prune. Returns (feed.xml, whether it
    changed, the pages changed). `remember` keeps feed.xml's digest for the next build;
    `stated` is given the pages' folders as written (site.write)."""
    show = catalog.show
    first_page = feed_pages[0][1]
    feed_path = unlinked_target(out, out / FEED_FILENAME, f"{FEEDS_DIR}/{FEED_FILENAME}")
    written = WrittenRecord.load(root, out)
    # feed.xml is written to a temp file and synced in another thread while the rest is written,
    # and put in place last.
    staged_feed = StagedWrite(feed_path, first_page.parts)
    try:
        if show.artwork_path:
            artwork = show.artwork
            written.copy(show.artwork_path, root / artwork, lambda: _source_bytes(root, artwork, "artwork"))
        wanted = _write_chapters(show, catalog.published, out, written, catalog.records)
        wanted |= publish_sidecars(root, catalog.published, out, written)
        pages_changed = site.write(out, rendered_pages, progress, stated=stated)
        wanted |= {_put(out, name, page.parts) for name, page in feed_pages[1:]}  # older feed pages first
        changed = staged_feed.commit()
        if remember:
            _remember_feed(root, feed_path, catalog, first_page)
        prune_sidecars(root, wanted, out)
    except OSError as exc:
        raise _unwritable(root, exc) from None
    finally:
        staged_feed.discard()  # (once committed, nothing)
        written.save()
    return feed_path, changed, pages_changed


# Lint's rules that compare with the feed last built (a GUID changed, the show moved). Once this
# build has written its feed they no longer hold: a report with one of them is not repeated by the
# next build, which builds and says what is true then (as a build from an empty cache would).
SINCE_LAST_FEED = frozenset({"G103", "G105"})


def _remember_feed(root: Path, path: Path, catalog: Catalog, first: feed.Rendered) -> None:
    """Keep a digest of feed.xml (the first page, when the feed is paged) for the next build."""
    ordered = first.episodes  # (in their items' order, as `assemble` put them; not sorted again)
    if len(ordered) != len(first.items):
        ordered = tuple(feed.newest_first(catalog.published)[: len(first.items)])
    records = map(catalog.records.__getitem__, map(attrgetter("slug"), ordered))
    digests = [digest or b"" for digest in map(attrgetter("digest"), records)]
    lastfeed.remember(root, path, first.head, first.items, digests)


def _unwritable(root: Path, exc: OSError) -> PodcastError:
    """The build's error when feeds/ cannot be written: which file, and what to do."""
    problem = write_problem(exc, root)
    return PodcastError(
        f"build stopped: {problem.path} cannot be written; {FEEDS_DIR}/{FEED_FILENAME} was not changed",
        path=problem.path,
        problems=[problem],
    )


# Sidecars copied into feeds/: artwork and episode images (Apple's limit is far below), transcripts.
SIDECAR_MAX_BYTES = 20_000_000


def _source_bytes(root: Path, path: Path | str, what: str) -> bytes:
    """A file of the show to be published: inside the show once links are followed, bounded."""
    return read_bounded(confined(root, Path(path), what), SIDECAR_MAX_BYTES, what)


def _check_output(root: Path) -> None:
    """feeds/ is never written through a link (a file in its place is reported when writing)."""
    unlinked_target(root, root / FEEDS_DIR, FEEDS_DIR)


def publish_sidecars(
    root: Path, episodes: Iterable[Episode], out: Path | None = None, written: WrittenRecord | None = None
) -> set[Path]:
    """Copy what items link to (transcripts, episode images) into feeds/ (or `out`); returns the files.

    `prune_sidecars` later removes the files no episode links to any more, so a
    transcript taken out of an episode is not published on. With `written`, a file copied by an
    earlier build from a source that did not change since is neither copied nor read again.
    """
    out = out if out is not None else root / FEEDS_DIR

    def copy(relative: str, source: Path, what: str) -> Path:
        def read() -> bytes:
            return _source_bytes(root, source, what)

        if written is None:
            return _put(out, relative, read())
        return written.copy(relative, root / source, read)

    wanted: set[Path] = set()
    for episode in episodes:
        for transcript in episode.transcripts:
            what = f"{episode.folder}/{transcript.path.name}"
            wanted.add(copy(transcript.publish_path, transcript.path, what))
        if episode.image_path and episode.image:
            source = Path(episode.folder) / episode.image
            wanted.add(copy(episode.image_path, source, f"{episode.source}: image"))
    return wanted
