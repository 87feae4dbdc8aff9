"""podcast.toml and episodes/<slug>/episode.md → the model.

Each file is checked against a schema of known keys (mkdocs' way): every problem
is collected with its file and line, unknown keys are errors (Pelican's lesson:
a misspelt key must not be silently ignored), and one `ConfigError` carries them
all to the caller.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError, Problem
from .model import (
    AlternateAudio,
    Episode,
    Funding,
    License,
    Location,
    Locked,
    Person,
    Show,
    Soundbite,
    Txt,
    UpdateFrequency,
)

SHOW_FILE = "podcast.toml"
EPISODES_DIR = "episodes"
FEEDS_DIR = "feeds"
EPISODE_FILE = "episode.md"
FRONT_MATTER_FENCE = "+++"

# The Podcasting 2.0 namespace's fixed UUIDv5 namespace for podcast:guid.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

Validator = Callable[[Any], Any]


class Invalid(ValueError):
    """A value failed validation; `hint` says what to do about it."""

    def __init__(self, message: str, hint: str | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.index = index  # which entry of a list of tables, from 1, when that is known


@dataclass(frozen=True)
class Key:
    validate: Validator
    required: bool = False
    hint: str | None = None  # shown when a required key is missing


# ---------------------------------------------------------------- validators


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected text, got {_show(value)}", 'put the value in "quotes"')
    if not value.strip():
        raise Invalid("is empty", "write a value or remove the key")
    return value.strip()


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {_show(value)}", "write true or false, unquoted")
    return value


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid(f"expected a whole number from 1 up, got {_show(value)}")
    return value


def one_of(*choices: str) -> Validator:
    def check(value: Any) -> str:
        if value not in choices:
            listed = ", ".join(f'"{c}"' for c in choices)
            raise Invalid(f"expected one of {listed}, got {_show(value)}")
        return value

    return check


def text_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Invalid(f"expected a list of names, got {_show(value)}", 'write ["Name", "Other"]')
    return tuple(v.strip() for v in value)


def https_url(value: Any) -> str:
    value = text(value)
    if not re.match(r"^https?://[^\s/]+", value):
        raise Invalid(f"expected a URL starting with https://, got {_show(value)}")
    return value


_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


def language(value: Any) -> str:
    value = text(value)
    if not _LANGUAGE.match(value):
        raise Invalid(f"{_show(value)} is not a language code", 'use an ISO 639 code such as "en" or "en-US"')
    return value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value: Any) -> str:
    value = text(value)
    if not _EMAIL.match(value):
        raise Invalid(f"{_show(value)} is not an e-mail address")
    return value


@cache
def apple_categories() -> frozenset[str]:
    lines = resources.files("podcast").joinpath("data/apple-categories.txt").read_text("utf-8")
    return frozenset(x.strip() for x in lines.splitlines() if x.strip() and not x.startswith("#"))


def categories(value: Any) -> tuple[tuple[str, str | None], ...]:
    names = text_list(value)
    known = apple_categories()
    result = []
    for name in names:
        parts = [p.strip() for p in name.split(">")]
        normal = " > ".join(parts)
        if normal not in known or len(parts) > 2:
            close = sorted(k for k in known if k.lower().startswith(parts[0].lower()[:4]))
            hint = "Apple's list: " + "; ".join(close[:6]) if close else "see Apple's category list"
            raise Invalid(f"{_show(name)} is not an Apple Podcasts category", hint)
        result.append((parts[0], parts[1] if len(parts) == 2 else None))
    return tuple(result)


def guid(value: Any) -> str:
    value = text(value)
    try:
        uuid.UUID(value)
    except ValueError:
        # Any string is a valid GUID to RSS; we only refuse what is clearly a mistake.
        if len(value) < 8:
            raise Invalid(f"{_show(value)} is too short to be unique", "use a UUID") from None
    return value


def timezone(value: Any) -> str:
    value = text(value)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"{_show(value)} is not a time zone", 'use a name such as "Europe/Berlin"') from None
    return value


def owner(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise Invalid("expected a table with name and email", "write [owner] then name = … and email = …")
    unknown = set(value) - {"name", "email"}
    if unknown:
        raise Invalid(f"unknown key {sorted(unknown)[0]!r} in owner", "owner takes name and email")
    missing = [k for k in ("name", "email") if k not in value]
    if missing:
        raise Invalid(f"owner has no {missing[0]}", "Apple needs the owner's name and email")
    return {"name": text(value["name"]), "email": email(value["email"])}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


# ---------------------------------------------------------------- Podcasting 2.0 and Apple extras
# Tables in podcast.toml / front matter: one validator per podcast: tag. A key that may
# repeat (people, funding links, locations) takes one table or a list of them, so both
# `[[person]]` blocks and `person = [{ name = "…" }]` work.


def _fields(value: Any, what: str, fields: dict[str, Validator], required: tuple[str, ...], example: str):
    if not isinstance(value, dict):
        raise Invalid(f"expected a table, got {_show(value)}", f"write it as {example}")
    result: dict[str, Any] = {}
    for name, item in value.items():
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"{what} takes " + ", ".join(fields)
            raise Invalid(f"unknown key {name!r} in {what}", hint)
        try:
            result[name] = fields[name](item)
        except Invalid as exc:
            raise Invalid(f"{name}: {exc}", exc.hint) from None
    for name in required:
        if name not in value:
            raise Invalid(f"{what} has no {name}", f"write it as {example}")
    return result


def _tables(value: Any, what: str, make: Callable[[Any], Any]) -> tuple:
    entries = value if isinstance(value, list) else [value]
    result = []
    for index, entry in enumerate(entries, start=1):
        try:
            result.append(make(entry))
        except Invalid as exc:
            where = f"{what} {index}: " if len(entries) > 1 else ""
            raise Invalid(where + str(exc), exc.hint, index=index) from None
    return tuple(result)


def plain_text(value: Any) -> str:
    """Text without markup: these values are shown as-is by apps."""
    value = text(value)
    if "<" in value and ">" in value:
        raise Invalid("contains markup", "write plain text; apps show it as-is")
    return value


def lower_text(value: Any) -> str:
    return text(value).lower()


@cache
def person_taxonomy() -> dict[str, frozenset[str]]:
    """The Podcast Taxonomy's groups and roles, lower case, as {"groups": …, "roles": …}."""
    lines = resources.files("podcast").joinpath("data/person-taxonomy.txt").read_text("utf-8")
    pairs = [x.split(":", 1) for x in lines.splitlines() if x.strip() and not x.startswith("#")]
    return {
        "groups": frozenset(g.strip().lower() for g, _ in pairs),
        "roles": frozenset(r.strip().lower() for _, r in pairs),
    }


