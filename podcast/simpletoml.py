"""The TOML of a typical front matter, read without tomllib's general parser.

Most episode.md files hold a handful of `key = value` lines: text in quotes, whole
numbers, true/false, a date, a list of names. tomllib reads each character through
Python functions; a pattern per line reads such a file several times faster. Anything
else (tables, dotted or quoted keys, escapes, comments after a value, floats, a key
given twice, carriage returns) is left to tomllib: `loads` returns None, and the
caller parses the text with tomllib, which also words every error.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

# TOML refuses the ASCII control characters but tab in strings and comments.
_CONTROL = r"\x00-\x08\x0a-\x1f\x7f"
# The value runs to the end of the line; its trailing blanks are stripped after the match
# (a lazy `(.*?)[ \t]*` costs the engine a try at every character).
_KEY_VALUE = re.compile(r"[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*(.*)")
_COMMENT_OR_BLANK = re.compile(rf"[ \t]*(?:#[^{_CONTROL}]*)?")
_BASIC_STRING = re.compile(rf'"([^"\\{_CONTROL}]*)"')
_LITERAL_STRING = re.compile(rf"'([^'{_CONTROL}]*)'")
_ITEM = rf'"[^"\\{_CONTROL}]*"'
_STRING_LIST = re.compile(rf"\[[ \t]*(?:{_ITEM}(?:[ \t]*,[ \t]*{_ITEM})*[ \t]*,?[ \t]*)?\]")
_INTEGER = re.compile(r"0|[1-9][0-9]*")
# tomllib's own pattern for dates and date-times (tomllib/_re.py), read the way it reads them.
_TIME = r"([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]{1,6})[0-9]*)?"
_DATETIME = re.compile(
    rf"([0-9]{{4}})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    rf"(?:[Tt ]{_TIME}(?:([Zz])|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))?)?"
)


def loads(text: str, lines: dict[str, int] | None = None, first_line: int = 1) -> dict[str, Any] | None:
    """What tomllib.loads(text) gives, for TOML made of simple `key = value` lines; else None.

    `lines`: filled with the line each key is written on, counted from `first_line` (a key
    stands on a line of its own here, so its place is known while reading it: no second pass
    over the text to find it, as config.key_lines makes for any other TOML)."""
    if "\r" in text:
        return None
    data: dict[str, Any] = {}
    for number, line in enumerate(text.split("\n"), start=first_line):
        pair = _KEY_VALUE.fullmatch(line)
        if pair is None:
            if _COMMENT_OR_BLANK.fullmatch(line) is None:
                return None
            continue
        key = pair[1]
        value = _value(pair[2].rstrip(" \t"))
        if value is None or key in data:
            return None
        data[key] = value
        if lines is not None:
            lines[key] = number
    return data


def _value(written: str) -> Any:
    """The value of one simple TOML value, or None for any other."""
    first = written[:1]
    if first == '"':
        match = _BASIC_STRING.fullmatch(written)
        return match[1] if match else None
    if first == "'":
        match = _LITERAL_STRING.fullmatch(written)
        return match[1] if match else None
    if first == "[":
        return _BASIC_STRING.findall(written) if _STRING_LIST.fullmatch(written) else None
    if written in ("true", "false"):
        return written == "true"
    if _INTEGER.fullmatch(written):
        return int(written)
    match = _DATETIME.fullmatch(written)
    if match is None:
        return None
    try:
        return _datetime(match)
    except ValueError:  # a day the calendar lacks: tomllib says so
        return None


def _datetime(match: re.Match) -> date | datetime:
    """As tomllib's match_to_datetime makes it."""
    year, month, day, hour, minute, sec, micros, zulu, sign, offset_hour, offset_minute = match.groups()
    if hour is None:
        return date(int(year), int(month), int(day))
    tz: timezone | None = None
    if sign:
        factor = 1 if sign == "+" else -1
        tz = timezone(timedelta(hours=factor * int(offset_hour), minutes=factor * int(offset_minute)))
    elif zulu:
        tz = UTC
    fraction = int(micros.ljust(6, "0")) if micros else 0
    return datetime(int(year), int(month), int(day), int(hour), int(minute), int(sec), fraction, tzinfo=tz)
