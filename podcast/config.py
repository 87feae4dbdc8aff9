"""podcast.toml and episodes/<slug>/episode.md → the model.

Each file is checked against a schema of known keys (mkdocs' way): every problem
is collected with its file and line, unknown keys are errors (Pelican's lesson:
a misspelt key must not be silently ignored), and one `ConfigError` carries them
all to the caller.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from time import time_ns
from typing import Any

from . import simpletoml, tomlsyntax
from .errors import ConfigError, PodcastError, Problem, errors_in
from .files import FolderListing, OutsideShow, TooLarge, confined, read_bounded
from .layout import EPISODE_FILE, EPISODES_DIR, FEED_FILENAME, SHOW_FILE
from .model import (
    AlternateAudio,
    Episode,
    Locked,
    Pages,
    PublishSettings,
    RemoteAudio,
    Show,
)
from .schema import EPISODE_SCHEMA, REMOTE_AUDIO_KEYS, SHOW_SCHEMA, Invalid, Key, show_value
from .textfiles import NotUtf8, decode_utf8
from .uptodate import RACY_NS
from .weburl import has_web_scheme

FRONT_MATTER_FENCE = "+++"

# The most a podcast.toml or an episode.md may hold; the longest real article is far smaller.
SHOW_FILE_MAX_BYTES = 1_000_000
EPISODE_FILE_MAX_BYTES = 5_000_000

# The Podcasting 2.0 namespace's fixed UUIDv5 namespace for podcast:guid.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

# ---------------------------------------------------------------- reading


# Places in key_lines' map that are not keys (no key contains "<"): where a missing key would go.
FIRST_TABLE = "<first table>"  # the first [table] header: top-level keys go above it
TOML_END = "<end>"  # the line after the TOML (in episode.md, the closing +++)


_TABLE_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]")
# A bare or quoted key; of a dotted key (title.x = …), the key it is under.
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")


def key_lines(toml_text: str, first_line: int = 1) -> dict[str, int]:
    """Map each key (dotted under its [table]) to the line it is written on."""
    lines: dict[str, int] = {}
    table = ""
    entries: dict[str, int] = {}
    text_lines = tomlsyntax.toml_lines(toml_text)
    lines[TOML_END] = first_line + len(text_lines)
    for number, line in enumerate(text_lines, start=first_line):
        header = _TABLE_HEADER.match(line) if "[" in line else None
        if header:
            name = header.group(2)
            lines.setdefault(FIRST_TABLE, number)
            table = name + "."
            lines.setdefault(name, number)
            if header.group(1) == "[[":
                entries[name] = entries.get(name, 0) + 1
                lines[f"{name}[{entries[name]}]"] = number
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault(table + key.group(1).strip("\"'"), number)
    return lines


def parse_toml(toml_text: str, path: str, first_line: int, problems: list[Problem]) -> dict | None:
    """The TOML's tables, or None with its syntax error added to `problems` (in words, with its line)."""
    simple = simpletoml.loads(toml_text)
    if simple is not None:
        return simple
    return _parse_toml_fully(toml_text, path, first_line, problems)


def _toml_and_lines(
    toml_text: str, path: str, first_line: int, problems: list[Problem]
) -> tuple[dict, dict[str, int]] | None:
    """`parse_toml` and `key_lines` of the TOML at once: simple TOML (most front matter) says
    where each key is as it is read."""
    found: dict[str, int] = {}
    simple = simpletoml.loads(toml_text, found, first_line)
    if simple is not None:
        # In key_lines' order: the end first, then each key (no [table] in simple TOML).
        lines = {TOML_END: first_line + len(tomlsyntax.toml_lines(toml_text))}
        lines.update(found)
        return simple, lines
    data = _parse_toml_fully(toml_text, path, first_line, problems)
    return None if data is None else (data, key_lines(toml_text, first_line))