def _taxonomy_term(kind: str) -> Validator:
    def check(value: Any) -> str:
        value = lower_text(value)
        known = person_taxonomy()[kind + "s"]
        if value not in known:
            close = difflib.get_close_matches(value, known, n=3)
            hint = "did you mean " + " or ".join(repr(c) for c in close) + "?" if close else None
            raise Invalid(
                f"{value!r} is not a {kind} in the Podcast Taxonomy",
                hint or f"see podcast/data/person-taxonomy.txt; apps show an unknown {kind} as the default",
            )
        return value

    return check


PERSON_EXAMPLE = '[[person]] with name = "Ann Host" and role = "host"'


def _person(value: Any) -> Person:
    fields = {
        "name": plain_text,
        "role": _taxonomy_term("role"),
        "group": _taxonomy_term("group"),
        "href": https_url,
        "img": https_url,
    }
    v = _fields(value, "person", fields, ("name",), PERSON_EXAMPLE)
    return Person(v["name"], v.get("role", "host"), v.get("group", "cast"), v.get("href"), v.get("img"))


def persons(value: Any) -> tuple[Person, ...]:
    return _tables(value, "person", _person)


def _funding(value: Any) -> Funding:
    example = '[[funding]] with url = "https://…" and text = "Support the show"'
    v = _fields(value, "funding", {"url": https_url, "text": plain_text}, ("url", "text"), example)
    return Funding(v["url"], v["text"])


def funding(value: Any) -> tuple[Funding, ...]:
    return _tables(value, "funding", _funding)


def locked(value: Any) -> Locked:
    """`locked = true` (owner: the [owner] e-mail) or a [locked] table with value and owner."""
    if isinstance(value, bool):
        return Locked(value)
    example = '[locked] with value = true and owner = "you@example.com", or just locked = true'
    v = _fields(value, "locked", {"value": boolean, "owner": email}, ("value",), example)
    return Locked(v["value"], v.get("owner"))


