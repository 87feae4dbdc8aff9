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
