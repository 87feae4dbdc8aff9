"""What an import writes: podcast.toml and episodes/<slug>/episode.md, as text.

Pure: plain data in, text out, plus the reading of what an earlier import left.
Every file an import writes carries a stamp line (`# podcast import: <digest>`):
the digest of the rest of the file. A file whose digest still matches was not
edited since, so a re-import may replace it; one that does not match was edited
by hand and is left alone (and the import says so).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import schema
from ..config import FRONT_MATTER_FENCE, front_matter_data, podcast_guid_for
from ..errors import Problem
from ..layout import EPISODE_FILE, EPISODES_DIR, SHOW_FILE, slugify
from ..pagetext import html_text, looks_like_html
from ..schema import Invalid, categories, email, language, person_taxonomy
from ..tomlsyntax import toml_string
from ..weburl import has_web_scheme
from .reader import FeedItem, FeedShow, Notes

STAMP = "# podcast import: "
_STAMP_LINE = re.compile(r"^# podcast import: ([0-9a-f]{16})(?: from ([0-9a-f]{16}))?\n", re.MULTILINE)
PLACEHOLDER_DATE = "2000-01-01"  # for an item with no readable date; it is kept as a draft


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def stamped(text: str, *, after_fence: bool, source: str | None = None) -> str:
    """`text` with its stamp line: first, or just after the opening +++ of front matter.

    `source` is a digest of what the file was made from, so an unchanged item need not be
    rendered again to know its file would not change.
    """
    line = STAMP + digest(text) + (f" from {source}" if source else "") + "\n"
    if after_fence:
        head, rest = text.split("\n", 1)
        return head + "\n" + line + rest
    return line + text


def untouched(text: str) -> bool:
    """Whether a file an import wrote is as it wrote it (a file without a stamp never is)."""
    match = _STAMP_LINE.search(text)
    if match is None:
        return False
    rest = text[: match.start()] + text[match.end() :]
    return match.group(1) == digest(rest)


def made_by_import(text: str) -> bool:
    """Whether the file carries an import's stamp line (edited since or not)."""
    return _STAMP_LINE.search(text) is not None


def made_from(text: str) -> str | None:
    """The digest of what a stamped file was made from, if it records one."""
    match = _STAMP_LINE.search(text)
    return match.group(2) if match else None


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def _moment(when: datetime) -> str:
    return when.isoformat()


@dataclass(frozen=True)
class ShowSettings:
    source: str  # the feed's address (or file) as imported
    base_url: str
    artwork: str | None  # a file in the show directory, or the feed's artwork URL
    recorded_guid: str | None = None  # the podcast:guid an earlier import recorded


def _valid(check, value, notes: Notes, what: str, shown: str | None = None):
    """`check(value)`, or None with a note saying what was left out and why."""
    try:
        return check(value)
    except Invalid as exc:
        notes.add(f"{what} {shown or repr(value)} left out: {exc}")
        return None


def show_guid(show: FeedShow, source: str, recorded: str | None = None) -> str:
    """podcast:guid: the feed's own, else the one an earlier import recorded, else the one the spec
    derives from its URL (as Podcast Index does, once: a feed that moves keeps it)."""
    if show.guid:
        return show.guid
    return recorded or podcast_guid_for(show.self_url or source)


