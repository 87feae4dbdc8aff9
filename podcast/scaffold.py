"""`podcast init` and `podcast new`: write a new show directory or episode folder."""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import audio as audio_files
from .artwork import ARTWORK_MAX_PX, ARTWORK_MIN_PX
from .artwork import refusal as artwork_refusal
from .config import (
    load_show,
    podcast_guid_for,
    usable_slug,
)
from .errors import AudioError, ConfigError, Problem
from .files import write_problem
from .layout import EPISODE_FILE, EPISODES_DIR, FEED_FILENAME, FEEDS_DIR, GITIGNORE, SHOW_FILE, slugify
from .model import AudioFile
from .schema import (
    IMAGE_SUFFIXES,
    Invalid,
    categories,
    email,
    https_url,
    is_loopback,
    language,
    text,
    text_list,
)
from .textfiles import NotUtf8, read_utf8
from .tomlsyntax import toml_string

MARKDOWN_SUFFIXES = (".md", ".markdown")


def _check(problems: list[Problem], field: str, check, value):
    """`check(value)`, or None with the problem added."""
    try:
        return check(value)
    except Invalid as exc:
        problems.append(Problem("command line", str(exc), field=field, hint=exc.hint))
        return None


def _check_https(problems: list[Problem], notices: list[str], field: str, url: str) -> None:
    """A URL the feed serves from must be https (lint U101 stops the build); loopback is a local test."""
    if _check(problems, field, https_url, url) is None or not url.startswith("http://"):
        return
    if is_loopback(url):
        notices.append(
            f"{field} {url} is plain http on this machine: fine for a local test (lint U101 warns);"
            " give the show its https address before publishing it"
        )
        return
    problems.append(
        Problem(
            "command line",
            f"{url} is plain http",
            field=field,
            hint="use its https:// address; Apple and many apps refuse plain http (lint U101)",
        )
    )


@dataclass(frozen=True)
class Created:
    """What `init` or `new` wrote, and the lines the user should read about it (a loopback
    http address, cover art not adopted, audio that looks cut short)."""

    path: Path
    notices: tuple[str, ...] = ()


def init_show(
    root: Path,
    *,
    title: str,
    author: str,
    owner_email: str,
    base_url: str,
    description: str | None = None,
    owner_name: str | None = None,
    language_code: str = "en",
    category: str | Sequence[str] = "Society & Culture",
    link: str | None = None,
) -> Created:
    """Create a show directory with podcast.toml, episodes/ and feeds/.

    What the build would refuse is refused here, every problem at once.
    """
    root = Path(root)
    if (root / SHOW_FILE).exists():
        raise ConfigError(f"{root / SHOW_FILE} already exists; not overwriting it", path=str(root))
    chosen = [category] if isinstance(category, str) else list(category)
    problems: list[Problem] = []
    notices: list[str] = []
    _check(problems, "--email", email, owner_email)
    _check_https(problems, notices, "--base-url", base_url)
    _check(problems, "--language", language, language_code)
    _check(problems, "--category", categories, chosen)
    if link:
        _check(problems, "--link", https_url, link)
    if problems:
        raise ConfigError("cannot create the show", problems=problems)
    base_url = base_url.rstrip("/") + "/"
    lines = [
        f"title = {toml_string(title)}",
        f"description = {toml_string(description or title)}",
        f"author = {toml_string(author)}",
        f"language = {toml_string(language_code)}",
        f"link = {toml_string(link or base_url)}",
        *_address_lines(base_url),
        "categories = [" + ", ".join(toml_string(c) for c in chosen) + "]",
        "explicit = false",
        'type = "episodic"',
        '# artwork = "artwork.jpg"   # square JPEG or PNG, 1400-3000 px',
        "",
        "[owner]",
        f"name = {toml_string(owner_name or author)}",
        f"email = {toml_string(owner_email)}",
        "",
    ]
    _write_show(root, "\n".join(lines))
    return Created(root / SHOW_FILE, tuple(notices))


def _address_lines(base_url: str) -> list[str]:
    """podcast.toml's base_url, and the podcast:guid made once from the feed URL it gives."""
    return [
        f"# Where the contents of {FEEDS_DIR}/ are served; the feed is base_url + {FEED_FILENAME}.",
        f"base_url = {toml_string(base_url)}",
        "# podcast:guid, made once from the first feed URL. Keep it when the URL changes.",
        f"guid = {toml_string(podcast_guid_for(base_url + FEED_FILENAME))}",
    ]


def _write_show(root: Path, show_toml: str) -> None:
    try:
        (root / EPISODES_DIR).mkdir(parents=True, exist_ok=True)
        (root / FEEDS_DIR).mkdir(parents=True, exist_ok=True)
        (root / SHOW_FILE).write_text(show_toml, "utf-8")
        gitignore = root / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text(GITIGNORE, "utf-8")
    except OSError as exc:
        raise _cannot_write(exc, "the show") from None


def _cannot_write(exc: OSError, what: str) -> ConfigError:
    problem = write_problem(exc)
    return ConfigError(f"cannot create {what}", path=problem.path, problems=[problem])


