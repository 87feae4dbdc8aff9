"""TOML syntax errors as a producer reads them: the line they wrote, and what to write instead."""

from __future__ import annotations

import tomllib

import pytest

from podcast.tomlsyntax import explain


def explained(text: str):
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    return explain(text, caught.value)


@pytest.mark.parametrize("written", ["2025-4-2", "2025/04/02", "02-04-2025"])
def test_a_date_not_in_iso_form_asks_for_yyyy_mm_dd(written):
    found = explained(f'title = "A"\ndate = {written}\n')
    assert found.line == 2 and found.key == "date"
    assert "YYYY-MM-DD" in found.message and written in found.message
    assert "2025-04-02" in found.hint and "statement" not in found.message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('a = 1\ntitle = "never closed\nb = 2\n', 2, "never closed by its quote"),
        ('a = 1\nhosts = ["Ann",\n  "Bob",\nb = 2\n', 2, "never closed"),  # tomllib points at the end
        ("a = 1\ntitle = Plain words\n", 2, "not text in quotes"),
        ("explicit = True\n", 1, "True is not a TOML value"),
        ('title "x"\n', 1, "no = between the key and its value"),
        ("a = 1\nb = 2\na = 3\n", 3, "a is given twice (first on line 1)"),
        ("title = 'it's here'\n", 1, "quote inside its quotes"),
        ("[owner\nname = 1\n", 1, "[table] header is not closed"),
    ],
)
def test_syntax_errors_are_said_in_words_at_the_line_that_needs_the_fix(text, line, words):
    found = explained(text)
    assert found.line == line and words in found.message
    assert "Expected" not in found.message and "statement" not in found.message


@pytest.mark.parametrize(
    ("text", "line", "words", "hint"),
    [
        ('audio = "C:\\Docs\\ep1.mp3"\n', 1, "starts an escape", "single quotes"),  # a Windows path
        ('title = "C:\\Users\\ann"\n', 1, "starts an escape", "\\\\"),
        ("a = 1\nepisode = 01\n", 2, "01 is not a TOML number", "episode = 1"),
        ("season = 007\n", 1, "does not start with 0", "season = 7"),
        ("date = 2025-04-02 09:00\n", 1, "not a date and time TOML reads", "seconds"),
        ("date = 2025-04-02T09:00\n", 1, "2025-04-02T09:00:00-04:00", "offset"),
        ("date = 2025-02-30\n", 1, "2025-02-30 is not a day of the calendar", "month"),
        ("date = 2025-13-01\n", 1, "not a day of the calendar", "01-12"),
        ('hosts = ["Ann", Bob]\n', 1, "an item in the list of hosts", "each text item in quotes"),
        ("title =\n", 1, "title has no value", 'title = "'),
        ('[owner]\nname = "A"\n[owner]\nemail = "a@b.c"\n', 3, "[owner] is declared twice (first on line 1)",
         "one [owner] header"),  # fmt: skip
        ('owner = {name = "A",\nemail = "a@b.c"}\n', 1, "must be on one line", "[owner] table"),
        ('owner = {name = "A",}\n', 1, "no comma after its last key", "[owner]"),
        ('a = 1\ntitle = "x"\x00\n', 2, "control character U+0000 (column 12)", "delete it"),
        ('a = 1\rtitle = "x"\r', 1, "carriage return alone", "line endings"),
        ('a = 1\r\nb = 2\r\nb = 3\r\n', 3, "b is given twice (first on line 2)", "keep one"),
    ],
)
def test_more_syntax_errors_lead_to_the_fix(text, line, words, hint):
    found = explained(text)
    assert found.line == line and words in found.message, found
    assert hint in found.hint, found
    assert "not TOML that podcast can read" not in found.message
    assert "something follows" not in found.message


def test_lines_are_counted_from_the_first_line_given_in_the_message_too():
    text = 'title = "A"\ndate = 2025-04-02\ntitle = "B"\n'  # the front matter of an episode.md, from line 2
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    found = explain(text, caught.value, first_line=2)
    assert found.line == 4 and "title is given twice (first on line 2)" in found.message
