"""The keys podcast.toml and episode.md may hold, and how each value is checked.

A schema maps each known key to a `Key`: a validator that returns the value in
the shape the model wants, or raises `Invalid` with a message and a hint. The
loaders in config.py apply it and turn every `Invalid` into a `Problem` carrying
the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import clock
from .controlchars import first_c1, first_line_break, first_not_xml
from .model import (
    Funding,
    License,
    Location,
    Locked,
    Pages,
    Person,
    PublishSettings,
    Soundbite,
    Txt,
    UpdateFrequency,
)
from .weburl import has_web_scheme, is_readable_url

Validator = Callable[[Any], Any]


class Invalid(ValueError):
    """A value failed validation; `hint` says what to do about it."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        index: int | None = None,
        *,
        parts: list[Invalid] | None = None,
    ) -> None:
        super().__init__(message)
        self.hint = hint
        self.index = index  # which entry of a list of tables, from 1, when that is known
        self.parts = list(parts or [])  # each fault, when one value (a table) has several

    def each(self) -> list[Invalid]:
        """Every fault this stands for: itself, or each of its parts."""
        return [leaf for part in self.parts for leaf in part.each()] if self.parts else [self]


def _all(faults: list[Invalid]) -> Invalid:
    """One Invalid for several faults found in one value, so each is reported."""
    leaves = [leaf for fault in faults for leaf in fault.each()]
    if len(leaves) == 1:
        return leaves[0]
    return Invalid(str(leaves[0]), leaves[0].hint, leaves[0].index, parts=leaves)


@dataclass(frozen=True)
class Key:
    validate: Validator
    required: bool = False
    hint: str | None = None  # shown when a required key is missing
    code: str | None = None  # the lint rule that checks the same value in a feed, for an invalid one
    table: bool = False  # written as a [table] of its own (where a missing one goes differs)


# ---------------------------------------------------------------- validators


def long_text(value: Any) -> str:
    """Text that may run over several lines (a description)."""
    if not isinstance(value, str):
        raise Invalid(f"expected text, got {show_value(value)}", 'put the value in "quotes"')
    if not value.strip():
        raise Invalid("is empty", "write a value or remove the key")
    _check_xml_text(value)
    return value.strip()


def text(value: Any) -> str:
    """One line of text: a title, a name. A line break in it is refused (apps show one line)."""
    value = long_text(value)
    _check_one_line(value)
    return value


def _check_one_line(value: str) -> None:
    bad = first_line_break(value)
    if bad:
        raise Invalid(
            f"contains a line break ({bad}); this value is shown on one line",
            "write it on one line (in TOML a \\n in the quotes, or a multi-line string, makes one)",
        )


def _check_xml_text(value: str) -> None:
    """A control character (TOML lets "\\u000b" write one) would make the feed unwritable;
    a C1 control (U+0080-U+009F) is a Windows-1252 character gone wrong, shown as a box."""
    bad = first_not_xml(value)
    if bad:
        raise Invalid(
            f"contains the control character {bad}, which a feed cannot carry",
            "delete it (in TOML it is an escape such as \\u000b or \\f in the quotes)",
        )
    bad = first_c1(value)
    if bad:
        raise Invalid(
            f"contains the control character {bad}, which apps show as a box or nothing",
            "likely a quote, dash or ellipsis pasted from an old Windows program: type it again",
        )


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {show_value(value)}", "write true or false, unquoted")
    return value


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid(f"expected a whole number from 1 up, got {show_value(value)}")
    return value


def one_of(*choices: str) -> Validator:
    def check(value: Any) -> str:
        if value not in choices:
            listed = ", ".join(f'"{c}"' for c in choices)
            raise Invalid(f"expected one of {listed}, got {show_value(value)}")
        return value

    return check


def text_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Invalid(f"expected a list of names, got {show_value(value)}", 'write ["Name", "Other"]')
    for name in value:
        _check_xml_text(name)
        _check_one_line(name)
    return tuple(v.strip() for v in value)


def https_url(value: Any) -> str:
    value = text(value)
    if not re.match(r"^https?://[^\s/]+", value):
        raise Invalid(f"expected a URL starting with https://, got {show_value(value)}")
    if not is_readable_url(value):
        raise Invalid(
            f"{show_value(value)} is not an address: its host is neither a name nor an IP address"
            " (brackets hold only an IPv6 address, as in https://[2001:db8::1]/)"
        )
    return value


