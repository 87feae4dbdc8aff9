"""TOML syntax errors in words: which line, what is wrong with it, and what to write instead.

tomllib's messages name the parser's state ("Expected newline or end of document after a
statement"), and for a string or list left open they point at the end of the document.
A producer needs the line they wrote and a sentence about it: a date written 2025-4-2 is a
date that needs two-digit months and days, not a statement the parser did not expect.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9_.\"'-]+)\s*=\s*(.*)$")
_DATE_LIKE = re.compile(r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})\b")

MAX_SCANNED_LINES = 500  # each a parse: front matter and podcast.toml are far shorter
_LIST_OPEN = ("the list opened with [ on this line is never closed", "close it with ]")
_TABLE_OPEN = ("the table opened with { on this line is never closed", "close it with }")


@dataclass(frozen=True)
class SyntaxProblem:
    """One TOML syntax error, explained: `line` counts from 1 in the text given."""

    line: int | None
    message: str
    hint: str
    key: str | None = None


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
    lines = text.splitlines()
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


def _first_line_of(key: str, lines: list[str], before: int) -> int | None:
    for number, line in enumerate(lines[: before - 1], start=1):
        match = _KEY_VALUE.match(line)
        if match and match.group(1).strip("\"'") == key:
            return number
    return None


def _left_open(text: str, exc: tomllib.TOMLDecodeError) -> SyntaxProblem:
    """A list, table or string that `text` opens and never closes, at the line where it opens."""
    line = _located(text, exc)
    lines = text.splitlines()
    written = lines[line - 1] if line else ""
    match = _KEY_VALUE.match(written)
    key = match.group(1).strip("\"'") if match else None
    if written.count("[") > written.count("]"):
        return SyntaxProblem(line, *_LIST_OPEN, key)
    if written.count("{") > written.count("}"):
        return SyntaxProblem(line, *_TABLE_OPEN, key)
    return explain(text, exc, look_back=False)


def explain(text: str, exc: tomllib.TOMLDecodeError, *, look_back: bool = True) -> SyntaxProblem:
    """What is wrong on which line of `text` (the TOML tomllib refused), in words.

    `look_back` checks whether a list or string left open above the failing line is the cause.
    """
    phrase = _AT.sub("", str(exc)).replace(" (at end of document)", "")
    line = _located(text, exc)
    lines = text.splitlines()
    if look_back and line and 1 < line <= MAX_SCANNED_LINES and not phrase.startswith(_FOUND_LATE):
        # A list left open swallows the lines after it: the line that fails is not the culprit.
        before = "\n".join(lines[: line - 1])
        try:
            tomllib.loads(before)
        except tomllib.TOMLDecodeError as earlier:
            if "(at end of document)" in str(earlier) or str(earlier).startswith(_FOUND_LATE):
                return _left_open(before, earlier)
    written = lines[line - 1] if line and line <= len(lines) else ""
    match = _KEY_VALUE.match(written)
    key = match.group(1).strip("\"'") if match else None
    value = match.group(2).strip() if match else ""

    def problem(message: str, hint: str) -> SyntaxProblem:
        return SyntaxProblem(line, message, hint, key)

    date = _DATE_LIKE.match(value)
    if key and date:
        return problem(
            f"{value.split()[0]} is not a date TOML reads: write the date as YYYY-MM-DD",
            "four-digit year, two-digit month and day, with dashes, e.g. 2025-04-02",
        )
    if phrase.startswith("Unterminated string") or phrase.startswith("Illegal character '\\n'"):
        return problem(
            "the text that starts on this line is never closed by its quote",
            'end it with the same quote it starts with; write a quote inside "…" as \\"',
        )
    if phrase.startswith("Cannot overwrite a value") or phrase.startswith("Cannot declare"):
        first = _first_line_of(key, lines, line) if key and line else None
        where = f" (first on line {first})" if first else ""
        return problem(
            f"{key or 'this key'} is given twice{where}",
            "keep one of them; a key may appear once in its table",
        )
    if phrase.startswith("Unclosed array"):
        return problem(*_LIST_OPEN)
    if phrase.startswith("Unclosed inline table"):
        return problem(*_TABLE_OPEN)
    if "table declaration" in phrase or "array declaration" in phrase:
        return problem("a [table] header is not closed", "write the header as [name] on a line of its own")
    if phrase.startswith("Expected '=' after a key"):
        return problem(
            "this line has no = between the key and its value",
            'write key = value, e.g. title = "My Show"',
        )
    if key and phrase.startswith("Invalid value"):
        if value in ("True", "False", "TRUE", "FALSE", "yes", "no", "Yes", "No"):
            return problem(f"{value} is not a TOML value", "write true or false, in lower case")
        return problem(
            f"the value of {key} is not text in quotes, a number, true/false or a date",
            f'put text in quotes: {key} = "{value}"',
        )
    if key and phrase.startswith("Expected newline or end of document"):
        if value[:1] in "\"'" and value.count(value[0]) > 2:
            return problem(
                f"the value of {key} has a quote inside its quotes, which ends it early",
                "write a quote inside \"…\" as \\\", or put text with apostrophes in \"…\"",
            )
        return problem(
            f"something follows the value of {key} on this line",
            "a line holds one key = value; put a list in [ ] and text in quotes",
        )
    return problem(
        "this line is not TOML that podcast can read",
        'each line is key = value (text in "quotes"), a [table] header, or a # comment',
    )
