"""The repository is itself a show: its committed feed is what `podcast build` makes."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser

from podcast import pipeline

REPO = Path(__file__).resolve().parent.parent


def copy_show(tmp_path: Path) -> Path:
    root = tmp_path / "example"
    root.mkdir()
    shutil.copy(REPO / "podcast.toml", root)
    shutil.copy(REPO / "artwork.jpg", root)
    shutil.copytree(REPO / "episodes", root / "episodes")
    return root


def test_building_the_example_show_reproduces_the_committed_feed(tmp_path):
    root = copy_show(tmp_path)
    result = pipeline.build(root)
    assert result.feed_path.read_bytes() == (REPO / "feeds" / "feed.xml").read_bytes()
    assert not [p for p in result.catalog.problems if p.severity == "error"]


def test_the_example_episode_is_in_the_feed_with_its_host():
    parsed = feedparser.parse(str(REPO / "feeds" / "feed.xml"))
    assert parsed.feed.title == "The Mood Wellness Ketamine, Spravato, and TMS Center"
    (entry,) = parsed.entries
    assert entry.title == "Ketamine Treatment Options for Chronic Migraine Sufferers"
    assert entry.published.startswith("Wed, 02 Apr 2025")
    assert entry.author == "Brad Masters"
    mp3 = REPO / "episodes/ketamine-for-chronic-migraine/ketamine-for-chronic-migraine.mp3"
    assert int(entry.enclosures[0].length) == mp3.stat().st_size


def test_the_committed_feed_shows_the_seven_sections_of_the_example_article():
    from lxml import etree

    article = (REPO / "episodes/ketamine-for-chronic-migraine/episode.md").read_text("utf-8").split("+++")[2]
    blocks = [b.strip() for b in article.split("\n\n") if b.strip()]
    # In the article, a heading is a block without end punctuation.
    expected = [b for b in blocks if not b.endswith((".", "!", "?"))]
    assert len(expected) == 7
    item = etree.parse(str(REPO / "feeds" / "feed.xml")).find("channel/item")
    encoded = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    body = lxml_fragment(encoded)
    assert [h.text_content() for h in body.xpath("h2")] == expected
    description = item.findtext("description")
    assert len(description.encode()) <= 4000
    assert b"<description><![CDATA[" in (REPO / "feeds" / "feed.xml").read_bytes()


def lxml_fragment(html: str):
    import lxml.html

    return lxml.html.fragment_fromstring(html, create_parent="div")


def test_the_example_episode_gets_a_chapter_at_each_of_its_sections(tmp_path):
    from podcast import notes
    from podcast.config import read_episode_folder

    root = copy_show(tmp_path)
    catalog = pipeline.read_catalog(root)
    (episode,) = catalog.published
    chapters = episode.chapters  # (made from its notes)
    # The sections of the article (its item holds them; the catalog's episode keeps what pages show).
    article = read_episode_folder(catalog.show, root / episode.folder, []).article
    assert [c.title for c in chapters] == [s.heading for s in notes.render(article).sections]
    starts = [c.start for c in chapters]
    assert len(starts) == 7 and starts[0] == 0.0
    assert starts == sorted(set(starts)) and starts[-1] < episode.info.duration


def test_the_example_feed_demonstrates_the_podcasting_2_0_namespace():
    from lxml import etree

    ns = {"podcast": "https://podcastindex.org/namespace/1.0", "psc": "http://podlove.org/simple-chapters"}
    channel = etree.parse(str(REPO / "feeds" / "feed.xml")).find("channel")
    assert channel.findtext("podcast:guid", namespaces=ns) == "63df2a79-870d-56f3-8c9f-13e5b903129b"
    locked = channel.find("podcast:locked", ns)
    assert (locked.text, locked.get("owner")) == ("yes", "podcast@moodwellness.example.com")
    (host,) = channel.findall("podcast:person", ns)
    assert (host.text, host.get("role")) == ("Brad Masters", "host")
    (transcript,) = channel.findall("item/podcast:transcript", ns)
    assert transcript.get("type") == "text/html"
    assert transcript.get("language") == "en"
    assert transcript.get("rel") is None  # no time codes: not captions
    # The section chapters of the show notes, as JSON chapters; no Simple Chapters, whose
    # namespace costs a W3C validator warning (the example does not opt in).
    (chapters,) = channel.findall("item/podcast:chapters", ns)
    assert chapters.get("type") == "application/json+chapters"
    assert channel.getparent().nsmap.get("psc") is None and not channel.findall("item/psc:chapters", ns)
    name = transcript.get("url").rsplit("/", 1)[1]
    published = REPO / "feeds" / "transcripts" / name
    assert (
        published.read_bytes()
        == (REPO / "episodes/ketamine-for-chronic-migraine/transcript.html").read_bytes()
    )


def test_the_example_transcript_is_the_article_as_read_aloud():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_transcript", REPO / "scripts/make_example_transcript.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    folder = REPO / "episodes/ketamine-for-chronic-migraine"
    written = (folder / "transcript.html").read_text("utf-8")
    assert written == script.transcript_html((folder / "episode.md").read_text("utf-8"))
    assert "<p>Ketamine was first developed as an anesthetic for surgery." in written
