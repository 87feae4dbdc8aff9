"""`podcast import-page`: one episode from its web page, in the shapes hosting platforms render."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from conftest import run

from podcast import pipeline
from podcast.importer import import_feed, import_page

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


# Buzzsprout-style: the facts in JSON-LD (@graph with a PodcastEpisode and its AudioObject).
JSON_LD_PAGE = """<!DOCTYPE html><html><head><title>The Moon - Night Sky Notes</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "PodcastSeries", "name": "Night Sky Notes"},
 {"@type": "PodcastEpisode", "name": "The Moon", "datePublished": "2025-04-07T05:00:00-04:00",
  "url": "https://nightsky.example/episodes/the-moon",
  "author": {"@type": "Person", "name": "Omar Stars"},
  "associatedMedia": {"@type": "AudioObject", "contentUrl": "https://cdn.example/moon.mp3",
   "encodingFormat": "audio/mpeg", "contentSize": "48163712", "duration": "PT42M10S"}}]}
</script></head><body>
<nav><a href="/">Home</a> · <a href="/episodes">Episodes</a> · <a href="/about">About</a></nav>
<main><article><h1>The Moon</h1>
<p>Craters, seas and the terminator line: what a pair of binoculars shows you on a clear night.</p>
<h2>Where to look</h2><p>Start at the terminator, where the shadows are long and the craters stand out.</p>
<p>Read <a href="/guides/binoculars">our binocular guide</a> before you go out.</p></article></main>
<footer>© Night Sky Notes · Privacy · Terms</footer></body></html>"""

# Podbean-style: Open Graph for the facts, the article in the page's entry content.
OPEN_GRAPH_PAGE = """<!DOCTYPE html><html><head>
<meta property="og:title" content="Greetings for Every Hour">
<meta property="og:url" content="https://coffee.podbean.example/e/greetings/">
<meta property="og:audio" content="{audio}">
<meta property="og:audio:type" content="audio/mpeg">
<meta property="article:published_time" content="2025-04-09T12:00:00+00:00">
<meta name="author" content="Lucia Cafe">
<title>Greetings for Every Hour | Coffee Club</title></head><body>
<div class="header"><a href="/">Coffee Club</a><a href="/subscribe">Subscribe</a></div>
<div class="entry-content">
<p>From buenos días to buenas noches: which greeting fits which hour of the day, with examples.</p>
<ul><li>buenos días until noon</li><li>buenas tardes until dark</li></ul>
<p>Practise them with a friend over coffee this week.</p></div>
<div class="sidebar">Popular episodes · Tags · Archive</div></body></html>"""

# Transistor/WordPress-style: nothing structured but an <audio> element and a <time>.
AUDIO_TAG_PAGE = """<!DOCTYPE html><html><head><title>Tomatoes in Pots – Garden Talk</title></head><body>
<header><a href="/">Garden Talk</a></header>
<article><h1>Tomatoes in Pots</h1>
<p class="byline">By Rosa Green · <time datetime="2025-04-01">April 1, 2025</time></p>
<audio controls preload="none"><source src="/media/tomatoes.mp3" type="audio/mpeg"></audio>
<p>Which tomato varieties grow well in a pot on a balcony, and how much sun and water they need to fruit.</p>
<p>Cherry and bush types are the safest choice for a first year; feed them every week once flowers appear.</p>
</article><footer>Garden Talk · RSS · Contact</footer></body></html>"""


def front(root: Path, slug: str) -> tuple[dict, str]:
    text = (root / "episodes" / slug / "episode.md").read_text("utf-8")
    _, matter, body = text.split("+++\n", 2)
    return tomllib.loads(matter), body


def test_json_ld_gives_the_facts_and_the_extractor_the_article(show, httpserver):
    httpserver.expect_request("/episodes/the-moon").respond_with_data(JSON_LD_PAGE, content_type="text/html")
    report = import_page(httpserver.url_for("/episodes/the-moon"), show.root)
    data, body = front(show.root, report.slug)
    assert (data["title"], data["hosts"]) == ("The Moon", ["Omar Stars"])
    assert data["date"].isoformat() == "2025-04-07T05:00:00-04:00"
    assert (data["audio_url"], data["length"], data["type"]) == (
        "https://cdn.example/moon.mp3",
        48163712,
        "audio/mpeg",
    )
    assert data["duration"] == 42 * 60 + 10 and data["link"] == "https://nightsky.example/episodes/the-moon"
    assert data["format"] == "markdown" and len(data["guid"]) == 36
    assert "## Where to look" in body and "Start at the terminator" in body
    assert "[our binocular guide](http://127.0.0.1:" in body  # made absolute against the page
    assert "Privacy" not in body and "Episodes" not in body and not body.startswith("# The Moon")
    assert report.page.sources["audio"] == "JSON-LD" and report.page.sources["article"] == "trafilatura"
    pipeline.build(show.root)  # https audio by URL: the show builds and lints clean
    assert b"https://cdn.example/moon.mp3" in show.feed.read_bytes()


def test_open_graph_and_the_servers_word_for_the_length(show, httpserver):
    audio = show.mp3(3.0).read_bytes()
    httpserver.expect_request("/audio/greetings.mp3").respond_with_data(audio, content_type="audio/mpeg")
    page = OPEN_GRAPH_PAGE.replace("{audio}", httpserver.url_for("/audio/greetings.mp3"))
    httpserver.expect_request("/e/greetings/").respond_with_data(page, content_type="text/html")
    report = import_page(httpserver.url_for("/e/greetings/"), show.root)
    data, body = front(show.root, report.slug)
    assert data["title"] == "Greetings for Every Hour" and data["hosts"] == ["Lucia Cafe"]
    assert data["length"] == len(audio) and data["type"] == "audio/mpeg"  # from a HEAD request
    assert data["date"].isoformat() == "2025-04-09T12:00:00+00:00"
    assert "- buenos días until noon" in body and "Popular episodes" not in body
    assert report.page.sources["title"] == "Open Graph"


def test_an_audio_element_and_a_time_on_a_saved_page(show, tmp_path):
    saved = tmp_path / "tomatoes.html"
    saved.write_text(AUDIO_TAG_PAGE, "utf-8")
    report = import_page(str(saved), show.root)
    data, body = front(show.root, report.slug)
    assert data["title"] == "Tomatoes in Pots" and str(data["date"]) == "2025-04-01"
    # A saved page has no address: its relative audio URL cannot be resolved, so the import says so.
    assert "audio_url" not in data and data["draft"] is True
    (problem,) = [p for p in report.problems if p.field == "audio_url"]
    assert "'/media/tomatoes.mp3'" in problem.message
    assert "Cherry and bush types" in body and "RSS · Contact" not in body
    assert report.page.sources["audio"] == "<audio>" and report.page.sources["date"] == "<time>"
    assert "hosts" not in data  # the page's last line is its footer, not a host


def test_saved_text_falls_back_to_the_line_rules(show):
    report = import_page(str(DATA / "saved-page.txt"), show.root)
    data, body = front(show.root, report.slug)
    assert data["title"] == "What Happens During an Overnight Sleep Study"
    assert str(data["date"]) == "2025-05-14" and data["draft"] is True  # no audio on a text page
    assert "Arriving at the Sleep Lab" in body and "Subscribe to" not in body
    assert any(p.field == "audio" for p in report.problems)


def test_importing_the_same_page_again_keeps_its_folder_and_guid(show, httpserver):
    httpserver.expect_request("/episodes/the-moon").respond_with_data(JSON_LD_PAGE, content_type="text/html")
    first = import_page(httpserver.url_for("/episodes/the-moon"), show.root)
    again = import_page(httpserver.url_for("/episodes/the-moon"), show.root)
    assert (again.slug, again.state) == (first.slug, "unchanged")
    assert len(list((show.root / "episodes").iterdir())) == 1


def test_the_command(show, httpserver, tmp_path):
    httpserver.expect_request("/episodes/the-moon").respond_with_data(JSON_LD_PAGE, content_type="text/html")
    result = run("import-page", httpserver.url_for("/episodes/the-moon"), "--into", show.root)
    assert result.exit_code == 0, result.output
    assert "episode.md written: The Moon · 2025-04-07 · Omar Stars" in result.stdout
    as_json = run("import-page", httpserver.url_for("/episodes/the-moon"), "--into", show.root, "--json")
    assert json.loads(as_json.stdout)["state"] == "unchanged"
    nowhere = run("import-page", httpserver.url_for("/episodes/the-moon"), "--into", tmp_path)
    assert nowhere.exit_code == 1 and "not in a show directory" in nowhere.stderr


def test_a_page_that_is_not_there(show, httpserver):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    result = run("import-page", httpserver.url_for("/gone"), "--into", str(show.root))
    assert result.exit_code == 1 and "cannot fetch the page: HTTP 404" in result.stderr
    assert not list((show.root / "episodes").iterdir())


def test_structured_data_nested_beyond_reason_is_passed_over(show, tmp_path):
    page = JSON_LD_PAGE.replace(
        '<script type="application/ld+json">',
        '<script type="application/ld+json">'
        + "[" * 100_000
        + "]" * 100_000
        + '</script><script type="application/ld+json">',
    )
    saved = tmp_path / "page.html"
    saved.write_text(page, "utf-8")
    report = import_page(str(saved), show.root)
    assert report.page.title == "The Moon" and report.page.sources["title"] == "JSON-LD"


def test_a_saved_page_of_the_layout_the_line_rules_know(show):
    report = import_page(str(DATA / "saved-page.html"), show.root)
    data, body = front(show.root, report.slug)
    assert (data["title"], str(data["date"]), data["hosts"]) == (
        "What Happens During an Overnight Sleep Study",
        "2025-05-14",
        ["Dana Whitfield"],
    )
    assert report.page.sources["date"] == report.page.sources["host"] == "line rules (podcast.pagetext)"
    assert body.startswith("**Arriving at the Sleep Lab**") and "Subscribe to" not in body


def test_the_command_finds_the_show_from_a_folder_inside_it(show, tmp_path):
    inside = show.root / "episodes"
    result = run("import-page", str(DATA / "saved-page.txt"), "--into", str(inside))
    assert result.exit_code == 0, result.output
    assert (show.root / "episodes" / "what-happens-during-an-overnight-sleep-study" / "episode.md").is_file()


def test_structured_data_and_a_server_that_lie_are_not_written_as_fact(show, httpserver, tmp_path):
    lying = (
        JSON_LD_PAGE.replace('"48163712"', '"99999999999999999999999"')
        .replace('"PT42M10S"', '"PT99999999999H"')
        .replace("https://cdn.example/moon.mp3", "javascript:alert(1)")
    )
    saved = tmp_path / "moon.html"
    saved.write_text(lying, "utf-8")
    report = import_page(str(saved), show.root)
    data, _ = front(show.root, report.slug)
    assert "audio_url" not in data and data["draft"] is True
    (problem,) = [p for p in report.problems if p.field == "audio_url"]
    assert "not a web address (javascript:)" in problem.message and "relative" not in problem.message

    # With a usable audio URL, the impossible size and duration are left out, not written; the
    # server asked instead answers with an impossible Content-Length too.
    audio = httpserver.url_for("/moon.mp3")
    httpserver.expect_request("/moon.mp3", method="HEAD").respond_with_data(
        b"", headers={"Content-Length": "99999999999999999999999", "Content-Type": "audio/mpeg"}
    )
    saved.write_text(lying.replace("javascript:alert(1)", audio), "utf-8")
    again = import_page(str(saved), show.root)
    data, _ = front(show.root, again.slug)
    assert data["audio_url"] == audio
    assert data["length"] == 0 and "duration" not in data
    pipeline.build(show.root, force=True)  # a show directory that builds, with TOML any reader takes


def test_the_page_of_an_episode_imported_from_its_feed_does_not_replace_it(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
        "<title>Night Sky</title><link>https://nightsky.example/</link><description>d</description>"
        '<itunes:category text="Science"/><itunes:owner><itunes:email>o@nightsky.example</itunes:email>'
        "</itunes:owner><item><title>The Moon</title><guid>moon-0001</guid>"
        "<link>https://nightsky.example/episodes/the-moon</link>"
        "<pubDate>Mon, 07 Apr 2025 09:00:00 +0000</pubDate><itunes:season>1</itunes:season>"
        '<enclosure url="https://cdn.example/moon.mp3" length="48163712" type="audio/mpeg"/>'
        "<itunes:duration>42:10</itunes:duration></item></channel></rss>",
        "utf-8",
    )
    root = tmp_path / "sky"
    import_feed(str(feed), root, base_url="https://new.example/sky/")
    md = root / "episodes" / "the-moon" / "episode.md"
    before = md.read_bytes()
    page = tmp_path / "moon.html"  # the same episode's page (og:url is the item's link), without audio
    page.write_text(
        OPEN_GRAPH_PAGE.replace(
            "https://coffee.podbean.example/e/greetings/", "https://nightsky.example/episodes/the-moon"
        ).replace('<meta property="og:audio" content="{audio}">', ""),
        "utf-8",
    )
    report = import_page(str(page), root)
    assert report.state == "kept" and md.read_bytes() == before
    (kept,) = [p for p in report.problems if "kept as it is" in p.message]
    assert "came from the feed's import" in kept.message and "the page's version is in" in kept.hint
    pipeline.build(root)
    assert '<guid isPermaLink="false">moon-0001</guid>' in (root / "feeds" / "feed.xml").read_text("utf-8")


def test_structured_data_in_lists_and_control_characters_are_read_as_text(show, tmp_path):
    # schema.org lets most properties be a list; a page's attributes may carry &#11; and the like.
    page = """<!DOCTYPE html><html><head>