_GEO = re.compile(r"^geo:-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?(,-?\d+(\.\d+)?)?(;u=\d+(\.\d+)?)?$")
_OSM = re.compile(r"^[NWR]\d+(#\d+)?$")


def geo(value: Any) -> str:
    value = text(value)
    if not _GEO.match(value):
        raise Invalid(
            f"{_show(value)} is not a geo URI", 'write latitude,longitude as "geo:30.2672,-97.7431"'
        )
    return value


def osm(value: Any) -> str:
    value = text(value)
    if not _OSM.match(value):
        raise Invalid(
            f"{_show(value)} is not an OpenStreetMap id", 'write N, W or R and the number: "R113314"'
        )
    return value


def country(value: Any) -> str:
    value = text(value)
    if not re.match(r"^[A-Za-z]{2}$", value):
        raise Invalid(f"{_show(value)} is not a country code", 'use the two-letter ISO 3166 code, e.g. "us"')
    return value.lower()


def _location(value: Any) -> Location:
    if isinstance(value, str):
        return Location(plain_text(value))
    fields = {
        "name": plain_text,
        "geo": geo,
        "osm": osm,
        "country": country,
        "rel": one_of("subject", "creator"),
    }
    example = '[location] with name = "Austin, TX", geo = "geo:30.2672,-97.7431", osm = "R113314"'
    v = _fields(value, "location", fields, ("name",), example)
    return Location(v["name"], v.get("geo"), v.get("osm"), v.get("country"), v.get("rel"))


def locations(value: Any) -> tuple[Location, ...]:
    return _tables(value, "location", _location)


def license_(value: Any) -> License:
    if isinstance(value, str):
        return License(text(value).lower())
    example = 'license = "cc-by-4.0", or [license] with name = "my-license" and url = "https://…"'
    v = _fields(value, "license", {"name": text, "url": https_url}, ("name",), example)
    return License(v["name"], v.get("url"))


def _txt(value: Any) -> Txt:
    if isinstance(value, str):
        return Txt(text(value))
    example = '[[txt]] with text = "…" and purpose = "verify"'
    v = _fields(value, "txt", {"text": text, "purpose": text}, ("text",), example)
    return Txt(v["text"], v.get("purpose"))


def txts(value: Any) -> tuple[Txt, ...]:
    return _tables(value, "txt", _txt)


MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "course")
_RRULE_PART = re.compile(r"^[A-Z]+=[A-Za-z0-9,:+-]+$")
_FREQS = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def rrule(value: Any) -> str:
    value = text(value)
    parts = value.split(";")
    freq = [p for p in parts if p.startswith("FREQ=")]
    if not all(_RRULE_PART.match(p) for p in parts) or len(freq) != 1 or freq[0][5:] not in _FREQS:
        raise Invalid(
            f"{_show(value)} is not an iCalendar recurrence rule",
            'e.g. "FREQ=WEEKLY" or "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO" (RFC 5545)',
        )
    return value