def show_toml(show: FeedShow, settings: ShowSettings, notes: Notes, problems: list[Problem]) -> str:
    """podcast.toml for `show`. Values the feed lacks and the schema requires are reported in `problems`."""
    author = show.author or show.owner_name or show.title or "Untitled show"
    lines = [f"# Imported from {settings.source}"]
    lines += _identity_lines(show, settings, author, notes, problems)
    lines += _setting_lines(show, settings, notes)
    locked_owner = show.locked_owner and _valid(email, show.locked_owner, notes, "podcast:locked owner")
    if show.locked is not None and not locked_owner:
        lines.append(f"locked = {'true' if show.locked else 'false'}")
    lines += _owner_lines(show, author, locked_owner, notes, problems)
    for person in show.persons:
        person_lines = _person_lines(person, notes)
        lines += ["", "[[person]]", *person_lines] if person_lines else []
    lines += _extras_lines(show, notes)
    for url, text in show.funding:
        if has_web_scheme(url) and text:
            lines += ["", "[[funding]]", f"url = {toml_string(url)}", f"text = {toml_string(text)}"]
    lines += [
        "",
        "# What podcast import read; lint warns if guid above ever differs from it.",
        "[imported]",
        f"feed = {toml_string(settings.source)}",
        f"guid = {toml_string(show_guid(show, settings.source, settings.recorded_guid))}",
        "",
    ]
    return stamped("\n".join(lines), after_fence=False)


def _identity_lines(
    show: FeedShow, settings: ShowSettings, author: str, notes: Notes, problems: list[Problem]
) -> list[str]:
    """The keys every show must have: title, description, author, language, addresses, categories."""
    title = show.title or "Untitled show"
    if not show.title:
        problems.append(Problem(SHOW_FILE, "the feed has no title", field="title", severity="warning"))
    if not show.author:
        notes.add("the show has no itunes:author; the owner's name (or the title) written as author")
    code = _valid(language, (show.language or "").strip(), notes, "language") if show.language else None
    if code is None:
        notes.add('the feed states no usable language; "en" written (change it if wrong)')
    lines = [
        f"title = {toml_string(title)}",
        f"description = {toml_string(_plain(show.description) or title)}",
        f"author = {toml_string(author)}",
        f"language = {toml_string(code or 'en')}",
        f"link = {toml_string(show.link or settings.base_url)}",
        f"base_url = {toml_string(settings.base_url)}",
        "# podcast:guid: the show's identity in Podcast Index; keep it when the feed moves",
        f"guid = {toml_string(show_guid(show, settings.source, settings.recorded_guid))}",
    ]
    kept = [c for c in show.categories if _valid(categories, [c], notes, "category", f'"{c}"') is not None]
    if kept:
        lines.append(f"categories = {_list(kept)}")
    else:
        problems.append(
            Problem(
                SHOW_FILE,
                "the feed has no Apple category",
                field="categories",
                hint='add one from Apple\'s list, e.g. categories = ["Society & Culture"]',
            )
        )
    return lines


def _setting_lines(show: FeedShow, settings: ShowSettings, notes: Notes) -> list[str]:
    """The optional top-level keys the feed states: explicit, type, copyright, artwork, medium, …"""
    lines = []
    if show.explicit is not None:
        lines.append(f"explicit = {'true' if show.explicit else 'false'}")
    if show.type in ("episodic", "serial"):
        lines.append(f"type = {toml_string(show.type)}")
    if show.copyright:
        lines.append(f"copyright = {toml_string(show.copyright)}")
    if settings.artwork:
        lines.append(f"artwork = {toml_string(settings.artwork)}")
    medium = None
    if show.medium:
        medium = _valid(
            schema.one_of(*schema.MEDIUMS), show.medium, notes, "podcast:medium", f'"{show.medium}"'
        )
    if medium:
        lines.append(f"medium = {toml_string(medium)}")
    if show.complete:
        lines.append("complete = true")
    if show.block:
        lines.append("block = true")
    return lines


def _owner_lines(
    show: FeedShow, author: str, locked_owner: str | None, notes: Notes, problems: list[Problem]
) -> list[str]:
    """The [owner] table, and [locked] when the feed names whose the lock is."""
    lines = ["", "[owner]", f"name = {toml_string(show.owner_name or author)}"]
    owner_email = _valid(email, show.owner_email, notes, "owner e-mail") if show.owner_email else None
    if owner_email:
        lines.append(f"email = {toml_string(owner_email)}")
    else:
        problems.append(
            Problem(
                SHOW_FILE,
                "the feed has no owner e-mail (itunes:owner)",
                field="owner",
                hint='add email = "you@example.com" under [owner]; Apple writes to it',
            )
        )
    if show.locked is not None and locked_owner:
        lines += ["", "[locked]", f"value = {'true' if show.locked else 'false'}"]
        lines.append(f"owner = {toml_string(locked_owner)}")
    return lines