def is_loopback(url: str) -> bool:
    """True for an address on this machine (127.0.0.0/8, localhost, [::1]): a local test,
    where plain http is expected (`podcast init` and lint's U101 warn instead of refusing)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # a malformed address (an unclosed [) is not this machine
        return False
    return host in ("localhost", "::1") or host.startswith("127.") or host.endswith(".localhost")


_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


def language(value: Any) -> str:
    value = text(value)
    if not _LANGUAGE.match(value):
        raise Invalid(
            f"{show_value(value)} is not a language code", 'use an ISO 639 code such as "en" or "en-US"'
        )
    return value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value: Any) -> str:
    value = text(value)
    if not _EMAIL.match(value):
        raise Invalid(
            f"{show_value(value)} is not an e-mail address", 'write an address such as "ann@example.com"'
        )
    return value


# The package's data files. Read from beside this module, not through importlib.resources, whose
# first use costs a build ~5 ms of imports (zipfile among them); the package is installed as files.
DATA_DIR = Path(__file__).with_name("data")


@cache
def apple_categories() -> frozenset[str]:
    lines = (DATA_DIR / "apple-categories.txt").read_text("utf-8")
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
            raise Invalid(f"{show_value(name)} is not an Apple Podcasts category", hint)
        result.append((parts[0], parts[1] if len(parts) == 2 else None))
    return tuple(result)


def guid(value: Any) -> str:
    # Any string is a valid GUID to RSS, and one already published must be kept as it is,
    # however short (an imported feed's "42"): two episodes sharing one is lint's G101.
    return text(value)


def timezone(value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # (only for a show that sets its zone)

    value = text(value)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"{show_value(value)} is not a time zone", 'use a name such as "Europe/Berlin"'
        ) from None
    return value


def owner(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise Invalid("expected a table with name and email", "write [owner] then name = … and email = …")
    unknown = set(value) - {"name", "email"}
    if unknown:
        raise Invalid(
            f"unknown key {sorted(unknown)[0]!r} in owner",
            "owner takes name and email; a key of the show goes above the [owner] line",
        )
    missing = [k for k in ("name", "email") if k not in value]
    if missing:
        raise Invalid(f"owner has no {missing[0]}", "Apple needs the owner's name and email")
    return {"name": text(value["name"]), "email": email(value["email"])}


def show_value(value: Any) -> str:
    """A value as the user wrote it (in TOML), for messages."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, time)):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(show_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {show_value(item)}" for key, item in value.items()) + "}"
    return repr(value)


# ---------------------------------------------------------------- Podcasting 2.0 and Apple extras
# Tables in podcast.toml / front matter: one validator per podcast: tag. A key that may
# repeat (people, funding links, locations) takes one table or a list of them, so both
# `[[person]]` blocks and `person = [{ name = "…" }]` work.


