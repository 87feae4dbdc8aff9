"""`podcast init` and `podcast new`: write a new show directory or episode folder."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import uuid
from datetime import date
from pathlib import Path

from .config import (
    EPISODE_FILE,
    EPISODES_DIR,
    FEEDS_DIR,
    SHOW_FILE,
    Invalid,
    categories,
    email,
    https_url,
    language,
    load_show,
    podcast_guid_for,
)
from .errors import ConfigError, Problem
from .model import FEED_FILENAME

GITIGNORE = ".podcast/\n"


def toml_string(value: str) -> str:
    # JSON string syntax is a subset of TOML basic strings.
    return json.dumps(value, ensure_ascii=False)


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


def new_episode(
    root: Path,
    *,
    title: str,
    on: date,
    audio: Path | None = None,
    notes: Path | None = None,
    slug: str | None = None,
    hosts: tuple[str, ...] = (),
    season: int | None = None,
    number: int | None = None,
    draft: bool = False,
) -> Path:
    """Create episodes/<slug>/episode.md with a fresh GUID; copy the audio in."""
    root = Path(root)
    load_show(root)  # refuse to add episodes to something that is not a show
    slug = slug or slugify(title)
    folder = root / EPISODES_DIR / slug
    problems: list[Problem] = []
    if folder.exists():
        problems.append(Problem(str(folder), "already exists", hint="choose another --slug"))
    if audio is not None and not Path(audio).is_file():
        problems.append(Problem(str(audio), "not found", field="--audio"))
    article = ""
    if notes is not None:
        try:
            article = Path(notes).read_text("utf-8").replace("\r\n", "\n").strip() + "\n"
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(notes), f"cannot be read as UTF-8 text: {exc}", field="--notes"))
    if problems:
        raise ConfigError("cannot create the episode", problems=problems)
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
    lines += ["+++", ""]
    folder.mkdir(parents=True)
    if audio is not None:
        shutil.copyfile(audio, folder / Path(audio).name)
    path = folder / EPISODE_FILE
    path.write_text("\n".join(lines) + article, "utf-8")
    return path
