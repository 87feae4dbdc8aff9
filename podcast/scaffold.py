"""`podcast init` and `podcast new`: write a new show directory or episode folder."""

from __future__ import annotations

import io
import json
import re
import shutil
import unicodedata
import uuid
import warnings
from datetime import date
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from . import audio as audio_files
from .config import (
    EPISODE_FILE,
    EPISODES_DIR,
    FEEDS_DIR,
    SHOW_FILE,
    load_show,
    podcast_guid_for,
)
from .errors import AudioError, ConfigError, Problem
from .lint import ARTWORK_MAX_PX, ARTWORK_MIN_PX, IMAGE_EXTENSIONS
from .model import FEED_FILENAME, AudioFile
from .schema import Invalid, categories, email, https_url, language

GITIGNORE = ".podcast/\n"
MARKDOWN_SUFFIXES = (".md", ".markdown")


def toml_string(value: str) -> str:
    # JSON string syntax is a subset of TOML basic strings, but for DEL, which TOML wants escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:60].rstrip("-") or "episode"


def _check(problems: list[Problem], field: str, check, value):
    try:
        return check(value)
    except Invalid as exc:
        problems.append(Problem("command line", str(exc), field=field, hint=exc.hint))
        return value


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
    category: str = "Society & Culture",
    link: str | None = None,
) -> Path:
    """Create a show directory with podcast.toml, episodes/ and feeds/."""
    root = Path(root)
    if (root / SHOW_FILE).exists():
        raise ConfigError(f"{root / SHOW_FILE} already exists; not overwriting it", path=str(root))
    problems: list[Problem] = []
    _check(problems, "--email", email, owner_email)
    _check(problems, "--base-url", https_url, base_url)
    _check(problems, "--language", language, language_code)
    _check(problems, "--category", categories, [category])
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
        f"categories = [{toml_string(category)}]",
        "explicit = false",
        'type = "episodic"',
        '# artwork = "artwork.jpg"   # square JPEG or PNG, 1400-3000 px',
        "",
        "[owner]",
        f"name = {toml_string(owner_name or author)}",
        f"email = {toml_string(owner_email)}",
        "",
    ]
    (root / EPISODES_DIR).mkdir(parents=True, exist_ok=True)
    (root / FEEDS_DIR).mkdir(parents=True, exist_ok=True)
    (root / SHOW_FILE).write_text("\n".join(lines), "utf-8")
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, "utf-8")
    return root / SHOW_FILE


def _tag_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value and len(value) >= 10 else None
    except ValueError:
        return None


def artwork_refusal(data: bytes) -> str | None:
    """Why an image would fail Apple's artwork rules (lint's I101-I105), or None when it passes."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                kind, (width, height), mode = image.format, image.size, image.mode
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return "it is not an image that can be read"
    if kind not in IMAGE_EXTENSIONS:
        return f"it is {kind}, not JPEG or PNG"
    if width != height:
        return f"it is {width} × {height} px, not square"
    if not ARTWORK_MIN_PX <= width <= ARTWORK_MAX_PX:
        return f"it is {width} × {height} px, not {ARTWORK_MIN_PX}–{ARTWORK_MAX_PX}"
    if mode not in ("RGB", "RGBA", "P", "PA"):
        return f"its colour mode is {mode}, not RGB"
    return None


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
    notices: list[str] | None = None,
) -> Path:
    """Create episodes/<slug>/episode.md with a fresh GUID; copy the audio in.

    What the audio's tags say (title, date, artist, track, disc, comment, cover art)
    fills in whatever was not given explicitly. Lines the user should read (cover art
    not adopted, audio that looks cut short) are appended to `notices`.
    """
    notices = notices if notices is not None else []
    root = Path(root)
    load_show(root)  # refuse to add episodes to something that is not a show
    problems: list[Problem] = []
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
    slug = slug or slugify(title)
    folder = root / EPISODES_DIR / slug
    if folder.exists():
        problems.append(Problem(str(folder), "already exists", hint="choose another --slug"))
    article = ""
    if notes is not None:
        try:
            article = Path(notes).read_text("utf-8").replace("\r\n", "\n").strip() + "\n"
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(notes), f"cannot be read as UTF-8 text: {exc}", field="--notes"))
    if notes is None and found is not None and (found.tags.comment or found.tags.description):
        article = (found.tags.description or found.tags.comment or "").strip() + "\n"
    if problems:
        raise ConfigError("cannot create the episode", problems=problems)
    image = None
    if found is not None and found.artwork is not None and found.artwork.data:
        refusal = artwork_refusal(found.artwork.data)
        if refusal is None:
            image = "cover" + found.artwork.suffix
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
    if draft:
        lines.append("draft = true")
    if notes is not None and Path(notes).suffix.lower() in MARKDOWN_SUFFIXES:
        lines.append('format = "markdown"')
    if image is not None:
        lines.append(f"image = {toml_string(image)}")
    lines += ["+++", ""]
    folder.mkdir(parents=True)
    if audio is not None:
        shutil.copyfile(audio, folder / Path(audio).name)
    if image is not None and found is not None and found.artwork is not None:
        (folder / image).write_bytes(found.artwork.data)
    path = folder / EPISODE_FILE
    path.write_text("\n".join(lines) + article, "utf-8")
    return path
