"""`podcast init` and `podcast new`: write a new show directory or episode folder."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Sequence
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
    notices: list[str] | None = None,
) -> Path:
    """Create a show directory with podcast.toml, episodes/ and feeds/.

    What the build would refuse is refused here (every problem at once); lines the user
    should read (a loopback http base URL) are appended to `notices`.
    """
    root = Path(root)
    notices = notices if notices is not None else []
    if (root / SHOW_FILE).exists():
        raise ConfigError(f"{root / SHOW_FILE} already exists; not overwriting it", path=str(root))
    chosen = [category] if isinstance(category, str) else list(category)
    problems: list[Problem] = []
    _check(problems, "--email", email, owner_email)
    _check_https(problems, notices, "--base-url", base_url)
    _check(problems, "--language", language, language_code)
    _check(problems, "--category", categories, chosen)
    if link:
        _check(problems, "--link", https_url, link)
    if problems:
        raise ConfigError("cannot create the show", problems=problems)
    base_url = base_url.rstrip("/") + "/"
    guid = podcast_guid_for(base_url + FEED_FILENAME)
    lines = [
        f"title = {toml_string(title)}",
        f"description = {toml_string(description or title)}",
        f"author = {toml_string(author)}",
        f"language = {toml_string(language_code)}",
        f"link = {toml_string(link or base_url)}",
        "# Where the contents of feeds/ are served; the feed is base_url + feed.xml.",
        f"base_url = {toml_string(base_url)}",
        "# podcast:guid, made once from the first feed URL. Keep it when the URL changes.",
        f"guid = {toml_string(guid)}",
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
    try:
        (root / EPISODES_DIR).mkdir(parents=True, exist_ok=True)
        (root / FEEDS_DIR).mkdir(parents=True, exist_ok=True)
        (root / SHOW_FILE).write_text("\n".join(lines), "utf-8")
        gitignore = root / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text(GITIGNORE, "utf-8")
    except OSError as exc:
        raise _cannot_write(exc, "the show") from None
    return root / SHOW_FILE


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
    notices: list[str] | None = None,
) -> Path:
    """Create episodes/<slug>/episode.md with a fresh GUID; copy the audio (and image) in.

    Without audio the episode is a draft, since the build refuses an episode with no audio.

    What the audio's tags say (title, date, artist, track, disc, comment, cover art)
    fills in whatever was not given explicitly. What the build would refuse (a slug
    that cannot be a URL, artwork Apple refuses, an http link) is refused here. Lines the
    user should read (cover art not adopted, audio that looks cut short) are appended to
    `notices`.
    """
    notices = notices if notices is not None else []
    root = Path(root)
    load_show(root)  # refuse to add episodes to something that is not a show
    problems: list[Problem] = []
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
    image_data = _episode_image(image, problems)
    if link is not None:
        _check_https(problems, notices, "--link", link)
    if episode_type not in (None, "full", "trailer", "bonus"):
        what = f"{episode_type!r} is not an episode type"
        problems.append(Problem("command line", what, field="--episode-type", hint="full, trailer or bonus"))
    found: AudioFile | None = None
    if audio is not None:
        try:
            found = audio_files.read(Path(audio))
        except AudioError as exc:
            problems.append(Problem(str(audio), exc.reason, field="--audio"))
    if found is not None and found.info.truncated:
        notices.append(
            f"{Path(audio).name} looks cut short: it holds {found.info.duration:.1f} s of audio;"
            " upload or export it again (podcast build will refuse it)"
        )
    if found is not None:
        tags = found.tags
        title = title or tags.title
        on = on or _tag_date(tags.date)
        hosts = hosts or ((tags.artist,) if tags.artist else ())
        season = season or tags.disc
        number = number or tags.track
    on = on or date.today()
    if not title:
        raise ConfigError(
            "cannot create the episode",
            problems=problems
            + [
                Problem(
                    "command line",
                    "no title",
                    field="--title",
                    hint="give --title (the audio has no title tag)",
                )
            ],
        )
    _check(problems, "--title", text, title)
    if any(not host.strip() for host in hosts):
        problems.append(Problem("command line", "is empty", field="--host", hint="give each --host a name"))
    elif hosts:
        _check(problems, "--host", text_list, list(hosts))  # a control character, as in the build
    slug = slug or slugify(title)
    folder = root / EPISODES_DIR / slug
    if folder.exists():
        problems.append(Problem(str(folder), "already exists", hint="choose another --slug"))
    article = ""
    if notes is not None:
        try:
            article = read_utf8(Path(notes)).replace("\r\n", "\n").strip() + "\n"
        except NotUtf8 as exc:
            problems.append(Problem(str(notes), exc.reason, field="--notes", line=exc.line, hint=exc.hint))
        except OSError as exc:
            problems.append(Problem(str(notes), f"cannot be read: {exc.strerror}", field="--notes"))
    if notes is None and found is not None and (found.tags.comment or found.tags.description):
        article = (found.tags.description or found.tags.comment or "").strip() + "\n"
    if problems:
        raise ConfigError("cannot create the episode", problems=problems)
    if audio is None and not draft:
        # The build refuses an episode with neither audio nor draft = true: it waits as a draft.
        draft = True
        notices.append(
            f"no --audio, so {EPISODES_DIR}/{slug}/{EPISODE_FILE} is a draft: put the audio in its folder"
            ' and add audio = "<file name>" (or audio_url = "https://…"), then remove draft = true'
        )
    picture = None
    if image_data is not None and image is not None:
        picture = "image" + Path(image).suffix.lower()
    elif found is not None and found.artwork is not None and found.artwork.data:
        refusal = artwork_refusal(found.artwork.data)
        if refusal is None:
            picture = "cover" + found.artwork.suffix
        else:
            notices.append(
                f"the cover art in {Path(audio).name} was not used as the episode image: {refusal}"
                f" (Apple wants a square JPEG or PNG, {ARTWORK_MIN_PX}–{ARTWORK_MAX_PX} px, RGB)"
            )
    lines = [
        "+++",
        f"title = {toml_string(title)}",
        f"date = {on.isoformat()}",
        "# The GUID is permanent: apps use it to tell episodes apart. Never change it.",
        f"guid = {toml_string(str(uuid.uuid4()))}",
    ]
    if audio is not None:
        lines.append(f"audio = {toml_string(Path(audio).name)}")
    if hosts:
        lines.append("hosts = [" + ", ".join(toml_string(h) for h in hosts) + "]")
    if season is not None:
        lines.append(f"season = {season}")
    if number is not None:
        lines.append(f"episode = {number}")
    if episode_type is not None:
        lines.append(f"episode_type = {toml_string(episode_type)}")
    if explicit is not None:
        lines.append(f"explicit = {'true' if explicit else 'false'}")
    if link is not None:
        lines.append(f"link = {toml_string(link)}")
    if draft:
        lines.append("draft = true")
    if notes is not None and Path(notes).suffix.lower() in MARKDOWN_SUFFIXES:
        lines.append('format = "markdown"')
    if picture is not None:
        lines.append(f"image = {toml_string(picture)}")
    lines += ["+++", ""]
    path = folder / EPISODE_FILE
    try:
        folder.mkdir(parents=True)
        if audio is not None:
            shutil.copyfile(audio, folder / Path(audio).name)
        if picture is not None:
            data = image_data if image_data is not None else found.artwork.data
            (folder / picture).write_bytes(data)
        path.write_text("\n".join(lines) + article, "utf-8")
    except OSError as exc:
        raise _cannot_write(exc, "the episode") from None
    return path