def _fields(value: Any, what: str, fields: dict[str, Validator], required: tuple[str, ...], example: str):
    if not isinstance(value, dict):
        raise Invalid(f"expected a table, got {show_value(value)}", f"write it as {example}")
    result: dict[str, Any] = {}
    faults: list[Invalid] = []  # every bad field of the table is reported, not just the first
    for name, item in value.items():
        if name not in fields:
            import difflib  # (only for a mistake)

            close = difflib.get_close_matches(name, fields, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"{what} takes " + ", ".join(fields)
            faults.append(Invalid(f"unknown key {name!r} in {what}", hint))
            continue
        try:
            result[name] = fields[name](item)
        except Invalid as exc:
            faults.append(Invalid(f"{name}: {exc}", exc.hint))
    for name in required:
        if name not in value:
            faults.append(Invalid(f"{what} has no {name}", f"write it as {example}"))
    if faults:
        raise _all(faults)
    return result


def _tables(value: Any, what: str, make: Callable[[Any], Any]) -> tuple:
    entries = value if isinstance(value, list) else [value]
    result = []
    faults: list[Invalid] = []
    for index, entry in enumerate(entries, start=1):
        try:
            result.append(make(entry))
        except Invalid as exc:
            where = f"{what} {index}: " if len(entries) > 1 else ""
            faults += [Invalid(where + str(leaf), leaf.hint, index=index) for leaf in exc.each()]
    if faults:
        raise _all(faults)
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
    lines = (DATA_DIR / "person-taxonomy.txt").read_text("utf-8")
    pairs = [x.split(":", 1) for x in lines.splitlines() if x.strip() and not x.startswith("#")]
    return {
        "groups": frozenset(g.strip().lower() for g, _ in pairs),
        "roles": frozenset(r.strip().lower() for _, r in pairs),
    }


@cache
def groups_of_role() -> dict[str, tuple[str, ...]]:
    """Each role of the Podcast Taxonomy and the group(s) it belongs to, lower case."""
    lines = (DATA_DIR / "person-taxonomy.txt").read_text("utf-8")
    found: dict[str, tuple[str, ...]] = {}
    for line in lines.splitlines():
        if line.strip() and not line.startswith("#"):
            group, role = (x.strip().lower() for x in line.split(":", 1))
            found[role] = found.get(role, ()) + (group,)
    return found


def _taxonomy_term(kind: str) -> Validator:
    def check(value: Any) -> str:
        value = lower_text(value)
        known = person_taxonomy()[kind + "s"]
        if value not in known:
            import difflib

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
    role = v.get("role", "host")
    groups = groups_of_role()[role]
    # The taxonomy pairs each role with its group; without a group, the role's own is meant.
    group = v.get("group", groups[0] if len(groups) == 1 else "cast")
    if group not in groups:
        listed = " or ".join(f'"{g}"' for g in groups)
        said = "group" if "group" in v else "the default group"
        raise Invalid(
            f"role {role!r} is not in {said} {group!r} of the Podcast Taxonomy",
            f"write group = {listed}, or pick a role of group {group!r}",
        )
    return Person(v["name"], role, group, v.get("href"), v.get("img"))


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
            f"{show_value(value)} is not a geo URI", 'write latitude,longitude as "geo:30.2672,-97.7431"'
        )
    return value


def osm(value: Any) -> str:
    value = text(value)
    if not _OSM.match(value):
        raise Invalid(
            f"{show_value(value)} is not an OpenStreetMap id", 'write N, W or R and the number: "R113314"'
        )
    return value


def country(value: Any) -> str:
    value = text(value)
    if not re.match(r"^[A-Za-z]{2}$", value):
        raise Invalid(
            f"{show_value(value)} is not a country code", 'use the two-letter ISO 3166 code, e.g. "us"'
        )
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


LICENSE_EXAMPLE = 'license = "cc-by-4.0", or [license] with name = "My licence" and url = "https://…"'


@cache
def _spdx():
    from license_expression import get_spdx_licensing  # the SPDX list, read only when a licence is set

    return get_spdx_licensing()


def is_spdx_id(value: str) -> bool:
    """True for one identifier on the SPDX License List, any case ("cc-by-4.0", "MIT")."""
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$", value):
        return False  # one id, not an expression such as "MIT OR Apache-2.0"
    return not _spdx().validate(value).errors


def license_(value: Any) -> License:
    """An SPDX id, or a licence of one's own: [license] with its name and the URL of its text."""
    if isinstance(value, str):
        value = text(value)
        if not is_spdx_id(value):
            raise Invalid(
                f"{show_value(value)} is not an id on the SPDX License List",
                f"write {LICENSE_EXAMPLE}",
            )
        return License(value.lower())
    v = _fields(value, "license", {"name": text, "url": https_url}, ("name",), LICENSE_EXAMPLE)
    if "url" not in v and not is_spdx_id(v["name"]):
        raise Invalid(
            f"{show_value(v['name'])} is not an SPDX id, so it needs the url of its text",
            f"write {LICENSE_EXAMPLE}",
        )
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
            f"{show_value(value)} is not an iCalendar recurrence rule",
            'e.g. "FREQ=WEEKLY" or "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO" (RFC 5545)',
        )
    return value


def imported(value: Any) -> dict[str, str]:
    """[imported]: what `podcast import` read, kept so lint can tell when the identity drifts."""
    example = '[imported] with feed = "https://…/feed.xml" and guid = "…"'
    return _fields(value, "imported", {"feed": text, "guid": text}, ("feed",), example)