def _tag_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value and len(value) >= 10 else None
    except ValueError:
        return None


def _episode_image(image: Path | None, problems: list[Problem]) -> bytes | None:
    """The bytes of the --image file, if Apple would take it as episode artwork (as lint checks it)."""
    if image is None:
        return None
    path = Path(image)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        problems.append(Problem(str(path), "is not a .jpg or .png file", field="--image",
                                hint="give a square JPEG or PNG, 1400-3000 px"))  # fmt: skip
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(str(path), f"cannot be read: {exc.strerror}", field="--image"))
        return None
    refusal = artwork_refusal(data)
    if refusal is not None:
        wanted = f"give a square JPEG or PNG, {ARTWORK_MIN_PX}-{ARTWORK_MAX_PX} px, RGB"
        problems.append(
            Problem(str(path), f"Apple would refuse it as artwork: {refusal}", field="--image", hint=wanted)
        )
        return None
    return data


@dataclass(frozen=True)
class EpisodeFacts:
    """What a new episode.md says: the options given, filled in from the audio's tags."""

    title: str | None
    on: date | None
    hosts: tuple[str, ...] = ()
    season: int | None = None
    number: int | None = None
    episode_type: str | None = None
    explicit: bool | None = None
    link: str | None = None
    draft: bool = False
    audio: str | None = None  # the audio's file name in the episode folder
    markdown: bool = False  # the article is Markdown
    picture: str | None = None  # the episode image's file name in the episode folder


def new_episode(
    root: Path,
    *,
    title: str | None,
    on: date | None = None,
    audio: Path | None = None,
    notes: Path | None = None,
    slug: str | None = None,
    hosts: tuple[str, ...] = (),
    season: int | None = None,
    number: int | None = None,
    draft: bool = False,
    image: Path | None = None,
    episode_type: str | None = None,
    explicit: bool | None = None,
    link: str | None = None,
) -> Created:
    """Create episodes/<slug>/episode.md with a fresh GUID; copy the audio (and image) in.

    Without audio the episode is a draft, since the build refuses an episode with no audio.
    What the audio's tags say (title, date, artist, track, disc, comment, cover art) fills in
    whatever was not given. What the build would refuse (a slug that cannot be a URL, artwork
    Apple refuses, an http link) is refused here, every problem at once.
    """
    root = Path(root)
    load_show(root)  # refuse to add episodes to something that is not a show
    problems: list[Problem] = []
    notices: list[str] = []
    _check_episode_options(slug, link, episode_type, problems, notices)
    image_data = _episode_image(image, problems)
    found = _read_audio(audio, problems, notices)
    markdown = notes is not None and Path(notes).suffix.lower() in MARKDOWN_SUFFIXES
    audio_name = Path(audio).name if audio is not None else None
    given = EpisodeFacts(title, on, tuple(hosts), season, number, episode_type, explicit, link, draft,
                         audio=audio_name, markdown=markdown)  # fmt: skip
    facts = _checked_title_and_hosts(_with_tags(given, found), problems)
    folder = root / EPISODES_DIR / (slug or slugify(facts.title or ""))
    if folder.exists():
        problems.append(Problem(str(folder), "already exists", hint="choose another --slug"))
    article = _article(notes, found, problems)
    if problems:
        raise ConfigError("cannot create the episode", problems=problems)
    if audio is None and not draft:
        facts = _waiting_for_audio(facts, folder, notices)
    picture = _picture(image, image_data, found, notices)
    facts = dataclasses.replace(facts, picture=picture[0] if picture else None)
    _write_episode(folder, _front_matter(facts) + article, audio, picture)
    return Created(folder / EPISODE_FILE, tuple(notices))


def _waiting_for_audio(facts: EpisodeFacts, folder: Path, notices: list[str]) -> EpisodeFacts:
    """A draft: the build refuses an episode with neither audio nor draft = true."""
    notices.append(
        f"no --audio, so {EPISODES_DIR}/{folder.name}/{EPISODE_FILE} is a draft: put the audio in its"
        ' folder and add audio = "<file name>" (or audio_url = "https://…"), then remove draft = true'
    )
    return dataclasses.replace(facts, draft=True)


def _check_episode_options(
    slug: str | None, link: str | None, episode_type: str | None, problems: list[Problem], notices: list[str]
) -> None:
    if slug is not None and not usable_slug(slug):
        problems.append(
            Problem(
                "command line",
                f"{slug!r} cannot be an episode folder: it becomes part of URLs",
                field="--slug",
                hint="use letters, digits, '-', '_' and '.', starting with a letter or digit, e.g. "
                + slugify(slug),
            )
        )
    if link is not None:
        _check_https(problems, notices, "--link", link)
    if episode_type not in (None, "full", "trailer", "bonus"):
        what = f"{episode_type!r} is not an episode type"
        problems.append(Problem("command line", what, field="--episode-type", hint="full, trailer or bonus"))


