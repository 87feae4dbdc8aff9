"""Saved episode pages: the article and its facts, without the page furniture."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from podcast import notes
from podcast.pagetext import read_page

DATA = Path(__file__).resolve().parent / "data"
TITLE = "What Happens During an Overnight Sleep Study"
HEADINGS = ["Arriving at the Sleep Lab", "The Sensors and What They Measure", "After the Study"]
FURNITURE = [
    "HomePodcasts",
    "Update:",
    "Share",
    "Description",
    "Subscribe to",
    "Comments",
    "00:00",
    "24:18",
    "1.5x",
    "3.0x",
    "Sleep Timer",
    "15 minutes",
    "End of Episode",
    "Dana Whitfield",
    "trackRead",
    "analytics",
]

PAGES = [pytest.param("saved-page.txt", id="text"), pytest.param("saved-page.html", id="html")]


@pytest.mark.parametrize("name", PAGES)
def test_a_saved_page_gives_title_date_host_and_show(name):
    page = read_page((DATA / name).read_text("utf-8"))
    assert page.title == TITLE
    assert page.date == date(2025, 5, 14)
    assert page.host == "Dana Whitfield"
    assert (page.show, page.platform) == ("The Harbor Light Sleep Clinic", "Soundwise")


@pytest.mark.parametrize("name", PAGES)
def test_the_article_keeps_its_sections_and_loses_the_furniture(name):
    page = read_page((DATA / name).read_text("utf-8"))
    for word in FURNITURE:
        assert word not in page.article, word
    assert TITLE not in page.article
    assert page.article.startswith("Arriving at the Sleep Lab\n\nYou check in at the lab")
    assert page.article.rstrip().endswith("at a follow-up visit.")
    shown = notes.render(page.article, title=page.title)
    assert [s.heading for s in shown.sections] == HEADINGS
    assert [len(s.paragraphs) for s in shown.sections] == [3, 3, 2]


def test_the_html_and_the_text_of_a_page_give_the_same_article():
    text = read_page((DATA / "saved-page.txt").read_text("utf-8"))
    page = read_page((DATA / "saved-page.html").read_text("utf-8"))
    assert page == text


def test_crlf_line_ends_in_a_saved_page_are_read_the_same():
    source = (DATA / "saved-page.txt").read_text("utf-8")
    assert read_page(source.replace("\n", "\r\n")) == read_page(source)


def test_a_page_without_a_date_line_still_finds_the_title_in_the_run_together_first_line():
    source = (DATA / "saved-page.txt").read_text("utf-8").replace("Update: 2025-05-14\n", "")
    page = read_page(source)
    assert page.title == TITLE and page.date is None
    assert page.article.startswith("Arriving at the Sleep Lab")