def _parse_toml_fully(toml_text: str, path: str, first_line: int, problems: list[Problem]) -> dict | None:
    """`parse_toml` by tomllib, which reads any TOML and words every error."""
    try:
        return tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        found = tomlsyntax.explain(toml_text, exc, first_line=first_line)
        problems.append(Problem(path, found.message, field=found.key, line=found.line, hint=found.hint))
        return None


def _apply_schema(
    data: dict, schema: dict[str, Key], path: str, lines: dict[str, int], problems: list[Problem]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in data.items():
        key = schema.get(name)
        if key is None:
            import difflib  # (only for a mistake)

            close = difflib.get_close_matches(name.lower().replace("-", "_"), schema, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(schema)
            problems.append(Problem(path, "unknown key", field=name, line=lines.get(name), hint=hint))
            continue
        try:
            values[name] = key.validate(value)
        except Invalid as exc:
            for fault in exc.each():
                line = lines.get(f"{name}[{fault.index}]", lines.get(name))
                problems.append(
                    Problem(path, str(fault), field=name, line=line, hint=fault.hint, code=key.code)
                )
    # The values of [table]s the schema knows: a key missing from the top may be in one.
    tables = [
        (table, value)
        for table, value in data.items()
        if isinstance(value, dict) and table in schema and schema[table].table
    ]
    # Without tables, only a required key can be missing to any effect (most front matter).
    for name, key in schema.items() if tables else _required(schema):
        if name in data:
            continue
        under = _table_holding(name, tables) if tables else None
        if under is not None:  # written below a [table] header, so TOML put it in that table
            problems.append(
                Problem(
                    path,
                    f"is below the [{under}] header, so it is read as part of [{under}]",
                    field=name,
                    line=lines.get(f"{under}.{name}"),
                    hint=f"move it above the [{under}] line (line {lines.get(under)}):"
                    " a key below a [table] header belongs to that table",
                )
            )
        elif key.required:
            todo = key.hint or f"add {name} = …"
            if key.table:
                line, where = None, f"{todo}: a [{name}] table, at the end of the file"
            elif FIRST_TABLE in lines:
                line, where = lines[FIRST_TABLE], f"{todo}, above this line (keys below a [table] are in it)"
            else:
                line, where = lines.get(TOML_END), f"{todo}, above this line"
            problems.append(Problem(path, "missing", field=name, line=line, hint=where))
    return values


# The required keys of each schema (there are two, module constants), in the schema's order.
_REQUIRED = {
    id(schema): (schema, tuple((name, key) for name, key in schema.items() if key.required))
    for schema in (SHOW_SCHEMA, EPISODE_SCHEMA)
}


def _required(schema: dict[str, Key]) -> tuple[tuple[str, Key], ...]:
    """The schema's required keys, in its order."""
    held = _REQUIRED.get(id(schema))
    if held is not None and held[0] is schema:
        return held[1]
    return tuple((name, key) for name, key in schema.items() if key.required)


def _table_holding(name: str, tables: list[tuple[str, dict]]) -> str | None:
    """The first of the (name, value) [tables] that holds the top-level key `name`, when one does."""
    for table, value in tables:
        if name in value:
            return table
    return None


def podcast_guid_for(feed_url: str) -> str:
    """podcast:guid per the Podcasting 2.0 spec: UUIDv5 of the feed URL sans scheme."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


# Stand-ins for required values that are missing or invalid, so a podcast.toml with
# errors still lets the episodes be read and linted (every problem reported in one
# run). A show built from them is provisional: the build never writes it.
PROVISIONAL_VALUES: dict[str, Any] = {
    "title": "(title)",
    "description": "(description)",
    "author": "(author)",
    "owner": {"name": "(owner)", "email": "owner@example.invalid"},
    "language": "en",
    "link": "https://example.invalid/",
    "base_url": "https://example.invalid/",
    "categories": (("Society & Culture", None),),
}


def load_show(root: Path) -> tuple[Show, list[Problem]]:
    """Read podcast.toml. Raises ConfigError if it is missing or has errors."""
    show, problems = read_show(root)
    if errors_in(problems):
        raise ConfigError(f"{SHOW_FILE} has errors", path=SHOW_FILE, problems=problems)
    return show, problems


def read_show(root: Path) -> tuple[Show, list[Problem]]:
    """Read podcast.toml, collecting its problems instead of stopping at them.

    Raises ConfigError only when there is no podcast.toml, or it cannot be read
    or parsed. With invalid or missing values the show is provisional (safe
    stand-ins replace them): good enough to read and lint the episodes, never to
    write a feed; the problems say what to fix.
    """
    problems: list[Problem] = []
    toml_text = _show_text(root)
    data = parse_toml(toml_text, SHOW_FILE, 1, problems)
    if data is None:
        raise ConfigError(f"{SHOW_FILE} has errors", path=SHOW_FILE, problems=problems)
    lines = key_lines(toml_text)
    values = _apply_schema(data, SHOW_SCHEMA, SHOW_FILE, lines, problems)
    _confine_artwork(root, values, lines, problems)
    for name, stand_in in PROVISIONAL_VALUES.items():
        values.setdefault(name, stand_in)
    base_url = values["base_url"].rstrip("/") + "/"
    show = Show(
        root=root,
        title=values["title"],
        description=values["description"],
        author=values["author"],
        owner_name=values["owner"]["name"],
        owner_email=values["owner"]["email"],
        language=values["language"],
        link=values["link"],
        base_url=base_url,
        guid=values.get("guid") or _derived_show_guid(base_url, problems),
        artwork=values.get("artwork"),
        categories=values["categories"],
        explicit=values.get("explicit", False),
        type=values.get("type", "episodic"),
        copyright=values.get("copyright"),
        timezone=values.get("timezone", "UTC"),
        chapters_from=values.get("chapters", "timestamps"),
        simple_chapters=values.get("simple_chapters", False),
        feed_items=values.get("feed_items"),
        lines=lines,
        **_show_extras(values),
    )
    _check_artwork_file(show, problems)
    return show, problems


def _show_text(root: Path) -> str:
    """podcast.toml's text; ConfigError when it is missing, too large or not UTF-8."""
    path = root / SHOW_FILE
    if not path.is_file():
        raise ConfigError(
            f"{path}: not found; is {root} a show directory? (run `podcast init DIR` to make one)",
            path=str(path),
        )
    try:
        return decode_utf8(read_bounded(path, SHOW_FILE_MAX_BYTES, SHOW_FILE))
    except NotUtf8 as exc:
        bad = Problem(str(path), exc.reason, line=exc.line, hint=exc.hint)
        raise ConfigError(f"{SHOW_FILE} cannot be read", path=str(path), problems=[bad]) from None
    except TooLarge as exc:
        raise ConfigError(str(exc), path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})", path=str(path)) from None


def _derived_show_guid(base_url: str, problems: list[Problem]) -> str:
    """The podcast:guid of a show that has none, with a warning to pin it."""
    show_guid = podcast_guid_for(base_url + FEED_FILENAME)
    if not any(p.field == "guid" for p in problems):  # an invalid or misplaced one is reported
        problems.append(
            Problem(
                SHOW_FILE,
                "not set; derived from the feed URL for now",
                field="guid",
                severity="warning",
                hint=f'pin it so it survives a move: guid = "{show_guid}"',
            )
        )
    return show_guid


def _check_artwork_file(show: Show, problems: list[Problem]) -> None:
    """Artwork named by path must be there: it is copied to feeds/ and published."""
    if show.artwork and not has_web_scheme(show.artwork) and not (show.root / show.artwork).is_file():
        problems.append(
            Problem(
                SHOW_FILE,
                f"{show.artwork} not found in the show directory",
                field="artwork",
                line=show.lines.get("artwork"),
                hint="put a square JPEG or PNG of 1400-3000 px there",
            )
        )


def _confine_artwork(
    root: Path, values: dict[str, Any], lines: dict[str, int], problems: list[Problem]
) -> None:
    """Artwork named by path must be a file inside the show: it is copied to feeds/ and published."""
    artwork = values.get("artwork")
    if not artwork or has_web_scheme(artwork):
        return
    try:
        confined(root, Path(artwork), "artwork")
    except OutsideShow:
        del values["artwork"]  # never read, not even by lint
        problems.append(
            Problem(
                SHOW_FILE,
                f"{artwork} is outside the show directory (after following links); it would be published",
                field="artwork",
                line=lines.get("artwork"),
                hint='copy the image into the show directory and name it there, e.g. artwork = "artwork.jpg"',
            )
        )


def split_front_matter(source: str, path: str, problems: list[Problem]) -> tuple[str, int, str] | None:
    """Split episode.md into (toml text, its first line number, article text)."""
    plain = _split_plainly(source)
    if plain is not None:
        return plain
    return _split_by_lines(source, path, problems)


# What str.splitlines ends a line at, besides a line feed.
_OTHER_LINE_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _split_plainly(source: str) -> tuple[str, int, str] | None:
    """`split_front_matter` of an episode.md (most) whose fences are bare +++ lines ended by line
    feeds, with no other +++ and no other line break before the closing one: found with two
    searches, not by splitting its head into lines. None for any other."""
    if not source.startswith("+++\n"):
        return None
    end = source.find("\n+++\n", 3)  # the line feed that ends the front matter's last line
    if end < 0:
        return None
    toml_text = source[4 : end + 1]
    if FRONT_MATTER_FENCE in toml_text or any(mark in toml_text for mark in _OTHER_LINE_BREAKS):
        return None  # (a line of it may be a fence, or lines end elsewhere than its line feeds)
    return toml_text, 2, source[end + 5 :]


def _split_by_lines(source: str, path: str, problems: list[Problem]) -> tuple[str, int, str] | None:
    """`split_front_matter`, line by line as str.splitlines has them."""
    lines = _head_lines(source)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        problems.append(
            Problem(
                path,
                "does not start with a +++ line",
                line=1,
                hint="put the TOML front matter between two +++ lines at the top",
            )
        )
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == FRONT_MATTER_FENCE:
            article_start = sum(map(len, lines[: index + 1]))  # the lines partition the source
            return "".join(lines[1:index]), 2, source[article_start:]
    problems.append(
        Problem(path, "front matter is never closed", line=1, hint="add a +++ line after the last key")
    )
    return None


# Front matter is a few hundred bytes: the lines of this much of an episode.md hold it.
_HEAD_CHARS = 4096


def _head_lines(source: str) -> list[str]:
    """source.splitlines(keepends=True), or enough of its first lines to hold the front matter
    and its closing +++ line: an article of kilobytes is not split into lines for nothing."""
    if len(source) > _HEAD_CHARS:
        lines = source[:_HEAD_CHARS].splitlines(keepends=True)
        del lines[-1]  # perhaps cut short (or a "\r" whose "\n" is past the cut)
        if len(lines) > 1 and any(line.strip() == FRONT_MATTER_FENCE for line in lines[1:]):
            return lines
    return source.splitlines(keepends=True)


def front_matter_data(source: str) -> dict[str, Any] | None:
    """The TOML of an episode.md's front matter as written (no schema), or None when it cannot be read.

    For a reader that only looks for a key or two (import finding its GUIDs and stamps in
    the episodes already there); the build and the preview check the front matter with
    `read_front_matter`.
    """
    parts = split_front_matter(source, EPISODE_FILE, [])
    if parts is None:
        return None
    try:
        return tomllib.loads(parts[0])
    except tomllib.TOMLDecodeError:
        return None


def episode_date(value: Any, zone: str) -> datetime:
    """A TOML date (midnight in the show's zone) or an offset datetime."""
    if isinstance(value, str):
        try:
            value = (
                datetime.fromisoformat(value)
                if "T" in value or " " in value.strip()
                else date.fromisoformat(value)
            )
        except ValueError:
            raise Invalid(
                f"expected YYYY-MM-DD, got {show_value(value)}", "use the ISO form, e.g. 2025-04-02"
            ) from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise Invalid(
                "has a time but no time zone",
                "add an offset, e.g. 2025-04-02T09:00:00+01:00, or give only the date",
            )
        return value
    if isinstance(value, date):
        from zoneinfo import ZoneInfo  # (only for a date without a time: most shows write times)

        return datetime.combine(value, time(0, 0), tzinfo=ZoneInfo(zone))
    raise Invalid(f"expected YYYY-MM-DD, got {show_value(value)}", "use the ISO form, e.g. 2025-04-02")


_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def usable_slug(name: str) -> bool:
    """An episode folder name the build takes: it becomes part of URLs."""
    return bool(_SLUG.match(name))


def episode_guid_for(show_guid: str, slug: str) -> str:
    """The fallback GUID of an episode whose front matter has none.

    Derived from the show's podcast:guid and the folder name only, so it is stable
    across builds; it changes if the folder is renamed, which is why we warn.
    """
    try:
        namespace = uuid.UUID(show_guid)
    except ValueError:
        namespace = uuid.uuid5(PODCAST_GUID_NAMESPACE, show_guid)
    return str(uuid.uuid5(namespace, slug))


@dataclass(frozen=True)
class FrontMatter:
    """An episode.md read and checked against the episode schema: what it says, and where."""

    data: dict[str, Any]  # the TOML as written
    values: dict[str, Any]  # the keys the schema took, validated (the date in the show's zone)
    lines: dict[str, int]  # key -> its line in episode.md
    article: str  # the text after the closing +++


def read_front_matter(
    source: str, rel: str, problems: list[Problem], timezone: str = "UTC"
) -> FrontMatter | None:
    """The front matter of an episode.md's text, checked as the build checks it.

    Every problem is added to `problems`, named by `rel` and the line; None when the
    front matter cannot be read at all (no +++ lines, not TOML). A date without a time is
    midnight in `timezone`, the show's.
    """
    parts = split_front_matter(source, rel, problems)
    if parts is None:
        return None
    toml_text, first_line, article = parts
    read = _toml_and_lines(toml_text, rel, first_line, problems)
    if read is None:
        return None
    data, lines = read
    values = _apply_schema(data, EPISODE_SCHEMA, rel, lines, problems)
    if "date" in values:
        try:
            values["date"] = episode_date(values["date"], timezone)
        except Invalid as exc:
            del values["date"]
            problems.append(Problem(rel, str(exc), field="date", line=lines.get("date"), hint=exc.hint))
    return FrontMatter(data, values, lines, article)


def load_episode(
    show: Show, folder: Path, problems: list[Problem], listing: FolderListing | None = None
) -> Episode | None:
    """Read episodes/<slug>/episode.md against `show`; None when it has errors (added to `problems`).

    `listing` is the folder's, when the caller has one (read_episode_folder)."""
    slug = folder.name
    rel = f"{EPISODES_DIR}/{slug}/{EPISODE_FILE}"
    if not usable_slug(slug):
        problems.append(
            Problem(
                f"{EPISODES_DIR}/{slug}",
                "folder name is not usable in a URL",
                hint="rename it with letters, digits, '-', '_' or '.' only",
            )
        )
        return None
    if listing is None:
        listing = FolderListing(show.root, folder)
    source = _episode_source(listing, rel, problems)
    if source is None:
        return None
    before = len(problems)
    front = read_front_matter(source, rel, problems, show.timezone)
    if front is None:
        return None
    audio = _local_audio(listing, rel, front, problems)
    remote = _remote_audio(front.values, front.data, rel, front.lines, problems)
    _check_episode_files(listing, front.values, rel, front.lines, problems)
    if errors_in(problems[before:]):
        return None
    return _episode(show, folder, rel, front, audio, remote, problems)


def _episode_source(listing: FolderListing, rel: str, problems: list[Problem]) -> str | None:
    """The text of an episode.md inside the show; None with a problem when it cannot be read."""
    try:
        return decode_utf8(listing.read_bounded(EPISODE_FILE, EPISODE_FILE_MAX_BYTES, rel))
    except NotUtf8 as exc:
        problems.append(Problem(rel, exc.reason, line=exc.line, hint=exc.hint))
    except PodcastError as exc:
        problems.append(
            Problem(rel, _refusal(exc), hint="keep the show's files inside its directory, as files")
        )
    except OSError as exc:
        problems.append(Problem(rel, f"cannot be read: {exc.strerror}"))
    return None


def _local_audio(
    listing: FolderListing, rel: str, front: FrontMatter, problems: list[Problem]
) -> Path | None:
    """The audio file the front matter names, which must be a file in the episode folder."""
    values, lines = front.values, front.lines
    where = {"field": "audio", "line": lines.get("audio")}
    if "audio" not in values:
        written = {"audio", "audio_url"} & set(front.data)  # a bad value of either is reported already
        if not (values.get("draft") or values.get("removed") or written):
            problems.append(
                Problem(
                    rel,
                    "no audio",
                    field="audio",
                    line=lines.get(TOML_END),
                    hint='add audio = "<file in this folder>" or audio_url = "https://…" above this line,'
                    " or draft = true",
                )
            )
        return None
    name, folder = values["audio"], listing.folder
    audio = folder / name
    if not _plain_name(name) and Path(name).name != name:
        problems.append(
            Problem(rel, "must be a file name in the episode folder", hint="move the file next to episode.md",
                    **where)  # fmt: skip
        )
    elif listing.is_outside(name):
        problems.append(_outside_problem(rel, "audio", name, lines))
    elif (kind := listing.kind(name)) == stat.S_IFDIR:
        hint = 'name the audio file itself, e.g. audio = "episode.mp3", next to episode.md'
        problems.append(Problem(rel, f"{name} is a folder, not an audio file", hint=hint, **where))
    elif kind != stat.S_IFREG and not values.get("removed", False):
        problems.append(
            Problem(rel, f"{name} not found in {EPISODES_DIR}/{folder.name}/",
                    hint="copy the audio file there or fix the name", **where)  # fmt: skip
        )
    return audio


def _episode(
    show: Show,
    folder: Path,
    rel: str,
    front: FrontMatter,
    audio: Path | None,
    remote: RemoteAudio | None,
    problems: list[Problem],
) -> Episode:
    """The model of an episode whose front matter has no errors."""
    values, slug = front.values, folder.name
    draft = values.get("draft", False)
    guid_value = values.get("guid")
    if guid_value is None and not draft:
        guid_value = episode_guid_for(show.guid, slug)
        problems.append(
            Problem(
                rel,
                "not set; derived from the folder name for now",
                field="guid",
                severity="warning",
                hint=f'pin it before publishing: guid = "{guid_value}"',
            )
        )
    return Episode(
        slug=slug,
        source=rel,
        title=values["title"],
        date=values["date"],
        guid=guid_value or episode_guid_for(show.guid, slug),
        audio=audio,
        remote_audio=remote if audio is None else None,  # a local file, once there, wins
        season=values.get("season"),
        number=values.get("episode"),
        episode_type=values.get("episode_type", "full"),
        explicit=values.get("explicit"),
        hosts=values.get("hosts", ()),
        draft=draft,
        removed=values.get("removed", False),
        article=front.article.strip("\n"),
        article_format=values.get("format", "text"),
        link=values.get("link"),
        chapters_from=values.get("chapters"),
        lines=front.lines,
        **_episode_extras(values, folder),
    )


def _plain_name(name: str) -> bool:
    """A name that is its own Path(name).name, told without making a Path."""
    return "/" not in name and name not in ("", ".")


def _remote_audio(
    values: dict[str, Any], data: dict, rel: str, lines: dict[str, int], problems: list[Problem]
) -> RemoteAudio | None:
    """audio_url with the length and type the enclosure states (and the duration, if known)."""
    extras = [k for k in REMOTE_AUDIO_KEYS[1:] if k in data]
    if "audio_url" not in data:
        for key in extras:
            problems.append(
                Problem(
                    rel,
                    "describes audio_url, which is not set",
                    field=key,
                    line=lines.get(key),
                    hint='add audio_url = "https://…" or remove this key',
                )
            )
        return None
    needed = (("length", "length = 48163712 (the file's size in bytes)"), ("type", 'type = "audio/mpeg"'))
    for key, example in needed:
        if key not in data:
            problems.append(
                Problem(
                    rel,
                    "missing: audio_url needs it for the enclosure",
                    field=key,
                    line=lines.get("audio_url"),
                    hint=f"add {example}",
                )
            )
    if not all(k in values for k in ("audio_url", "length", "type")):
        return None
    if values["length"] == 0:
        problems.append(
            Problem(
                rel,
                "0: the size of the audio is not known",
                field="length",
                line=lines.get("length"),
                severity="warning",
                hint="write the file's size in bytes; `podcast lint --online` shows the server's figure",
            )
        )
    return RemoteAudio(values["audio_url"], values["length"], values["type"], values.get("duration"))


def _show_extras(values: dict[str, Any]) -> dict[str, Any]:
    """Show fields for the Podcasting 2.0 and Apple extras."""
    lock = values.get("locked")
    if lock is not None and lock.owner is None:
        lock = Locked(lock.locked, values["owner"]["email"])
    return {
        "persons": values.get("person", ()),
        "funding": values.get("funding", ()),
        "locked": lock,
        "medium": values.get("medium"),
        "license": values.get("license"),
        "locations": values.get("location", ()),
        "txts": values.get("txt", ()),
        "update_frequency": values.get("update_frequency"),
        "new_feed_url": values.get("new_feed_url"),
        "block": values.get("block", False),
        "complete": values.get("complete", False),
        "pages": values.get("pages", Pages()),
        "imported_from": values.get("imported", {}).get("feed"),
        "imported_guid": values.get("imported", {}).get("guid"),
        "enclosure_prefix": values.get("enclosure_prefix"),
        "publish": values.get("publish", PublishSettings()),
    }


def _outside_problem(rel: str, key: str, name: str, lines: dict[str, int]) -> Problem:
    return Problem(
        rel,
        f"{name} leads outside the show directory (a link to a file elsewhere); it would be published",
        field=key,
        line=lines.get(key),
        hint="copy the file itself into the episode folder instead of linking to it",
    )


def _refusal(exc: PodcastError) -> str:
    """The reason a file was refused, without the field the error names (the caller has it)."""
    text = str(exc)
    return text.split(": ", 1)[1] if exc.field and text.startswith(f"{exc.field}: ") else text


def _check_episode_files(
    listing: FolderListing,
    values: dict[str, Any],
    rel: str,
    lines: dict[str, int],
    problems: list[Problem],
) -> None:
    """The extra files an episode names (alternate audio, image) must be in its folder."""
    folder = listing.folder
    for name in values.get("alternate_audio", ()):
        if listing.is_outside(name):
            problems.append(_outside_problem(rel, "alternate_audio", name, lines))
        elif not listing.is_file(name):
            problems.append(
                Problem(
                    rel,
                    f"{name} not found in {EPISODES_DIR}/{folder.name}/",
                    field="alternate_audio",
                    line=lines.get("alternate_audio"),
                    hint="copy the file there or fix the name",
                )
            )
        elif name == values.get("audio"):
            problems.append(
                Problem(
                    rel,
                    f"{name} is already the main audio",
                    field="alternate_audio",
                    line=lines.get("alternate_audio"),
                    hint="list only the other formats here",
                )
            )
    picture = values.get("image")
    if picture and not has_web_scheme(picture) and listing.is_outside(picture):
        problems.append(_outside_problem(rel, "image", picture, lines))
    elif picture and not has_web_scheme(picture) and not listing.is_file(picture):
        problems.append(
            Problem(
                rel,
                f"{picture} not found in {EPISODES_DIR}/{folder.name}/",
                field="image",
                line=lines.get("image"),
                hint="put a square JPEG or PNG (1400-3000 px) there, or give an https URL",
            )
        )


def _episode_extras(values: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Episode fields for the Podcasting 2.0 and Apple extras."""
    return {
        "language": values.get("language"),
        "persons": values.get("person", ()),
        "soundbites": values.get("soundbite", ()),
        "alternate_audio": tuple(AlternateAudio(folder / n) for n in values.get("alternate_audio", ())),
        "locations": values.get("location", ()),
        "license": values.get("license"),
        "itunes_title": values.get("itunes_title"),
        "image": values.get("image"),
    }


def episode_folders(root: Path) -> list[Path]:
    """The folders under episodes/ that are episodes (not hidden, not starting with _), sorted.

    A build asks more than once; episodes/ is listed again only when it changed since (a name
    added, removed or renamed in it changes its modification and change time), or when it holds
    a symbolic link (what one points to may change without episodes/ changing)."""
    directory = Path(root) / EPISODES_DIR
    try:
        facts = os.stat(directory)
    except OSError:
        return []
    if not stat.S_ISDIR(facts.st_mode):
        return []
    key = (os.fspath(directory), facts.st_mtime_ns, facts.st_ctime_ns, facts.st_ino, facts.st_dev)
    if _listed_episodes and _listed_episodes[0] == key:
        return list(_listed_episodes[1])
    with os.scandir(directory) as entries:  # the kind of each entry comes with its name
        found = [e for e in entries if not e.name.startswith((".", "_"))]
        names = [e.name for e in found if _is_dir(e)]
        linked = any(_is_link(e) for e in found)
    folders = [directory / name for name in sorted(names)]
    settled = max(facts.st_mtime_ns, facts.st_ctime_ns) < time_ns() - RACY_NS
    _listed_episodes[:] = [key, folders] if settled and not linked else []
    return list(folders)


_listed_episodes: list = []  # [the key of episodes/ as last listed, its episode folders]


def _is_link(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True  # not known: as if it were


def _is_dir(entry: os.DirEntry) -> bool:
    """Path.is_dir's answer for a folder entry: also False for a link that loops."""
    try:
        return entry.is_dir()
    except OSError:  # DirEntry raises for more than a missing target
        return Path(entry.path).is_dir()


def read_episode_folder(
    show: Show, folder: Path, problems: list[Problem], listing: FolderListing | None = None
) -> Episode | None:
    """The episode of one folder under episodes/, or None (with the reason in `problems`).

    `listing`: the folder's, when the caller makes one (to ask it about the folder's other
    files after, without listing the folder again)."""
    if listing is None:
        listing = FolderListing(show.root, folder)
    if listing.outside:
        problems.append(
            Problem(
                f"{EPISODES_DIR}/{folder.name}",
                "is a link to a folder outside the show directory; it is not read or published",
                hint="move the episode folder itself into episodes/",
            )
        )
        return None
    if not listing.is_file(EPISODE_FILE):
        problems.append(
            Problem(
                f"{EPISODES_DIR}/{folder.name}",
                f"has no {EPISODE_FILE}",
                severity="warning",
                hint="add one, or start the folder name with _ to keep it out",
            )
        )
        return None
    return load_episode(show, folder, problems, listing)


def load_episodes(show: Show) -> tuple[list[Episode], list[Problem]]:
    """Read every episodes/<slug>/episode.md, reporting all problems together."""
    problems: list[Problem] = []
    episodes: list[Episode] = []
    for folder in episode_folders(show.root):
        episode = read_episode_folder(show, folder, problems)
        if episode is not None:
            episodes.append(episode)
    # Two episodes with one GUID are found by lint (rule G101), which checks any feed.
    return episodes, problems