def _read_audio(audio: Path | None, problems: list[Problem], notices: list[str]) -> AudioFile | None:
    """The --audio file as the build reads it, or None (a problem added when it cannot be read)."""
    if audio is None:
        return None
    try:
        found = audio_files.read(Path(audio))
    except AudioError as exc:
        problems.append(Problem(str(audio), exc.reason, field="--audio"))
        return None
    if found.info.truncated:
        notices.append(
            f"{Path(audio).name} looks cut short: it holds {found.info.duration:.1f} s of audio;"
            " upload or export it again (podcast build will refuse it)"
        )
    return found


def _with_tags(given: EpisodeFacts, found: AudioFile | None) -> EpisodeFacts:
    """What was not given, from the audio's tags; the date, failing both, is today."""
    if found is None:
        return dataclasses.replace(given, on=given.on or date.today())
    tags = found.tags
    return dataclasses.replace(
        given,
        title=given.title or tags.title,
        on=given.on or _tag_date(tags.date) or date.today(),
        hosts=given.hosts or ((tags.artist,) if tags.artist else ()),
        season=given.season or tags.disc,
        number=given.number or tags.track,
    )


def _checked_title_and_hosts(facts: EpisodeFacts, problems: list[Problem]) -> EpisodeFacts:
    """Check the title and hosts as the build does; with no title at all nothing more can be made."""
    if not facts.title:
        no_title = Problem(
            "command line", "no title", field="--title", hint="give --title (the audio has no title tag)"
        )
        raise ConfigError("cannot create the episode", problems=problems + [no_title])
    _check(problems, "--title", text, facts.title)
    if any(not host.strip() for host in facts.hosts):
        problems.append(Problem("command line", "is empty", field="--host", hint="give each --host a name"))
    elif facts.hosts:
        _check(problems, "--host", text_list, list(facts.hosts))  # a control character, as in the build
    return facts


def _article(notes: Path | None, found: AudioFile | None, problems: list[Problem]) -> str:
    """The article: the --notes file, else the audio's description or comment tag, else none."""
    if notes is not None:
        try:
            return read_utf8(Path(notes)).replace("\r\n", "\n").strip() + "\n"
        except NotUtf8 as exc:
            problems.append(Problem(str(notes), exc.reason, field="--notes", line=exc.line, hint=exc.hint))
        except OSError as exc:
            problems.append(Problem(str(notes), f"cannot be read: {exc.strerror}", field="--notes"))
        return ""
    if found is not None and (found.tags.comment or found.tags.description):
        return (found.tags.description or found.tags.comment or "").strip() + "\n"
    return ""


def _picture(
    image: Path | None, image_data: bytes | None, found: AudioFile | None, notices: list[str]
) -> tuple[str, bytes] | None:
    """The episode image's file name and bytes: --image, else the audio's cover art if Apple takes it."""
    if image_data is not None and image is not None:
        return "image" + Path(image).suffix.lower(), image_data
    if found is None or found.artwork is None or not found.artwork.data:
        return None
    refusal = artwork_refusal(found.artwork.data)
    if refusal is not None:
        notices.append(
            f"the cover art in {found.path.name} was not used as the episode image: {refusal}"
            f" (Apple wants a square JPEG or PNG, {ARTWORK_MIN_PX}–{ARTWORK_MAX_PX} px, RGB)"
        )
        return None
    return "cover" + found.artwork.suffix, found.artwork.data


def _front_matter(facts: EpisodeFacts) -> str:
    """The +++ block of a new episode.md, keys in the order a reader expects them."""
    lines = [
        "+++",
        f"title = {toml_string(facts.title or '')}",
        f"date = {facts.on.isoformat() if facts.on else ''}",
        "# The GUID is permanent: apps use it to tell episodes apart. Never change it.",
        f"guid = {toml_string(str(uuid.uuid4()))}",
    ]
    if facts.audio is not None:
        lines.append(f"audio = {toml_string(facts.audio)}")
    if facts.hosts:
        lines.append("hosts = [" + ", ".join(toml_string(h) for h in facts.hosts) + "]")
    if facts.season is not None:
        lines.append(f"season = {facts.season}")
    if facts.number is not None:
        lines.append(f"episode = {facts.number}")
    if facts.episode_type is not None:
        lines.append(f"episode_type = {toml_string(facts.episode_type)}")
    if facts.explicit is not None:
        lines.append(f"explicit = {'true' if facts.explicit else 'false'}")
    if facts.link is not None:
        lines.append(f"link = {toml_string(facts.link)}")
    if facts.draft:
        lines.append("draft = true")
    if facts.markdown:
        lines.append('format = "markdown"')
    if facts.picture is not None:
        lines.append(f"image = {toml_string(facts.picture)}")
    return "\n".join(lines + ["+++", ""])


def _write_episode(
    folder: Path, episode_md: str, audio: Path | None, picture: tuple[str, bytes] | None
) -> None:
    """Make the episode folder with its episode.md, the audio copied in and the image written."""
    try:
        folder.mkdir(parents=True)
        if audio is not None:
            shutil.copyfile(audio, folder / Path(audio).name)
        if picture is not None:
            name, data = picture
            (folder / name).write_bytes(data)
        (folder / EPISODE_FILE).write_text(episode_md, "utf-8")
    except OSError as exc:
        raise _cannot_write(exc, "the episode") from None
