"""The feed we write, read back by real podcast-app parsers and by XPath."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import feedparser
import lxml.html
import podcastparser
import pytest
from lxml import etree

from podcast import pipeline

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


@pytest.fixture
def built(show):
    show.add(
        "first",
        title="First Light",
        date="2025-01-01",
        seconds=3,
        extra='season = 1\nepisode = 1\nhosts = ["Ann Host"]',
    )
    show.add(
        "second",
        title="Second Wind",
        date="2025-02-01",
        seconds=5,
        extra='season = 1\nepisode = 2\nepisode_type = "bonus"\nexplicit = true',
    )
    pipeline.build(show.root)
    return show


def xml(show):
    return etree.parse(str(show.feed))


def test_feedparser_reads_every_item_with_guid_title_date_enclosure_and_duration(built):
    parsed = feedparser.parse(str(built.feed))
    assert not parsed.bozo, parsed.get("bozo_exception")
    entries = {e.title: e for e in parsed.entries}
    assert set(entries) == {"First Light", "Second Wind"}
    for slug, title, seconds in (("first", "First Light", 3), ("second", "Second Wind", 5)):
        entry = entries[title]
        audio = built.root / "episodes" / slug / f"{slug}.mp3"
        assert entry.id == f"guid-{slug}-0000"
        assert entry.enclosures[0].href == f"https://cdn.example.com/show/media/{slug}/{slug}.mp3"
        assert int(entry.enclosures[0].length) == audio.stat().st_size
        assert entry.enclosures[0].type == "audio/mpeg"
        assert abs(int(entry.itunes_duration) - seconds) <= 1
        assert entry.published_parsed is not None


def test_podcastparser_reads_every_item(built):
    with open(built.feed, "rb") as handle:
        parsed = podcastparser.parse("https://cdn.example.com/show/feed.xml", handle)
    assert parsed["title"] == "Test Show"
    episodes = {e["guid"]: e for e in parsed["episodes"]}
    assert set(episodes) == {"guid-first-0000", "guid-second-0000"}
    second = episodes["guid-second-0000"]
    size = (built.root / "episodes/second/second.mp3").stat().st_size
    assert second["enclosures"][0]["file_size"] == size
    assert second["enclosures"][0]["mime_type"] == "audio/mpeg"
    assert abs(second["total_time"] - 5) <= 1
    assert second["published"] > episodes["guid-first-0000"]["published"]


def test_items_are_newest_first(built):
    titles = [t.text for t in xml(built).findall("channel/item/title")]
    assert titles == ["Second Wind", "First Light"]


def test_channel_has_what_apple_and_the_w3c_validator_require(built):
    channel = xml(built).find("channel")
    assert channel.findtext("link") == "https://example.com/"
    self_link = channel.find("atom:link", NS)
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == "https://cdn.example.com/show/feed.xml"
    assert self_link.get("type") == "application/rss+xml"
    assert channel.findtext("language") == "en"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:type", namespaces=NS) == "episodic"
    assert channel.findtext("itunes:author", namespaces=NS) == "Ann Host"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "ann@example.com"
    category = channel.find("itunes:category", NS)
    assert category.get("text") == "Health & Fitness"
    assert category.find("itunes:category", NS).get("text") == "Medicine"
    assert channel.findtext("podcast:guid", namespaces=NS)


def test_items_carry_itunes_tags_and_permanent_guids(built):
    item = xml(built).find("channel/item")  # Second Wind
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.findtext("itunes:explicit", namespaces=NS) == "true"
    assert item.findtext("itunes:episodeType", namespaces=NS) == "bonus"
    assert item.findtext("itunes:season", namespaces=NS) == "1"
    assert item.findtext("itunes:episode", namespaces=NS) == "2"
    assert item.findtext("content:encoded", namespaces=NS)


def test_dates_are_rfc822_and_last_build_date_comes_from_the_newest_episode(built):
    channel = xml(built).find("channel")
    newest = parsedate_to_datetime(channel.findtext("item/pubDate"))
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == newest
    assert newest.date().isoformat() == "2025-02-01"


def test_two_builds_of_unchanged_input_are_byte_identical(built):
    first = built.feed.read_bytes()
    result = pipeline.build(built.root)
    assert result.changed is False
    assert built.feed.read_bytes() == first


def test_feed_is_independent_of_the_order_folders_are_listed(show):
    show.add("b-same-day", date="2025-03-01")
    show.add("a-same-day", date="2025-03-01")
    pipeline.build(show.root)
    slugs = [t.text for t in xml(show).findall("channel/item/title")]
    assert slugs == ["B-Same-Day", "A-Same-Day"]


LONG_ARTICLE = "\n\n".join(
    f"Part {n}\n\n" + " ".join(f"Sentence {s} of part {n} explains one more thing." for s in range(1, 12))
    for n in range(1, 10)
)


def test_the_description_is_html_in_cdata_that_apps_read_as_html(show):
    show.add("linked", article="Links\n\nSee https://example.com/more & ask me@example.com.\n")
    pipeline.build(show.root)
    raw = show.feed.read_text("utf-8")
    assert "<description><![CDATA[<p>Links</p><p>See <a href=" in raw
    (entry,) = feedparser.parse(str(show.feed)).entries
    assert '<a href="https://example.com/more">' in entry.summary
    assert '<a href="mailto:me@example.com">' in entry.summary
    assert "<h2>Links</h2>" in entry.content[0].value


def without_pages(show) -> None:
    """Switch the show's web pages off: an episode without a link of its own then has no page."""
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text() + "\n[pages]\nenabled = false\n")


def test_a_cut_description_links_to_the_episode_page_or_else_the_show_site(show):
    show.add(
        "with-page",
        date="2025-01-02",
        extra='link = "https://example.com/episodes/with-page"',
        article=LONG_ARTICLE,
    )
    show.add("without-page", date="2025-01-01", article=LONG_ARTICLE)
    without_pages(show)
    pipeline.build(show.root)
    items = {item.findtext("title"): item for item in xml(show).findall("channel/item")}
    with_page, without_page = items["With-Page"], items["Without-Page"]
    assert with_page.findtext("link") == "https://example.com/episodes/with-page"
    assert without_page.find("link") is None
    # Only the episode's own page is announced as the full notes; the show's site is named.
    for item, url, words in (
        (with_page, "https://example.com/episodes/with-page", "Full show notes"),
        (without_page, "https://example.com/", "More at example.com"),
    ):
        description = item.findtext("description")
        assert len(description.encode()) <= 4000
        assert description.endswith(f'<p><a href="{url}">{words}</a></p>')


def test_no_relative_link_reaches_the_feed(show):
    article = 'See [the guide](/guides/sleep), [the top](#top) and <a href="#">this</a>.\n'
    show.add("without", date="2025-01-01", article=article, extra='format = "markdown"')
    show.add(
        "with",
        date="2025-01-02",
        article=article,
        extra='format = "markdown"\nlink = "https://example.com/episodes/with"',
    )
    without_pages(show)
    pipeline.build(show.root)
    items = {item.findtext("title"): item for item in xml(show).findall("channel/item")}
    content = "{http://purl.org/rss/1.0/modules/content/}encoded"
    for title, hrefs in (("Without", []), ("With", ["https://example.com/guides/sleep"])):
        for fragment in (items[title].findtext("description"), items[title].findtext(content)):
            found = lxml.html.fragment_fromstring(fragment, create_parent="div").xpath("//a/@href")
            assert found == hrefs, (title, fragment)
