"""TOML syntax errors in words: which line, what is wrong with it, and what to write instead.

tomllib's messages name the parser's state ("Expected newline or end of document after a
statement"), and for a string or list left open they point at the end of the document.
A producer needs the line they wrote and a sentence about it: a date written 2025-4-2 is a
date that needs two-digit months and days, not a statement the parser did not expect.

The other way, `toml_string` writes a value as a TOML string (for `podcast new` and import).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9_.\"'-]+)\s*=\s*(.*)$")
_DATE_LIKE = re.compile(r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})\b")
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_LEADING_ZERO = re.compile(r"^[+-]?0\d[\d_]*$")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]")
_ESCAPE_TROUBLE = ("Unescaped '\\'", "Invalid hex value", "Escaped character is not a Unicode scalar")

MAX_SCANNED_LINES = 500  # each a parse: front matter and podcast.toml are far shorter
_LIST_OPEN = ("the list opened with [ on this line is never closed", "close it with ]")
_TABLE_OPEN = ("the table opened with { on this line is never closed", "close it with }")


@dataclass(frozen=True)
class SyntaxProblem:
    """One TOML syntax error, explained: `line` counts from `first_line` given to `explain`."""

    line: int | None
    message: str
    hint: str
    key: str | None = None


def toml_lines(text: str) -> list[str]:
    """The lines of TOML text as tomllib counts them: split at line feeds only, less a final CR.

    str.splitlines also breaks at U+2028, U+0085 and other characters that TOML takes inside
    text (a description pasted from a web page may hold one), which would put every later
    line number off by one.
    """
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    return lines[:-1] if lines and not lines[-1] else lines


# tomllib reports these where it gave up (the end of the document, or the line after);
# the producer needs the line where the string, list or key started.
_FOUND_LATE = (
    "Unterminated string",
    "Unclosed array",
    "Unclosed inline table",
    "Cannot overwrite",
    "Cannot declare",
)


def _located(text: str, exc: tomllib.TOMLDecodeError) -> int | None:
    """The line the error is on. For a string or list left open, the line where it opens."""
    found = _AT.search(str(exc))
    if found and not str(exc).startswith(_FOUND_LATE):
        return int(found.group(1))
    lines = toml_lines(text)
    if len(lines) > MAX_SCANNED_LINES:  # each step parses the text again: keep it bounded
        return int(found.group(1)) if found else None
    # The document up to the culprit's line reads; with that line it no longer does.
    for count in range(len(lines) - 1, -1, -1):
        try:
            tomllib.loads("\n".join(lines[:count]))
        except tomllib.TOMLDecodeError:
            continue
        return count + 1
    return int(found.group(1)) if found else None


def _real_date(written: str) -> bool:
    try:
        date.fromisoformat(written)
    except ValueError:
        return False
    return True


def _first_line_of(key: str, lines: list[str], before: int) -> int | None:
    for number, line in enumerate(lines[: before - 1], start=1):
        match = _KEY_VALUE.match(line)
        if match and match.group(1).strip("\"'") == key:
            return number
    return None


def _first_header_of(name: str, lines: list[str], before: int) -> int | None:
    for number, line in enumerate(lines[: before - 1], start=1):
        match = _HEADER.match(line)
        if match and match.group(1) == name:
            return number
    return None


def _control_character(written: str) -> tuple[int, str] | None:
    """The column and character of the first control character TOML refuses on a line (tab is fine)."""
    for column, char in enumerate(written, start=1):
        if (ord(char) < 0x20 and char != "\t") or ord(char) == 0x7F:
            return column, char
    return None


def _left_open(text: str, exc: tomllib.TOMLDecodeError, first_line: int) -> SyntaxProblem:
    """A list, table or string that `text` opens and never closes, at the line where it opens."""
    line = _located(text, exc)
    lines = toml_lines(text)
    written = lines[line - 1] if line else ""
    match = _KEY_VALUE.match(written)
    key = match.group(1).strip("\"'") if match else None
    at = line + first_line - 1 if line else None
    if written.count("[") > written.count("]"):
        return SyntaxProblem(at, *_LIST_OPEN, key)
    if written.count("{") > written.count("}"):
        return SyntaxProblem(at, *_TABLE_OPEN, key)
    return explain(text, exc, first_line=first_line, look_back=False)


def explain(
    text: str, exc: tomllib.TOMLDecodeError, *, first_line: int = 1, look_back: bool = True
) -> SyntaxProblem:
    """What is wrong on which line of `text` (the TOML tomllib refused), in words.

    Lines are counted from `first_line`, the number of the text's first line in its file
    (the line after the opening +++ of an episode.md), in the result and in its message.
    `look_back` checks whether a list or string left open above the failing line is the cause.
    """
    phrase = _AT.sub("", str(exc)).replace(" (at end of document)", "")
    line = _located(text, exc)
    lines = toml_lines(text)
    if look_back and line and 1 < line <= MAX_SCANNED_LINES and not phrase.startswith(_FOUND_LATE):
        # A list left open swallows the lines after it: the line that fails is not the culprit.
        before = "\n".join(lines[: line - 1])
        try:
            tomllib.loads(before)
        except tomllib.TOMLDecodeError as earlier:
            if "(at end of document)" in str(earlier) or str(earlier).startswith(_FOUND_LATE):
                return _left_open(before, earlier, first_line)
    written = lines[line - 1] if line and line <= len(lines) else ""
    match = _KEY_VALUE.match(written)
    key = match.group(1).strip("\"'") if match else None
    value = match.group(2).strip() if match else ""
    offset = first_line - 1
    said = (
        _character_trouble(phrase, written, key)
        or _date_trouble(key, value)
        or _structure_trouble(phrase, written, key, lines, line, offset)
        or _value_trouble(phrase, key, value)
        or (
            "this line is not TOML that podcast can read",
            'each line is key = value (text in "quotes"), a [table] header, or a # comment',
        )
    )
    return SyntaxProblem(line + offset if line else None, *said, key)


# What each of the checks below finds: (message, hint), or None when it is not its kind of mistake.
Said = tuple[str, str] | None


def _character_trouble(phrase: str, written: str, key: str | None) -> Said:
    """A character TOML refuses: a control character, a lone carriage return, a bad escape."""
    control = _control_character(written)
    if control is not None and control[1] == "\r":
        return (
            "the lines of this file end in a carriage return alone (old Mac line endings)",
            "save it with Unix (LF) or Windows (CRLF) line endings",
        )
    if control is not None:
        column, char = control
        return (
            f"this line holds the control character U+{ord(char):04X} (column {column}),"
            " which TOML does not allow",
            "delete it; editors often do not show it",
        )
    if phrase.startswith(_ESCAPE_TROUBLE):
        return (
            f"a \\ in the text of {key or 'this line'} starts an escape (\\n, \\t, \\u…),"
            " and this one is not one TOML knows",
            "write each \\ as \\\\, or put the text in single quotes '…', where a \\ is just a \\",
        )
    return None


def _date_trouble(key: str | None, value: str) -> Said:
    """A date, or a date and time, written in a form TOML does not read."""
    if not key:
        return None
    iso = _ISO_DATE.match(value)
    if iso and value[len(iso.group(1)) :][:1] in ("T", " "):
        return (
            f"{value} is not a date and time TOML reads: write it as 2025-04-02T09:00:00-04:00",
            "hours, minutes and seconds, then the offset from UTC (or Z); or give only the date, 2025-04-02",
        )
    if iso and not _real_date(iso.group(1)):
        return (
            f"{iso.group(1)} is not a day of the calendar",
            "check the month (01-12) and the day of the month; the form is YYYY-MM-DD",
        )
    if _DATE_LIKE.match(value):
        return (
            f"{value.split()[0]} is not a date TOML reads: write the date as YYYY-MM-DD",
            "four-digit year, two-digit month and day, with dashes, e.g. 2025-04-02",
        )
    return None


def _structure_trouble(
    phrase: str, written: str, key: str | None, lines: list[str], line: int | None, offset: int
) -> Said:
    """Quotes, brackets, headers and keys: a string or list left open, a table or key given twice."""
    if phrase.startswith("Unterminated string") or phrase.startswith("Illegal character '\\n'"):
        return (
            "the text that starts on this line is never closed by its quote",
            'end it with the same quote it starts with; write a quote inside "…" as \\"',
        )
    header = _HEADER.match(written)
    if phrase.startswith("Cannot declare") and header and line:
        name = header.group(1)
        first = _first_header_of(name, lines, line)
        where = f" (first on line {first + offset})" if first else ""
        return f"[{name}] is declared twice{where}", f"keep one [{name}] header and put all its keys under it"
    if phrase.startswith("Cannot overwrite a value") or phrase.startswith("Cannot declare"):
        first = _first_line_of(key, lines, line) if key and line else None
        where = f" (first on line {first + offset})" if first else ""
        once = "keep one of them; a key may appear once in its table"
        return f"{key or 'this key'} is given twice{where}", once
    if phrase.startswith("Unclosed array"):
        return _LIST_OPEN
    if phrase.startswith("Unclosed inline table"):
        return _TABLE_OPEN
    if "table declaration" in phrase or "array declaration" in phrase:
        return "a [table] header is not closed", "write the header as [name] on a line of its own"
    if phrase.startswith("Expected '=' after a key"):
        return "this line has no = between the key and its value", 'write key = value, e.g. title = "My Show"'
    return None


def _value_trouble(phrase: str, key: str | None, value: str) -> Said:
    """A value TOML does not read: bare text, True, a leading zero, a quote inside quotes."""
    if not key:
        return None
    if phrase.startswith("Invalid initial character for a key part") and "{" in value:
        return (
            "a table in { } must be on one line, with no comma after its last key",
            f"or write it as a [{key}] table, one key = value per line below it",
        )
    if phrase.startswith("Invalid value"):
        if not value:
            return f"{key} has no value after =", f'write one, e.g. {key} = "…" for text'
        if value.startswith("["):
            return (
                f"an item in the list of {key} is not text in quotes, a number, true/false or a date",
                'put each text item in quotes, e.g. ["Ann Host", "Bob Guest"]',
            )
        if value in ("True", "False", "TRUE", "FALSE", "yes", "no", "Yes", "No"):
            return f"{value} is not a TOML value", "write true or false, in lower case"
        return (
            f"the value of {key} is not text in quotes, a number, true/false or a date",
            f'put text in quotes: {key} = "{value}"',
        )
    if phrase.startswith("Expected newline or end of document"):
        number = value.split("#")[0].strip()
        if _LEADING_ZERO.match(number):
            return (
                f"{number} is not a TOML number: a number does not start with 0",
                f"write {key} = {int(number.replace('_', ''))}",
            )
        if value[:1] in "\"'" and value.count(value[0]) > 2:
            return (
                f"the value of {key} has a quote inside its quotes, which ends it early",
                "write a quote inside \"…\" as \\\", or put text with apostrophes in \"…\"",
            )
        return (
            f"something follows the value of {key} on this line",
            "a line holds one key = value; put a list in [ ] and text in quotes",
        )
    return None


def toml_string(value: str) -> str:
    """`value` as a TOML basic string, quotes included."""
    # JSON string syntax is a subset of TOML basic strings, but for DEL, which TOML wants escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