def iso_moment(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise Invalid("has a time but no time zone", "add an offset, e.g. 2025-09-01T09:00:00Z")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise Invalid(f"expected a date such as 2025-09-01, got {_show(value)}", "write the date unquoted")


def update_frequency(value: Any) -> UpdateFrequency:
    example = '[update_frequency] with text = "Weekly" and rrule = "FREQ=WEEKLY"'
    fields = {"text": plain_text, "rrule": rrule, "dtstart": iso_moment}
    v = _fields(value, "update_frequency", fields, ("text",), example)
    if "COUNT=" in v.get("rrule", "") and "dtstart" not in v:
        raise Invalid("a rule with COUNT needs dtstart", "add dtstart = the date of the first release")
    return UpdateFrequency(v["text"], v.get("rrule"), v.get("dtstart"))


def seconds(value: Any) -> float:
    """A time in the audio: a number of seconds, or "MM:SS" / "HH:MM:SS(.mmm)"."""
    if isinstance(value, bool):
        raise Invalid(f"expected seconds, got {_show(value)}")
    if isinstance(value, int | float):
        if value < 0:
            raise Invalid(f"expected seconds from 0 up, got {value}")
        return float(value)
    match = (
        re.match(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$", value.strip())
        if isinstance(value, str)
        else None
    )
    if not match:
        raise Invalid(f"expected seconds or HH:MM:SS, got {_show(value)}", 'e.g. 73.5 or "01:13.5"')
    hours, minutes, secs = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)


def _soundbite(value: Any) -> Soundbite:
    example = '[[soundbite]] with start = 73.0, duration = 30.0 and title = "…"'
    fields = {"start": seconds, "duration": seconds, "title": plain_text}
    v = _fields(value, "soundbite", fields, ("start", "duration"), example)
    if v["duration"] <= 0:
        raise Invalid("duration: must be more than 0 seconds", "the spec suggests 15 to 120 seconds")
    return Soundbite(v["start"], v["duration"], v.get("title"))


def soundbites(value: Any) -> tuple[Soundbite, ...]:
    return _tables(value, "soundbite", _soundbite)


def file_names(value: Any) -> tuple[str, ...]:
    names = text_list(value)
    for name in names:
        if Path(name).name != name:
            raise Invalid(
                f"{_show(name)} is not a file name in the episode folder", "move the file next to episode.md"
            )
    return names


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def image(value: Any) -> str:
    value = text(value)
    if value.startswith(("http://", "https://")):
        return https_url(value)
    if Path(value).name != value or Path(value).suffix.lower() not in IMAGE_SUFFIXES:
        raise Invalid(
            f"{_show(value)} is not a JPEG or PNG in the episode folder",
            "name a .jpg or .png next to episode.md, or give an https URL",
        )
    return value


# ---------------------------------------------------------------- schemas

SHOW_SCHEMA: dict[str, Key] = {
    "title": Key(text, required=True),
    "description": Key(text, required=True),
    "author": Key(text, required=True),
    "owner": Key(owner, required=True, hint="add [owner] with name and email"),
    "language": Key(language, required=True, hint='add language = "en"'),
    "link": Key(https_url, required=True, hint="the show's website"),
    "base_url": Key(https_url, required=True, hint="where the contents of feeds/ are served"),
    "guid": Key(guid),
    "artwork": Key(text),
    "categories": Key(categories, required=True, hint='e.g. categories = ["Health & Fitness > Medicine"]'),
    "explicit": Key(boolean),
    "type": Key(one_of("episodic", "serial")),
    "copyright": Key(text),
    "timezone": Key(timezone),
    "chapters": Key(one_of("timestamps", "sections")),  # where notes.py takes chapters from
    # Podcasting 2.0 and Apple extras
    "person": Key(persons),
    "funding": Key(funding),
    "locked": Key(locked),
    "medium": Key(one_of(*MEDIUMS)),
    "license": Key(license_),
    "location": Key(locations),
    "txt": Key(txts),
    "update_frequency": Key(update_frequency),
    "new_feed_url": Key(https_url),
    "block": Key(boolean),
    "complete": Key(boolean),
}

EPISODE_SCHEMA: dict[str, Key] = {
    "title": Key(text, required=True),
    "date": Key(lambda v: v, required=True, hint="date = 2025-04-02"),  # checked with the show's zone
    "guid": Key(guid),
    "audio": Key(text),
    "season": Key(positive_int),
    "episode": Key(positive_int),
    "episode_type": Key(one_of("full", "trailer", "bonus")),
    "explicit": Key(boolean),
    "hosts": Key(text_list),
    "draft": Key(boolean),
    "format": Key(one_of("text", "markdown")),
    "link": Key(https_url),  # the episode's web page
    "chapters": Key(one_of("timestamps", "sections")),  # default: the show's setting
    # Podcasting 2.0 and Apple extras
    "language": Key(language),
    "person": Key(persons),
    "soundbite": Key(soundbites),
    "alternate_audio": Key(file_names),
    "location": Key(locations),
    "license": Key(license_),
    "itunes_title": Key(plain_text),
    "image": Key(image),
}


# ---------------------------------------------------------------- reading


def key_lines(toml_text: str, first_line: int = 1) -> dict[str, int]:
    """Map each key (dotted under its [table]) to the line it is written on."""
    lines: dict[str, int] = {}
    table = ""
    entries: dict[str, int] = {}
    for number, line in enumerate(toml_text.splitlines(), start=first_line):
        header = re.match(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]", line)
        if header:
            name = header.group(2)
            table = name + "."
            lines.setdefault(name, number)
            if header.group(1) == "[[":
                entries[name] = entries.get(name, 0) + 1
                lines[f"{name}[{entries[name]}]"] = number
            continue
        key = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", line)
        if key:
            lines.setdefault(table + key.group(1), number)
    return lines


def _parse_toml(toml_text: str, path: str, first_line: int, problems: list[Problem]) -> dict | None:
    try:
        return tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) + first_line - 1 if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        problems.append(
            Problem(
                path,
                f"not valid TOML: {message}",
                line=line,
                hint="check quotes, = signs and brackets on that line",
            )
        )
        return None


