"""Saved episode pages: the article and its facts, without the page furniture."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import lxml.html
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


EXTRA_HTML = """
    <p><strong>What to Bring</strong></p>
    <ul><li>Pyjamas</li><li>A book, if you read before sleeping</li></ul>
    <p><strong>The Night in Order</strong></p>
    <ol><li>Check in at the desk</li><li>Sensors go on</li><li>Lights out</li></ol>
    <p>Read <a href="https://clinic.example.com/prepare">our guide</a> first, see
       <a href="https://clinic.example.com/map">https://clinic.example.com/map</a>,
       <a href="mailto:desk@clinic.example.com">write to the desk</a> or
       <a href="/show/harbor-light/contact">ask us</a>.</p>
"""


def page_with(extra_html: str) -> str:
    source = (DATA / "saved-page.html").read_text("utf-8")
    return source.replace(
        "    <script>trackRead();</script>", extra_html + "    <script>trackRead();</script>"
    )


def test_lists_in_a_saved_html_page_stay_lists():
    page = read_page(page_with(EXTRA_HTML))
    assert "- Pyjamas\n- A book, if you read before sleeping" in page.article
    assert "1. Check in at the desk\n2. Sensors go on\n3. Lights out" in page.article
    shown = notes.render(page.article, title=page.title)
    tree = lxml.html.fragment_fromstring(shown.html, create_parent="div")
    assert tree.xpath("ul/li/text()") == ["Pyjamas", "A book, if you read before sleeping"]
    assert tree.xpath("ol/li/text()") == ["Check in at the desk", "Sensors go on", "Lights out"]
    assert [s.heading for s in shown.sections] == [*HEADINGS, "What to Bring", "The Night in Order"]


def test_a_numbered_list_starting_later_keeps_its_numbers():
    page = read_page(page_with('<ol start="4"><li>Four</li><li>Five</li></ol>'))
    assert "4. Four\n5. Five" in page.article


def test_link_addresses_in_a_saved_html_page_are_kept_and_linked():
    page = read_page(page_with(EXTRA_HTML))
    assert "our guide (https://clinic.example.com/prepare)" in page.article
    assert "see https://clinic.example.com/map," in page.article  # the words are the address
    assert "write to the desk (desk@clinic.example.com)" in page.article
    assert "ask us." in page.article and "/contact" not in page.article  # the page's own links
    shown = notes.render(page.article, title=page.title)
    links = lxml.html.fragment_fromstring(shown.html, create_parent="div").xpath("//a/@href")
    assert links == [
        "https://clinic.example.com/prepare",
        "https://clinic.example.com/map",
        "mailto:desk@clinic.example.com",
    ]


OPENING_HOURS = (
    "Opening Hours\n\nMonday to Friday\n9:00\n17:00\n\nSaturday\n10:00\n\nWe are closed on Sundays.\n"
)


@pytest.mark.parametrize("name", PAGES)
def test_a_time_on_its_own_line_inside_the_article_does_not_end_it(name):
    source = (DATA / name).read_text("utf-8")
    last = (
        "A sleep physician reads the night's recording and goes through the results with you"
        " at a follow-up visit."
    )
    if name.endswith(".html"):
        hours = "".join(f"<p>{block.replace(chr(10), '<br>')}</p>" for block in OPENING_HOURS.split("\n\n"))
        source = source.replace(f"<p>{last}</p>", f"<p>{last}</p>{hours}")
    else:
        source = source.replace(last, last + "\n\n" + OPENING_HOURS)
    page = read_page(source)
    assert page.article.rstrip().endswith("We are closed on Sundays.")
    assert "9:00\n17:00" in page.article
    assert "00:00" not in page.article and "1.5x" not in page.article
    assert page.host == "Dana Whitfield"


def test_without_a_subscribe_line_the_player_still_ends_the_article():
    source = (DATA / "saved-page.txt").read_text("utf-8")
    source = source.replace("Subscribe to The Harbor Light Sleep Clinic on Soundwise\nComments\n", "")
    page = read_page(source)
    assert page.article.rstrip().endswith("at a follow-up visit.")
    assert page.host == "Dana Whitfield"
