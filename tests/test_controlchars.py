"""Control characters from editors: turned into what they meant, never into a broken feed."""

from __future__ import annotations

import feedparser
import pytest
from conftest import run
from lxml import etree

from podcast import config, notes, pipeline
from podcast.controlchars import clean_line, clean_text, first_not_xml
from podcast.errors import ConfigError
from podcast.pagetext import read_page


def writable_as_xml(text: str) -> bool:
    try:
        etree.Element("p").text = text
    except ValueError:
        return False
    return True


def test_word_line_and_page_breaks_become_line_breaks():
    assert clean_text("first line\x0bsecond line\x0cnext page") == "first line\nsecond line\nnext page"


def test_windows_1252_bytes_read_as_latin_1_become_the_characters_they_meant():
    assert clean_text("\x93Hello\x94, it\x92s 1\x962 \x97 well\x85") == "“Hello”, it’s 1–2 — well…"


def test_other_control_characters_are_removed_and_tabs_and_line_ends_kept():
    assert clean_text("a\x01b\x1fc\x00d\x7fe\x81f\ufffeg\th\r\ni") == "abcdef" + "g\th\r\ni"


def test_every_character_clean_text_leaves_can_be_written_to_xml():
    every = "".join(chr(code) for code in range(0x00, 0x100)) + "\ufffe\uffff"
    assert writable_as_xml(clean_text(every))
    assert writable_as_xml(clean_line(every))
    assert not writable_as_xml(every)


@pytest.mark.parametrize("around", ["", "plain ", "café ", "\u00a0", "\uffbd", "\U0001f600", "\ud800"])
def test_a_control_is_cleaned_whatever_text_is_around_it_and_nothing_else_is_touched(around):
    # Every character of the Basic Multilingual Plane, beside ASCII, accented or emoji text, a
    # no-break space (which shares its first UTF-8 byte with the C1 controls), a character
    # near U+FFFE, or a lone surrogate (text that is not UTF-8 at all).
    controls = {*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF}
    for code in range(0x10000):
        text = f"{around}{chr(code)}{around}"
        assert (clean_text(text) != text) == (code in controls), hex(code)


def test_a_line_keeps_its_words_apart_where_a_control_stood():
    assert clean_line("Intro\x0bPart one") == "Intro Part one"


def test_first_not_xml_names_the_character():
    assert first_not_xml("Title\x0b") == "U+000B"
    assert first_not_xml("“Title” – fine\t\n") is None


def test_an_article_with_controls_renders_with_the_meant_characters():
    article = "Opening line\x0bcontinues here.\n\n\x93Hello\x94, it\x92s a \x01test\x0c.\n"
    shown = notes.render(article)
    assert notes_paragraphs(shown) == ["Opening line continues here.", "“Hello”, it’s a test ."]
    for text in (shown.html, shown.description_html, shown.text):
        assert writable_as_xml(text)


def notes_paragraphs(shown) -> list[str]:
    return [p for section in shown.sections for p in section.paragraphs]


def test_a_vertical_tab_parts_list_items_like_a_line_break():
    shown = notes.render("What to bring\n\n- pyjamas\x0b- a book\n")
    assert "<li>pyjamas</li><li>a book</li>" in shown.html


def test_character_references_to_controls_in_pasted_html_are_cleaned_too():
    shown = notes.render("<p>one&#11;two &#x93;quoted&#x94; three&#1;</p>")
    assert writable_as_xml(shown.html) and writable_as_xml(shown.description_html)
    assert "“quoted”" in shown.html and "three" in shown.text


def test_a_saved_page_with_a_vertical_tab_reads_it_as_a_line_break():
    page = read_page("Show › Ep 1Ep 1\nEp 1\nUpdate: 2025-01-02\nA first paragraph.\x0bA second.\n")
    assert writable_as_xml(page.article)
    assert page.article.splitlines() == ["A first paragraph.", "A second."]


# ---------------------------------------------------------------- the whole build


@pytest.fixture
def messy(show):
    """A show whose article, title line and chapters.json hold what Word and TOML escapes put there."""
    article = (
        "Sleep\x0bwell\n\n"
        "\x93Hello\x94, it\x92s the first paragraph\x01 \x96 with a page break\x0c here.\n\n"
        "00:00 Intro\n00:01 Talk\x0bmore\n"
    )
    show.set_show_keys("simple_chapters = true")
    folder = show.add("messy", title="Messy", article=article)
    (folder / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Start\\u000bhere"},'
        ' {"startTime": 1, "title": "Then \\u0093this\\u0094"}]}'
    )
    return show


def test_a_show_with_control_characters_in_its_article_builds_and_its_feed_parses(messy):
    pipeline.build(messy.root)
    parsed = feedparser.parse(str(messy.feed))
    assert parsed.bozo == 0
    (entry,) = parsed.entries
    assert "“Hello”, it’s the first paragraph – with a page break" in entry.content[0].value
    assert "“Hello”" in entry.summary
    document = etree.parse(str(messy.feed))
    titles = document.xpath("//psc:chapter/@title", namespaces={"psc": "http://podlove.org/simple-chapters"})
    assert titles == ["Start here", "Then “this”"]


def test_podcast_lint_checks_such_a_show_without_an_internal_error(messy):
    result = run("lint", str(messy.root))
    assert "internal error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("key", "line", "field"),
    [
        ('title = "Test\\u000bShow"', 'title = "Test Show"', "title"),
        ('description = "Tests\\fand more."', 'description = "A show for tests."', "description"),
        ('author = "Ann\\u0001 Host"', 'author = "Ann Host"', "author"),
    ],
)
def test_a_control_character_in_podcast_toml_is_a_problem_naming_the_key_and_line(show, key, line, field):
    toml = show.root / "podcast.toml"
    text = toml.read_text()
    assert line in text
    toml.write_text(text.replace(line, key))
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    (problem,) = caught.value.problems
    assert problem.field == field and problem.path.endswith("podcast.toml")
    assert toml.read_text().splitlines()[problem.line - 1].startswith(field)
    assert "control character U+00" in problem.message and "delete it" in problem.hint


def test_a_control_character_in_a_person_name_is_a_problem(show):
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text() + '\n[[person]]\nname = "Ann\\u000bHost"\n')
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    (problem,) = caught.value.problems
    assert problem.field == "person" and "U+000B" in problem.message


def test_control_characters_in_front_matter_stop_the_build_with_problems_not_a_crash(show):
    show.add("one", title="One\\u000b", extra='hosts = ["Ann\\u000cHost"]')
    result = run("build", str(show.root))
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "title: contains the control character U+000B" in result.output
    assert "hosts: contains the control character U+000C" in result.output
    assert not show.feed.exists()
