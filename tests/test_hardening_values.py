"""Only safe values go out: web links only, and no control characters or line breaks in one-line fields."""

from __future__ import annotations

import json

import feedparser
import pytest
from conftest import run

from podcast import net


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
    ],
)
def test_a_chapter_link_that_is_not_http_is_left_out_with_a_warning(show, link):
    folder = show.add("ep1")
    (folder / "chapters.json").write_text(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [
                    {"startTime": 0, "title": "Start", "url": link, "img": link},
                    {"startTime": 1, "title": "Fine", "url": "https://example.com/a"},
                ],
            }
        )
    )
    result = run("build", show.root)
    assert result.exit_code == 0, result.stderr
    assert "episodes/ep1/chapters.json" in result.stderr and "is not an http(s) URL" in result.stderr
    published = (show.root / "feeds").rglob("*")
    everything = b"".join(p.read_bytes() for p in published if p.is_file()).decode()
    everything = everything.replace('<link rel="icon" href="data:,">', "")  # the pages' own empty icon
    assert link.split(":")[0].lower() + ":" not in everything.lower().replace("https:", "").replace(
        "http:", ""
    )
    chapters = json.loads((show.root / "feeds" / "chapters" / "ep1.json").read_text())["chapters"]
    assert [c.get("url") for c in chapters] == [None, "https://example.com/a"]


@pytest.mark.parametrize("key", ["href", "img"])
def test_a_person_link_must_be_http(show, key):
    show.add("ep1", extra=f'[[person]]\nname = "Ann"\n{key} = "javascript:alert(1)"')
    result = run("build", show.root)
    assert result.exit_code == 1
    assert f"person: person 1: {key}" in result.stderr or "person" in result.stderr
    assert not show.feed.exists()


def test_a_funding_link_must_be_http(show):
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text() + '\n[[funding]]\nurl = "javascript:alert(1)"\ntext = "Give"\n')
    show.add("ep1")
    result = run("build", show.root)
    assert result.exit_code == 1 and "funding" in result.stderr


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\\u0085", "U+0085"),
        ("\\u0093", "U+0093"),
        ("\\n", "U+000A"),
        ("\\r", "U+000D"),
        ("\\u2028", "U+2028"),
    ],
)
def test_c1_controls_and_line_breaks_in_a_title_are_refused_naming_the_key(show, raw, shown):
    folder = show.add("ep1")
    episode = folder / "episode.md"
    episode.write_text(episode.read_text().replace('title = "Ep1"', f'title = "Before{raw}after"'))
    result = run("build", show.root)
    assert result.exit_code == 1
    assert "episodes/ep1/episode.md:2: error: title:" in result.stderr and shown in result.stderr
    assert not show.feed.exists()


@pytest.mark.parametrize("key", ["author", "copyright"])
def test_the_same_holds_for_every_one_line_field_of_the_show(show, key):
    toml = show.root / "podcast.toml"
    text = toml.read_text()
    text = text.replace("[owner]", f'{key} = "Ann\\u0093s show"\n[owner]', 1) if key not in text else text
    toml.write_text(text.replace(f'{key} = "Ann Host"', f'{key} = "Ann\\u0093s show"'))
    show.add("ep1")
    result = run("build", show.root)
    assert result.exit_code == 1
    assert f"{key}:" in result.stderr and "U+0093" in result.stderr


def test_a_show_description_may_have_paragraphs_but_no_c1_controls(show):
    toml = show.root / "podcast.toml"
    original = toml.read_text()
    show.add("ep1")
    toml.write_text(original.replace('description = "A show for tests."', 'description = "One.\\n\\nTwo."'))
    assert run("build", show.root).exit_code == 0
    toml.write_text(original.replace('description = "A show for tests."', 'description = "One\\u0085"'))
    result = run("build", show.root)
    assert result.exit_code == 1 and "description:" in result.stderr and "U+0085" in result.stderr


def test_a_chapter_title_on_two_lines_is_published_on_one_with_a_warning(show):
    folder = show.add("ep1")
    (folder / "chapters.json").write_text(
        json.dumps({"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Two\nlines"}]})
    )
    result = run("build", show.root)
    assert result.exit_code == 0, result.stderr
    assert "control characters or line breaks" in result.stderr
    chapters = json.loads((show.root / "feeds" / "chapters" / "ep1.json").read_text())["chapters"]
    assert chapters[0]["title"] == "Two lines"


def test_control_characters_in_chapter_titles_are_cleaned_with_a_warning(show):
    folder = show.add("ep1")
    (folder / "chapters.json").write_text(
        json.dumps(
            {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Line\nbreak \u0093quoted\u0094"}]}
        )
    )
    result = run("build", show.root)
    assert result.exit_code == 0, result.stderr
    assert "warning" in result.stderr and "control characters or line breaks" in result.stderr
    parsed = feedparser.parse(show.feed.read_bytes())
    assert parsed.bozo == 0
    chapters = json.loads((show.root / "feeds" / "chapters" / "ep1.json").read_text())["chapters"]
    assert chapters[0]["title"] == "Line break \u201cquoted\u201d"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a b.mp3", True),  # sloppy but harmless: clients encode the space
        ("https://example.com/a\r\nX-Injected: 1", False),
        ("https://example.com/\x85", False),
        ("https://:80/", False),  # no host
        ("JAVASCRIPT:alert(1)", False),
    ],
)
def test_only_web_urls_without_control_characters_count_as_links(url, expected):
    assert net.is_web_url(url) is expected


def test_an_imported_title_on_two_lines_becomes_one_line_the_build_accepts(tmp_path):
    # Feeds written by hand often break a long <title> over lines; the import must not bring in
    # a value the build then refuses.
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
        "<channel><title>Show</title><link>https://example.com/</link><description>About</description>"
        '<language>en</language><itunes:category text="Arts"/><itunes:author>Ann</itunes:author>'
        "<itunes:owner><itunes:name>Ann</itunes:name><itunes:email>ann@example.com</itunes:email></itunes:owner>"
        "<item><title>A long title\n      broken over lines</title><guid>g-1</guid>"
        "<pubDate>Wed, 02 Apr 2025 09:00:00 +0000</pubDate>"
        '<enclosure url="https://example.com/a.mp3" length="1000" type="audio/mpeg"/></item>'
        "</channel></rss>"
    )
    result = run("import", feed, "--into", tmp_path / "show", "--base-url", "https://example.com/show/")
    assert result.exit_code == 0, result.stderr
    (episode,) = (tmp_path / "show" / "episodes").glob("*/episode.md")
    assert 'title = "A long title broken over lines"' in episode.read_text()


@pytest.mark.parametrize("url", ["https://h]/feeds/", "https://[x/feeds/", "https://[::1/feeds/"])
def test_a_base_url_that_is_not_an_address_is_refused_naming_the_line(show, url):
    """Brackets that hold no IPv6 host: no app could fetch a feed there. The build says so for
    base_url itself, once, rather than lint for every URL made from it."""
    toml = show.root / "podcast.toml"
    text = toml.read_text()
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("base_url"))
    rows = [f'base_url = "{url}"' if row.startswith("base_url") else row for row in text.splitlines()]
    toml.write_text("\n".join(rows))
    show.add("ep1")
    result = run("build", show.root)
    assert result.exit_code == 1 and "internal error" not in result.stderr
    assert f"podcast.toml:{line}: error: base_url:" in result.stderr and "is not an address" in result.stderr
    assert "U103" not in result.stderr and not show.feed.exists()