def _table(key: str, values: dict[str, str | None], check, notes: Notes, *, repeated: bool) -> list[str]:
    """A [key] (or [[key]]) table of the values the schema's own validator accepts."""
    values = {k: v for k, v in values.items() if v}
    if _valid(check, values, notes, key) is None:
        return []
    header = f"[[{key}]]" if repeated else f"[{key}]"
    return ["", header] + [f"{k} = {toml_string(v)}" for k, v in values.items()]


def _extras_lines(show: FeedShow, notes: Notes) -> list[str]:
    lines: list[str] = []
    if show.license:
        identifier, url = show.license
        lines += _table("license", {"name": identifier, "url": url}, schema.license_, notes, repeated=False)
    for place in show.locations:
        lines += _table("location", dict(place), schema.locations, notes, repeated=True)
    for text, purpose in show.txts:
        lines += _table("txt", {"text": text, "purpose": purpose}, schema.txts, notes, repeated=True)
    if show.update_frequency:
        text, rule, _ = show.update_frequency  # dtstart left out: the feed writes it as text, TOML as a date
        values = {"text": text, "rrule": rule}
        lines += _table("update_frequency", values, schema.update_frequency, notes, repeated=False)
    return lines


def _soundbite_lines(start: str, length: str, title: str | None, notes: Notes) -> list[str]:
    try:
        values = {"start": float(start), "duration": float(length)}
    except ValueError:
        notes.add("podcast:soundbite without numeric startTime and duration left out")
        return []
    if title:
        values["title"] = title
    if _valid(schema.soundbites, values, notes, "soundbite", f"at {start} s") is None:
        return []
    shown = {k: (toml_string(v) if isinstance(v, str) else repr(v)) for k, v in values.items()}
    return ["[[soundbite]]"] + [f"{k} = {v}" for k, v in shown.items()]


def _person_lines(person, notes: Notes) -> list[str]:
    """The lines of a [[person]] table; none when the build would refuse the name."""
    if _valid(schema.plain_text, person.name, notes, "podcast:person", f'"{person.name}"') is None:
        return []
    lines = [f"name = {toml_string(person.name)}"]
    taxonomy = person_taxonomy()
    if person.role:
        if person.role.strip().lower() in taxonomy["roles"]:
            lines.append(f"role = {toml_string(person.role.strip().lower())}")
        else:
            notes.add(f"person role {person.role!r} is not in the Podcast Taxonomy; left out")
    if person.group and person.group.strip().lower() in taxonomy["groups"] and person.role:
        lines.append(f"group = {toml_string(person.group.strip().lower())}")
    for key in ("href", "img"):
        value = getattr(person, key)
        if value and has_web_scheme(value):
            lines.append(f"{key} = {toml_string(value)}")
    return lines


def _plain(text: str) -> str:
    if looks_like_html(text) or re.search(r"<[a-z][^>]*>", text):
        return html_text(text).strip()
    return text.strip()


@dataclass(frozen=True)
class EpisodeFiles:
    """What lies in the episode folder besides episode.md."""

    audio: str | None = None  # the downloaded audio's file name