def iso_moment(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise Invalid("has a time but no time zone", "add an offset, e.g. 2025-09-01T09:00:00Z")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise Invalid(f"expected a date such as 2025-09-01, got {show_value(value)}", "write the date unquoted")


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
        raise Invalid(f"expected seconds, got {show_value(value)}")
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
        raise Invalid(f"expected seconds or HH:MM:SS, got {show_value(value)}", 'e.g. 73.5 or "01:13.5"')
    return clock.parse(value.strip())


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
                f"{show_value(name)} is not a file name in the episode folder",
                "move the file next to episode.md",
            )
    return names


MAX_BYTE_COUNT = 2**63 - 1  # TOML's largest whole number; no file comes near it


def byte_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Invalid(
            f"expected the size in bytes, a whole number, got {show_value(value)}", "e.g. length = 48163712"
        )
    if value > MAX_BYTE_COUNT:
        raise Invalid(f"{value} bytes is more than any file holds", "write the file's real size in bytes")
    return value


_MIME = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]*$")


def media_type(value: Any) -> str:
    value = text(value).lower()
    if not _MIME.match(value):
        raise Invalid(f"{show_value(value)} is not a MIME type", 'e.g. type = "audio/mpeg"')
    return value


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def image(value: Any) -> str:
    value = text(value)
    if has_web_scheme(value):
        return https_url(value)
    if Path(value).name != value or Path(value).suffix.lower() not in IMAGE_SUFFIXES:
        raise Invalid(
            f"{show_value(value)} is not a JPEG or PNG in the episode folder",
            "name a .jpg or .png next to episode.md, or give an https URL",
        )
    return value


# ---------------------------------------------------------------- publishing

PUBLISH_EXAMPLE = '[publish] with to = "s3://bucket/show" (or a directory) and hubs = ["https://…"]'
# Keys people reach for that must never be in a file that is committed.
_CREDENTIAL_KEYS = ("access_key", "secret", "password", "token", "credentials", "key_id")


def url_prefix(value: Any) -> str:
    """A measurement prefix such as "https://op3.dev/e/": the enclosure's address follows it."""
    value = https_url(value)
    if not value.endswith("/"):
        raise Invalid(
            f"{show_value(value)} does not end with /",
            'write the prefix as the service gives it, e.g. "https://op3.dev/e/"',
        )
    return value


def url_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise Invalid(f"expected a list of URLs, got {show_value(value)}", 'write ["https://…"]')
    faults, urls = [], []
    for item in value:
        try:
            urls.append(https_url(item))
        except Invalid as exc:
            faults.append(exc)
    if faults:
        raise _all(faults)
    return tuple(urls)


def url_or_off(value: Any) -> str | None:
    if value is False:
        return None
    if value is True:
        raise Invalid("expected a URL or false", "leave the key out for Podcast Index's own endpoint")
    return https_url(value)


def destination(value: Any) -> str:
    value = text(value)
    if "://" in value and not value.startswith(("s3://", "file://")):
        raise Invalid(
            f"{show_value(value)} is not a destination podcast can publish to",
            'write a directory, "file:///srv/www/show" or "s3://bucket/prefix"',
        )
    return value


def publish(value: Any) -> PublishSettings:
    fields = {
        "to": destination,
        "endpoint_url": https_url,
        "region": text,
        "profile": text,
        "hubs": url_list,
        "pubnotify": url_or_off,
    }
    if isinstance(value, dict):
        secret = [k for k in value if any(word in k.lower() for word in _CREDENTIAL_KEYS)]
        if secret:
            raise Invalid(
                f"{secret[0]!r}: credentials do not belong in podcast.toml",
                "remove it; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, "
                "or use ~/.aws/credentials and name the profile with profile = …",
            )
    v = _fields(value, "publish", fields, (), PUBLISH_EXAMPLE)
    return PublishSettings(**v)


# ---------------------------------------------------------------- [pages]: the show's web pages

