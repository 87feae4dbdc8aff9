"""RFC 5005 paged feeds: with feed_items = N, feed.xml holds the newest N episodes and links
to older pages, so an app following the links finds every episode exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
from conftest import run
from lxml import etree

from podcast import feed, pipeline
from podcast.feed import paging
from podcast.lint import RULES
from podcast.model import Episode, Show, ShowNotes

BASE = "https://cdn.example.com/show/"


def paged_show(show, episodes: int, per_page: int | None):
    toml = show.root / "podcast.toml"
    if per_page is not None:
        toml.write_text(f"feed_items = {per_page}\n" + toml.read_text("utf-8"), "utf-8")
    for number in range(1, episodes + 1):
        show.add(f"ep{number}", date=f"2025-01-{number:02d}")
    return show


def links(path) -> dict[str, str]:
    parsed = feedparser.parse(path.read_bytes())
    return {link["rel"]: link["href"] for link in parsed.feed.links if link.get("rel") != "alternate"}


def walk(show) -> list[tuple[str, list[str]]]:
    """Follow rel=next from feed.xml, as an app would: (page URL, GUIDs on it) for each page."""
    pages = []
    path = show.root / "feeds" / "feed.xml"
    while path is not None:
        found = links(path)
        pages.append((found["self"], [entry.id for entry in feedparser.parse(path.read_bytes()).entries]))
        following = found.get("next")
        path = show.root / "feeds" / following.removeprefix(BASE) if following else None
        assert len(pages) < 20
    return pages


def test_feed_xml_holds_the_newest_and_the_pages_hold_every_other_episode_once(show):
    paged_show(show, 5, per_page=2)
    pipeline.build(show.root)
    pages = walk(show)
    assert [url for url, _ in pages] == [BASE + "feed.xml", BASE + "feed-2.xml", BASE + "feed-3.xml"]
    assert [guids for _, guids in pages] == [
        ["guid-ep5-0000", "guid-ep4-0000"],
        ["guid-ep3-0000", "guid-ep2-0000"],
        ["guid-ep1-0000"],
    ]


def test_each_page_links_to_the_first_last_previous_and_next(show):
    paged_show(show, 5, per_page=2)
    pipeline.build(show.root)
    feeds = show.root / "feeds"
    assert links(feeds / "feed-2.xml") == {
        "self": BASE + "feed-2.xml",
        "first": BASE + "feed.xml",
        "previous": BASE + "feed.xml",
        "next": BASE + "feed-3.xml",
        "last": BASE + "feed-3.xml",
    }
    first = links(feeds / "feed.xml")
    assert "previous" not in first and first["next"] == BASE + "feed-2.xml"
    last = links(feeds / "feed-3.xml")
    assert "next" not in last and last["previous"] == BASE + "feed-2.xml"


def test_a_show_that_fits_on_one_page_has_no_paging_links(show):
    paged_show(show, 2, per_page=2)
    pipeline.build(show.root)
    feed = (show.root / "feeds" / "feed.xml").read_bytes()
    assert b'rel="next"' not in feed and b'rel="first"' not in feed
    assert not list((show.root / "feeds").glob("feed-*.xml"))


def test_pages_no_longer_needed_are_removed(show):
    paged_show(show, 5, per_page=2)
    pipeline.build(show.root)
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text("utf-8").replace("feed_items = 2", "feed_items = 4"), "utf-8")
    pipeline.build(show.root)
    assert sorted(p.name for p in (show.root / "feeds").glob("feed*.xml")) == ["feed-2.xml", "feed.xml"]


def test_an_episode_moving_to_page_two_is_not_a_removal(show):
    paged_show(show, 2, per_page=2)
    pipeline.build(show.root)
    show.add("ep3", date="2025-01-03")  # pushes ep1 off feed.xml
    result = pipeline.build(show.root)  # no "would be dropped" error
    assert len(result.catalog.published) == 3
    assert [guids for _, guids in walk(show)] == [["guid-ep3-0000", "guid-ep2-0000"], ["guid-ep1-0000"]]


def test_the_size_warning_tells_how_to_page():
    (s101,) = [rule for rule in RULES if rule.code == "S101"]
    assert "feed_items" in s101.hint


def test_feed_items_must_be_a_positive_whole_number(show):
    toml = show.root / "podcast.toml"
    toml.write_text("feed_items = 0\n" + toml.read_text("utf-8"), "utf-8")
    result = run("build", show.root)
    assert result.exit_code == 1
    assert "feed_items" in result.stderr


def test_page_names():
    assert paging.page_name(1) == "feed.xml" and paging.page_name(7) == "feed-7.xml"
    assert paging.is_page_name("feed-12.xml")
    assert not paging.is_page_name("feed-x.xml") and not paging.is_page_name("feed.xml")


def test_the_size_warning_judges_what_apps_fetch(show):
    paragraph = "A long paragraph of show notes that goes on and on. " * 40 + "\n\n"
    for number in range(1, 4):
        show.add(f"ep{number}", date=f"2025-01-0{number}", article=paragraph * 200)  # ~400 KB each
    assert [p.code for p in pipeline.check(show.root) if p.code == "S101"] == ["S101"]
    toml = show.root / "podcast.toml"
    toml.write_text("feed_items = 1\n" + toml.read_text("utf-8"), "utf-8")
    assert not [p for p in pipeline.check(show.root) if p.code == "S101"]


def test_a_paged_feed_with_simple_chapters_is_published_as_built(show, tmp_path):
    # Each psc:chapters declares its prefix (an item is made apart from the feed); publishing
    # checks the build is current by making the pages again, which must give the same bytes.
    toml = show.root / "podcast.toml"
    toml.write_text("feed_items = 1\nsimple_chapters = true\n" + toml.read_text("utf-8"), "utf-8")
    for number in (1, 2, 3):
        show.add(f"ep{number}", date=f"2025-01-0{number}", article="00:00 Hello\n00:01 And more & more\n")
    pipeline.build(show.root)
    page = (show.root / "feeds" / "feed-2.xml").read_text("utf-8")
    assert '<psc:chapter start="00:00:01.000" title="And more &amp; more"/>' in page
    result = run("publish", str(show.root), "--to", str(tmp_path / "site"), "--no-verify", "--no-ping")
    assert result.exit_code == 0, result.output + result.stderr
    for name in ("feed.xml", "feed-2.xml", "feed-3.xml"):
        assert (tmp_path / "site" / name).read_bytes() == (show.root / "feeds" / name).read_bytes()


def test_pages_are_cut_from_a_feed_at_its_items_and_not_inside_their_notes():
    show = Show(
        root=Path("/nowhere"), title="T", description="D", author="A", owner_name="O",
        owner_email="o@example.com", language="en", link="https://example.com/", base_url=BASE,
        guid="g", feed_items=2,
    )  # fmt: skip
    quoting = "<pre>\n    <item>\n    </item>\n  </channel>\n</rss>\n</pre>"  # an article quoting a feed
    episodes = [
        Episode(
            slug=f"ep{number}",
            source=f"episodes/ep{number}/episode.md",
            title=f"Episode {number}",
            date=datetime(2025, 1, number, tzinfo=UTC),
            guid=f"ep{number}",
            notes=ShowNotes(sections=(), html=quoting, description_html=quoting, text=""),
        )
        for number in range(1, 6)
    ]
    rendered = feed.assemble(show, episodes, {})
    assert paging.cut(rendered.document) == rendered
    pages = paging.split(show, rendered.document)
    assert [name for name, _ in pages] == ["feed.xml", "feed-2.xml", "feed-3.xml"]
    assert pages == [(name, page.document) for name, page in paging.from_parts(show, rendered)]
    titles = [[item.findtext("title") for item in etree.fromstring(data).iter("item")] for _, data in pages]
    assert titles == [["Episode 5", "Episode 4"], ["Episode 3", "Episode 2"], ["Episode 1"]]


def test_a_feed_whose_notes_end_many_cdata_sections_is_cut_in_one_pass():
    # Each "]]>" in notes ends their CDATA section and begins another (xmltext.cdata). Cutting
    # once searched for the next item again from every section's end: with 100,000 of them in
    # an item that took minutes; now each section and each item line is found once.
    show = Show(
        root=Path("/nowhere"), title="T", description="D", author="A", owner_name="O",
        owner_email="o@example.com", language="en", link="https://example.com/", base_url=BASE,
        guid="g", feed_items=1,
    )  # fmt: skip
    html = "<p>" + "a]]>" * 100_000 + "\n    <item>\n" + "b]]>" * 100_000 + "</p>"
    episodes = [
        Episode(
            slug=f"ep{number}",
            source=f"episodes/ep{number}/episode.md",
            title=f"Episode {number}",
            date=datetime(2025, 1, number, tzinfo=UTC),
            guid=f"ep{number}",
            notes=ShowNotes(sections=(), html=html, description_html="<p>d</p>", text=""),
        )
        for number in range(1, 4)
    ]
    rendered = feed.assemble(show, episodes, {})
    assert paging.cut(rendered.document) == rendered
    pages = paging.split(show, rendered.document)
    contents = [etree.fromstring(data).findtext("channel/item/{*}encoded") for _, data in pages]
    assert contents == [html] * 3