def episode_md(
    item: FeedItem, show: FeedShow, body: str, files: EpisodeFiles, notes: Notes, source: str | None = None
) -> str:
    lines = [FRONT_MATTER_FENCE, f"title = {toml_string(item.title)}"]
    draft = False
    if item.date is not None:
        lines.append(f"date = {_moment(item.date)}")
    else:
        lines.append(f"date = {PLACEHOLDER_DATE}  # the feed gave no readable date: set the real one")
        draft = True
    lines.append("# The GUID the feed published: apps know the episode by it. Never change it.")
    lines.append(f"guid = {toml_string(item.guid)}")
    enclosure = item.enclosure
    if files.audio:
        lines.append(f"audio = {toml_string(files.audio)}")
    elif enclosure is not None:
        lines.append(f"audio_url = {toml_string(enclosure.url)}")
        lines.append(f"length = {enclosure.length}")
        lines.append(f"type = {toml_string(enclosure.type)}")
        if item.duration:
            lines.append(f"duration = {_seconds(item.duration)}")
    else:
        notes.add("items without an enclosure kept as drafts")
        draft = True
    if item.season:
        lines.append(f"season = {item.season}")
    if item.number:
        lines.append(f"episode = {item.number}")
    if item.episode_type in ("trailer", "bonus"):
        lines.append(f"episode_type = {toml_string(item.episode_type)}")
    elif item.episode_type not in (None, "full"):
        notes.add(f"itunes:episodeType {item.episode_type!r} is not one Apple knows; read as full")
    if item.explicit is not None and item.explicit != show.explicit:
        lines.append(f"explicit = {'true' if item.explicit else 'false'}")
    if item.author and item.author != (show.author or show.owner_name):
        lines.append(f"hosts = {_list([item.author])}")
    if item.link and has_web_scheme(item.link):
        lines.append(f"link = {toml_string(item.link)}")
    if item.itunes_title and item.itunes_title != item.title and "<" not in item.itunes_title:
        lines.append(f"itunes_title = {toml_string(item.itunes_title)}")
    if item.image and has_web_scheme(item.image):
        lines.append(f"image = {toml_string(item.image)}")
    if draft:
        lines.append("draft = true")
    if body:
        lines.append('format = "markdown"')
    # Tables last: in TOML, what follows a table header belongs to it.
    if item.license:
        identifier, url = item.license
        lines += _table("license", {"name": identifier, "url": url}, schema.license_, notes, repeated=False)
    for place in item.locations:
        lines += _table("location", dict(place), schema.locations, notes, repeated=True)
    for start, length, title in item.soundbites:
        lines += _soundbite_lines(start, length, title, notes)
    for person in item.persons:
        person_lines = _person_lines(person, notes)
        lines += ["[[person]]", *person_lines] if person_lines else []
    lines.append(FRONT_MATTER_FENCE)
    return stamped("\n".join(lines) + "\n" + body, after_fence=True, source=source)


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0")


def read_guid(path: Path) -> str | None:
    """The guid in an episode.md's front matter, or None when there is none to read."""
    try:
        source = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    data = front_matter_data(source)
    if data is None:
        return None
    guid = data.get("guid")
    return guid.strip() if isinstance(guid, str) else None


def existing_guids(root: Path) -> dict[str, str]:
    """guid → slug of every episode already in the show directory."""
    found: dict[str, str] = {}
    folder = root / EPISODES_DIR
    if not folder.is_dir():
        return found
    for child in sorted(folder.iterdir()):
        guid = read_guid(child / EPISODE_FILE) if child.is_dir() else None
        if guid is not None:
            found.setdefault(guid, child.name)
    return found


def _occupied(folder: Path) -> bool:
    """A folder an episode cannot take: another episode's, or a file in the way."""
    return (folder / EPISODE_FILE).exists() or (folder.exists() and not folder.is_dir())


def assign_slugs(items: Iterable[FeedItem], root: Path, existing: dict[str, str]) -> list[str]:
    """A folder for each item: its own when its guid is known, else one made from its title.

    A folder that holds an episode.md of another episode, or a file of that name, is never taken;
    one without an episode.md (what an interrupted import leaves) is, so a second run completes the first.
    """
    taken = set(existing.values())
    slugs = []
    for item in items:
        if item.guid in existing:
            slugs.append(existing[item.guid])
            continue
        base = slugify(item.title)
        slug, n = base, 1
        while slug in taken or _occupied(root / EPISODES_DIR / slug):
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs.append(slug)
    return slugs