def _apply_schema(
    data: dict, schema: dict[str, Key], path: str, lines: dict[str, int], problems: list[Problem]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in data.items():
        key = schema.get(name)
        if key is None:
            close = difflib.get_close_matches(name.lower().replace("-", "_"), schema, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(schema)
            problems.append(Problem(path, "unknown key", field=name, line=lines.get(name), hint=hint))
            continue
        try:
            values[name] = key.validate(value)
        except Invalid as exc:
            line = lines.get(f"{name}[{exc.index}]", lines.get(name))
            problems.append(Problem(path, str(exc), field=name, line=line, hint=exc.hint))
    for name, key in schema.items():
        if key.required and name not in data:
            problems.append(Problem(path, "missing", field=name, hint=key.hint or f"add {name} = …"))
    return values


def podcast_guid_for(feed_url: str) -> str:
    """podcast:guid per the Podcasting 2.0 spec: UUIDv5 of the feed URL sans scheme."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def load_show(root: Path) -> tuple[Show, list[Problem]]:
    """Read podcast.toml. Raises ConfigError if it is missing or has errors."""
    path = root / SHOW_FILE
    if not path.is_file():
        raise ConfigError(
            f"{path}: no {SHOW_FILE} here",
            path=str(path),
            problems=[
                Problem(
                    str(path),
                    f"not found; is {root} a show directory?",
                    hint="run `podcast init DIR` to make one",
                )
            ],
        )
    problems: list[Problem] = []
    try:
        toml_text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text; save it as UTF-8", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})", path=str(path)) from None
    data = _parse_toml(toml_text, SHOW_FILE, 1, problems)
    if data is None:
        raise ConfigError(f"{SHOW_FILE} has errors", path=SHOW_FILE, problems=problems)
    lines = key_lines(toml_text)
    values = _apply_schema(data, SHOW_SCHEMA, SHOW_FILE, lines, problems)
    if any(p.severity == "error" for p in problems):
        raise ConfigError(f"{SHOW_FILE} has errors", path=SHOW_FILE, problems=problems)

    base_url = values["base_url"].rstrip("/") + "/"
    feed_url = base_url + "feed.xml"
    show_guid = values.get("guid")
    if show_guid is None:
        show_guid = podcast_guid_for(feed_url)
        problems.append(
            Problem(
                SHOW_FILE,
                "not set; derived from the feed URL for now",
                field="guid",
                severity="warning",
                hint=f'pin it so it survives a move: guid = "{show_guid}"',
            )
        )
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
        guid=show_guid,
        artwork=values.get("artwork"),
        categories=values["categories"],
        explicit=values.get("explicit", False),
        type=values.get("type", "episodic"),
        copyright=values.get("copyright"),
        timezone=values.get("timezone", "UTC"),
        chapters_from=values.get("chapters", "timestamps"),
        lines=lines,
        **_show_extras(values),
    )
    if show.artwork and not show.artwork.startswith(("http://", "https://")):
        if not (root / show.artwork).is_file():
            problems.append(
                Problem(
                    SHOW_FILE,
                    f"{show.artwork} not found in the show directory",
                    field="artwork",
                    line=lines.get("artwork"),
                    hint="put a square JPEG or PNG of 1400-3000 px there",
                )
            )
    return show, problems


def split_front_matter(source: str, path: str, problems: list[Problem]) -> tuple[str, int, str] | None:
    """Split episode.md into (toml text, its first line number, article text)."""
    lines = source.splitlines(keepends=True)
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
            return "".join(lines[1:index]), 2, "".join(lines[index + 1 :])
    problems.append(
        Problem(path, "front matter is never closed", line=1, hint="add a +++ line after the last key")
    )
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
                f"expected YYYY-MM-DD, got {_show(value)}", "use the ISO form, e.g. 2025-04-02"
            ) from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise Invalid(
                "has a time but no time zone",
                "add an offset, e.g. 2025-04-02T09:00:00+01:00, or give only the date",
            )
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=ZoneInfo(zone))
    raise Invalid(f"expected YYYY-MM-DD, got {_show(value)}", "use the ISO form, e.g. 2025-04-02")


_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


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


def load_episode(show: Show, folder: Path, problems: list[Problem]) -> Episode | None:
    slug = folder.name
    rel = f"{EPISODES_DIR}/{slug}/{EPISODE_FILE}"
    if not _SLUG.match(slug):
        problems.append(
            Problem(
                f"{EPISODES_DIR}/{slug}",
                "folder name is not usable in a URL",
                hint="rename it with letters, digits, '-', '_' or '.' only",
            )
        )
        return None
    try:
        source = (folder / EPISODE_FILE).read_text("utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(rel, "is not UTF-8 text", hint="save it as UTF-8"))
        return None
    except OSError as exc:
        problems.append(Problem(rel, f"cannot be read: {exc.strerror}"))
        return None
    before = len(problems)
    parts = split_front_matter(source, rel, problems)
    if parts is None:
        return None
    toml_text, first_line, article = parts
    data = _parse_toml(toml_text, rel, first_line, problems)
    if data is None:
        return None
    lines = key_lines(toml_text, first_line)
    values = _apply_schema(data, EPISODE_SCHEMA, rel, lines, problems)
    if "date" in values:
        try:
            values["date"] = episode_date(values["date"], show.timezone)
        except Invalid as exc:
            problems.append(Problem(rel, str(exc), field="date", line=lines.get("date"), hint=exc.hint))
    draft = values.get("draft", False)
    audio = None
    if "audio" in values:
        audio = folder / values["audio"]
        if Path(values["audio"]).name != values["audio"]:
            problems.append(
                Problem(
                    rel,
                    "must be a file name in the episode folder",
                    field="audio",
                    line=lines.get("audio"),
                    hint="move the file next to episode.md",
                )
            )
        elif not audio.is_file():
            problems.append(
                Problem(
                    rel,
                    f"{values['audio']} not found in {EPISODES_DIR}/{slug}/",
                    field="audio",
                    line=lines.get("audio"),
                    hint="copy the audio file there or fix the name",
                )
            )
    elif not draft:
        problems.append(
            Problem(
                rel, "no audio", field="audio", hint='add audio = "<file in this folder>", or draft = true'
            )
        )
    _check_episode_files(values, folder, rel, lines, problems)
    if len([p for p in problems[before:] if p.severity == "error"]):
        return None

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
        guid_pinned="guid" in values,
        audio=audio,
        season=values.get("season"),
        number=values.get("episode"),
        episode_type=values.get("episode_type", "full"),
        explicit=values.get("explicit"),
        hosts=values.get("hosts", ()),
        draft=draft,
        article=article.strip("\n"),
        article_format=values.get("format", "text"),
        link=values.get("link"),
        chapters_from=values.get("chapters"),
        lines=lines,
        **_episode_extras(values, folder),
    )


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
    }


def _check_episode_files(
    values: dict[str, Any], folder: Path, rel: str, lines: dict[str, int], problems: list[Problem]
) -> None:
    """The extra files an episode names (alternate audio, image) must be in its folder."""
    for name in values.get("alternate_audio", ()):
        if not (folder / name).is_file():
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
    if picture and not picture.startswith(("http://", "https://")) and not (folder / picture).is_file():
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


def load_episodes(show: Show) -> tuple[list[Episode], list[Problem]]:
    """Read every episodes/<slug>/episode.md, reporting all problems together."""
    problems: list[Problem] = []
    episodes: list[Episode] = []
    directory = show.root / EPISODES_DIR
    if not directory.is_dir():
        return [], problems
    for folder in sorted(directory.iterdir()):
        if not folder.is_dir() or folder.name.startswith((".", "_")):
            continue
        if not (folder / EPISODE_FILE).is_file():
            problems.append(
                Problem(
                    f"{EPISODES_DIR}/{folder.name}",
                    f"has no {EPISODE_FILE}",
                    severity="warning",
                    hint="add one, or start the folder name with _ to keep it out",
                )
            )
            continue
        episode = load_episode(show, folder, problems)
        if episode is not None:
            episodes.append(episode)
    # Two episodes with one GUID are found by lint (rule G101), which checks any feed.
    return episodes, problems