# Directories a show is often listed in: the key in [pages], and how the subscribe link reads.
DIRECTORIES = {
    "apple": "Apple Podcasts",
    "spotify": "Spotify",
    "youtube": "YouTube Music",
    "amazon": "Amazon Music",
    "pocketcasts": "Pocket Casts",
    "overcast": "Overcast",
    "castbox": "Castbox",
    "podcastaddict": "Podcast Addict",
    "fountain": "Fountain",
    "podcastindex": "Podcast Index",
}
DIRECTORY_EXAMPLE = '[[pages.directory]] with name = "My directory" and url = "https://…"'


def _directory(value: Any) -> tuple[str, str]:
    fields = _fields(
        value, "pages.directory", {"name": plain_text, "url": https_url}, ("name", "url"), DIRECTORY_EXAMPLE
    )
    return fields["name"], fields["url"]


def pages(value: Any) -> Pages:
    """[pages]: `enabled`, a URL for each known directory, and [[pages.directory]] for others."""
    known: dict[str, Validator] = {"enabled": boolean, **{key: https_url for key in DIRECTORIES}}
    known["directory"] = lambda entries: _tables(entries, "pages.directory", _directory)
    fields = _fields(value, "pages", known, (), '[pages] with enabled = true and apple = "https://…"')
    subscribe = [(DIRECTORIES[key], fields[key]) for key in DIRECTORIES if key in fields]
    subscribe += list(fields.get("directory", ()))
    return Pages(enabled=fields.get("enabled", True), subscribe=tuple(subscribe))


# ---------------------------------------------------------------- schemas

SHOW_SCHEMA: dict[str, Key] = {
    "title": Key(text, required=True),
    "description": Key(long_text, required=True),
    "author": Key(text, required=True),
    "owner": Key(owner, required=True, hint="add [owner] with name and email", table=True),
    "language": Key(language, required=True, hint='add language = "en"', code="A111"),
    "link": Key(https_url, required=True, hint="the show's website"),
    "base_url": Key(https_url, required=True, hint="where the contents of feeds/ are served"),
    "guid": Key(guid),
    "artwork": Key(text),
    "categories": Key(
        categories, required=True, hint='e.g. categories = ["Health & Fitness > Medicine"]', code="A110"
    ),
    "explicit": Key(boolean, code="A120"),
    "type": Key(one_of("episodic", "serial")),
    "copyright": Key(text),
    "timezone": Key(timezone),
    "chapters": Key(one_of("timestamps", "sections")),  # where notes.py takes chapters from
    "simple_chapters": Key(boolean),  # also write chapters inline as psc: (opt-in: W3C warns)
    "feed_items": Key(positive_int),  # the newest N in feed.xml, the rest on RFC 5005 paged feeds
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
    "pages": Key(pages),  # the web pages: see podcast/web/
    "imported": Key(imported),  # written by `podcast import`
    # Publishing (see the README's "Publishing")
    "enclosure_prefix": Key(url_prefix),
    "publish": Key(publish),
}

# The front-matter keys of remote audio. `podcast publish` leaves such audio where it is.
REMOTE_AUDIO_KEYS = ("audio_url", "length", "type", "duration")

EPISODE_SCHEMA: dict[str, Key] = {
    "title": Key(text, required=True),
    "date": Key(lambda v: v, required=True, hint="date = 2025-04-02"),  # checked with the show's zone
    "guid": Key(guid),
    "audio": Key(text),
    # Audio published elsewhere: its URL and what the enclosure says about it (see REMOTE_AUDIO_KEYS).
    "audio_url": Key(https_url),
    "length": Key(byte_count),
    "type": Key(media_type),
    "duration": Key(seconds),
    "season": Key(positive_int),
    "episode": Key(positive_int),
    "episode_type": Key(one_of("full", "trailer", "bonus")),
    "explicit": Key(boolean, code="A120"),
    "hosts": Key(text_list),
    "draft": Key(boolean),
    "removed": Key(boolean),  # withdrawn on purpose: the build may drop it from the feed
    "format": Key(one_of("text", "markdown")),
    "link": Key(https_url),  # the episode's web page
    "chapters": Key(one_of("timestamps", "sections")),  # default: the show's setting
    # Podcasting 2.0 and Apple extras
    "language": Key(language, code="A111"),
    "person": Key(persons),
    "soundbite": Key(soundbites),
    "alternate_audio": Key(file_names),
    "location": Key(locations),
    "license": Key(license_),
    "itunes_title": Key(plain_text),
    "image": Key(image),
}