<meta property="og:title" content="The&#11;Moon&#1;">
<meta name="author" content="Omar&#12;Stars">
<script type="application/ld+json">{"@type": "PodcastEpisode",
 "url": ["https://nightsky.example/episodes/the-moon", "https://nightsky.example/m"],
 "datePublished": ["2025-04-07T05:00:00-04:00"],
 "associatedMedia": {"contentUrl": ["https://cdn.example/moon.mp3"], "encodingFormat": ["audio/mpeg"],
  "contentSize": 48163712, "duration": ["PT42M10S"]}}</script></head>
<body><article><p>Craters, seas and the terminator line: what a pair of binoculars shows you.</p>
</article></body></html>"""
    saved = tmp_path / "moon.html"
    saved.write_text(page, "utf-8")
    report = import_page(str(saved), show.root)
    data, _ = front(show.root, report.slug)
    assert (data["title"], data["hosts"]) == ("The Moon", ["Omar Stars"])
    assert data["link"] == "https://nightsky.example/episodes/the-moon"
    assert (data["audio_url"], data["length"], data["type"]) == (
        "https://cdn.example/moon.mp3",
        48163712,
        "audio/mpeg",
    )
    assert data["duration"] == 2530 and data["date"].isoformat() == "2025-04-07T05:00:00-04:00"
    pipeline.build(show.root, force=True)


def test_the_audio_itself_given_as_the_page_is_refused(show, httpserver, mp3_factory):
    httpserver.expect_request("/moon.mp3").respond_with_data(
        mp3_factory(3.0).read_bytes(), content_type="audio/mpeg"
    )
    before = sorted(show.root.rglob("*"))
    result = run("import-page", httpserver.url_for("/moon.mp3"), "--into", str(show.root))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "is MP3 audio, not a web page" in result.stderr and "episode's page" in result.stderr
    assert sorted(show.root.rglob("*")) == before


@pytest.mark.parametrize("declared", ['<meta charset="windows-1252">', '<meta charset="utf-8">', ""])
def test_a_page_in_windows_1252_is_read_as_it_is_written(show, tmp_path, declared):
    page = OPEN_GRAPH_PAGE.replace("<head>", "<head>" + declared).replace(
        "Greetings for Every Hour", "Caf\u00e9 \u201cgreetings\u201d"
    )
    saved = tmp_path / "cafe.html"
    saved.write_bytes(page.encode("cp1252"))
    report = import_page(str(saved), show.root)
    data, body = front(show.root, report.slug)
    assert data["title"] == "Caf\u00e9 \u201cgreetings\u201d"
    assert "buenos d\u00edas until noon" in body and "\ufffd" not in body


def test_a_pages_audio_or_image_that_is_not_an_address_is_left_out_not_a_crash():
    """urljoin refuses brackets that hold no IPv6 host: a hostile page's og:audio or og:image
    of that kind is as if the page had none."""
    from podcast.importer.page import read_html

    html = (
        '<html><head><meta property="og:audio" content="//[x/a.mp3">'
        '<meta property="og:image" content="//[y/cover.jpg"><title>One</title></head>'
        "<body><article><h1>One</h1><p>Words of the episode, enough of them to be an article.</p>"
        "</article></body></html>"
    )
    page = read_html(html, "https://ex.com/episodes/one")
    assert page.audio_url is None and page.image is None
