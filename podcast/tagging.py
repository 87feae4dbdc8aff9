"""`podcast tag`: write each episode's metadata into its audio file.

A file passed around outside any app still says what it is. Tags change the
file's size, so the feed must be rebuilt afterwards (the enclosure length is
the size in bytes).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from . import audio, chapters, layout
from .audio.pictures import picture
from .config import load_episodes, load_show
from .errors import AudioError, ConfigError, PodcastError, Problem, errors_in
from .model import Chapter, Episode, Picture, Show, Tags
from .pipeline import episode_chapters, episode_notes
from .weburl import has_web_scheme

GENRE = "Podcast"


@dataclass(frozen=True)
class Tagged:
    episode: Episode
    path: Path
    chapters: int  # chapters written (formats whose tags hold chapters)
    artwork: bool  # artwork embedded by this run
    resized: bool = True  # the file's size changed, so the feed's enclosure length is stale


class PartlyTagged(PodcastError):
    """Some files could not be tagged; `done` holds the ones that were (their sizes changed)."""

    def __init__(self, message: str, *, problems: list[Problem], done: list[Tagged]) -> None:
        super().__init__(message, problems=problems)
        self.done = done


def tags_for(show: Show, episode: Episode, plain_notes: str) -> Tags:
    """The tags an episode's audio should carry."""
    return Tags(
        title=episode.title,
        artist=", ".join(episode.hosts) or show.author,
        album=show.title,
        date=episode.date.date().isoformat(),
        comment=plain_notes or None,
        description=plain_notes or None,
        track=episode.number,
        disc=episode.season,
        genre=GENRE,
        feed_url=show.feed_url,
        guid=episode.guid,
        podcast=True,
    )


def _show_artwork(show: Show) -> Picture | None:
    if not show.artwork or has_web_scheme(show.artwork):
        return None
    try:
        return picture((show.root / show.artwork).read_bytes())
    except OSError:
        return None


def tag_episodes(root: Path, slugs: tuple[str, ...] = ()) -> tuple[list[Tagged], list[Problem]]:
    """Tag the audio of the named episodes (default: all with local audio).

    Returns what was tagged and the warnings; raises with every problem if any is an error.
    """
    show, problems = load_show(Path(root))
    episodes, episode_problems = load_episodes(show)
    problems += episode_problems
    chosen = _chosen(episodes, slugs, problems)
    cover = _show_artwork(show)
    done: list[Tagged] = []
    if errors_in(problems):
        raise ConfigError("nothing was tagged", problems=problems)
    for episode in chosen:
        if episode.audio is None:
            continue
        tagged = _tag_one(show, episode, cover, problems)
        if tagged is not None:
            done.append(tagged)
    if errors_in(problems):
        raise PartlyTagged(
            f"{len(done)} file(s) tagged, {len(errors_in(problems))} error(s)", problems=problems, done=done
        )
    return done, problems


def _chosen(episodes: list[Episode], slugs: tuple[str, ...], problems: list[Problem]) -> list[Episode]:
    """The episodes named by `slugs` (all when none is named); an error for each name not found."""
    known = {e.slug: e for e in episodes}
    for slug in slugs:
        if slug not in known:
            problems.append(
                Problem(f"episodes/{slug}", "no such episode", hint="give the folder name under episodes/")
            )
    return [known[s] for s in slugs if s in known] if slugs else episodes


def _tag_one(show: Show, episode: Episode, cover: Picture | None, problems: list[Problem]) -> Tagged | None:
    """Write one episode's tags (and chapters, and artwork when it has none) into its audio.

    None when the file was left as it is; `problems` says why.
    """
    assert episode.audio is not None
    try:
        found = audio.read(episode.audio)
        from_audio = chapters.from_audio(found)
        prepared = dataclasses.replace(episode, info=found.info, audio_chapters=from_audio)
        prepared = dataclasses.replace(prepared, notes=episode_notes(show, prepared))
        rendered = prepared.notes
        before = len(errors_in(problems))
        # The same choice, cleaning and end-of-audio check as the build makes.
        chosen_chapters = episode_chapters(show, prepared, problems)
        if len(errors_in(problems)) > before:
            return None  # a broken chapters.json: leave the file as it is rather than half right
        has_file = (show.root / episode.folder / layout.CHAPTERS_FILE).is_file()
        # An editor's chapters stay as they are; ours are rewritten (or removed) every time.
        to_write = None if not has_file and from_audio else chosen_chapters
        where = f"{episode.folder}/{layout.CHAPTERS_FILE}" if has_file else episode.source
        problems.extend(_cut_titles(found.info.format, to_write or (), where))
        # Keep artwork the producer embedded; otherwise give the file the show's.
        artwork = None if found.artwork is not None else cover
        audio.write_tags(
            episode.audio,
            tags_for(show, episode, rendered.text),
            artwork=artwork,
            chapters=to_write,
            duration=found.info.duration,
        )
    except AudioError as exc:
        reason = exc.reason
        problems.append(Problem(episode.source, f"{episode.audio.name}: {reason}", field="audio"))
        return None
    written = len(to_write or ()) if audio.holds_chapters(found.info.format) else 0
    resized = episode.audio.stat().st_size != found.info.size
    return Tagged(episode, episode.audio, written, artwork is not None, resized)


def _cut_titles(audio_format: str, to_write: tuple[Chapter, ...], where: str) -> list[Problem]:
    """A warning for each chapter title too long for the audio's format to hold whole."""
    return [
        Problem(
            where,
            f"chapter {chapter.title[:40]!r}…: its title is longer than the {limit} bytes "
            f"an {audio_format.upper()} file holds; the file carries the first {limit}",
            field="chapters",
            hint="shorten the title to keep it whole in the audio (the feed has it in full)",
            severity="warning",
        )
        for chapter, limit in audio.cut_titles(audio_format, to_write)
    ]
