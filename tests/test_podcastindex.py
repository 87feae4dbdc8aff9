"""The Podcasting 2.0 namespace, Simple Chapters and Apple's extras, on a fuller show.

The show has a trailer, two seasons' worth of tags, people, funding, a lock, a
location, soundbites, transcripts in four formats and one episode in two audio
formats (MP3 by lameenc, M4A by FFmpeg's AAC encoder through PyAV). Its feed is read back with
lxml XPath, feedparser and podcastparser. podcastparser 0.6.11 reads podcast:
tags only under the namespace's legacy URI, so those are asserted with XPath.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from conftest import ShowDir
from lxml import etree
from media import encode
from PIL import Image

from podcast import feed, pipeline, scaffold
from podcast.errors import PodcastError, errors_in
from podcast.model import Chapter

PSC_NS = "http://podlove.org/simple-chapters"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
    "atom": "http://www.w3.org/2005/Atom",
}
BASE = "https://cdn.example.com/fuller/"

SHOW_KEYS = """
simple_chapters = true
medium = "podcast"
license = "cc-by-4.0"
locked = true
"""

SHOW_TABLES = """
[[person]]
name = "Ann Host"
role = "host"
href = "https://example.com/ann"
img = "https://example.com/ann.jpg"

[[person]]
name = "Bo Mixer"
role = "audio engineer"
group = "audio production"

[[funding]]
url = "https://example.com/support"
text = "Keep the show going"

[[location]]
name = "Austin, TX"
geo = "geo:30.2672,-97.7431"
osm = "R113314"
country = "US"
rel = "creator"

[[txt]]
purpose = "verify"
text = "S6lpp-7ZCn8-dZfGc-OoyaG"

[update_frequency]
text = "Every other Monday"
rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
dtstart = 2025-01-06
"""

VTT = """WEBVTT

00:00:00.500 --> 00:00:04.000
<v Ann Host>Welcome to the pilot.

00:00:04.000 --> 00:00:09.250
<v Cy Guest>Thanks for having me.
"""

SRT = """1
00:00:00,500 --> 00:00:04,000
Ann Host: Welcome to the pilot.

2
00:00:04,000 --> 00:00:09,250
Cy Guest: Thanks for having me.
"""

JSON_TRANSCRIPT = """{"version": "1.0.0", "segments": [
  {"speaker": "Ann Host", "startTime": 0.5, "endTime": 3.0, "body": "Second time around."},
  {"speaker": "Ann Host", "startTime": 3.0, "endTime": 6.0, "body": "Still here."}
]}
"""

# Timestamp lines in the show notes are the pilot's chapters.
PILOT_NOTES = """Ann talks to Cy about why a show starts with a pilot.

00:00 Cold open
00:12 The interview
00:25 Goodbye
"""

HTML_TRANSCRIPT = "<cite>Ann Host:</cite>\n<time>0:00</time>\n<p>Second time around. Still here.</p>\n"


def encode_m4a(source: Path, target: Path) -> Path:
    """The same programme as AAC in MP4, made by FFmpeg's AAC encoder (through PyAV)."""
    return encode(source, target, "aac", bit_rate=48000)


def make_fuller_show(root: Path, mp3: Callable[[float], Path]) -> Path:
    """Write the fuller show into `root` (a new directory); returns root."""
    scaffold.init_show(
        root,
        title="Fuller Show",
        author="Ann Host",
        owner_email="ann@example.com",
        base_url=BASE,
        link="https://example.com/",
        category="Health & Fitness > Medicine",
        description="A show that uses every tag we write.",
    )
    toml = root / "podcast.toml"
    text = toml.read_text("utf-8").replace('# artwork = "artwork.jpg"', 'artwork = "artwork.jpg"')
    Image.new("RGB", (1400, 1400), (200, 120, 40)).save(root / "artwork.jpg", quality=85)
    # Top-level keys go before [owner], the first table; the tables after it.
    head, owner = text.split("\n[owner]")
    toml.write_text(head + SHOW_KEYS + "\n[owner]" + owner + SHOW_TABLES, "utf-8")
    show = ShowDir(root, mp3)

    trailer = show.write(
        "trailer",
        """
title = "Coming Soon"
date = 2024-12-20
guid = "fuller-trailer-0001"
audio = "trailer.mp3"
episode_type = "trailer"
season = 1
""".strip(),
    )
    shutil.copy(mp3(4.0), trailer / "trailer.mp3")

    pilot = show.write(
        "pilot",
        """
title = "S1E1: The Pilot"
itunes_title = "The Pilot"
date = 2025-01-06
guid = "fuller-pilot-0001"
audio = "pilot.mp3"
alternate_audio = ["pilot.m4a"]
season = 1
episode = 1
image = "cover.png"
license = { name = "my-license", url = "https://example.com/license" }

[location]
name = "Dreamworld (Queensland)"
geo = "geo:-27.86159,153.3169"
osm = "W43678282"
country = "au"

[[person]]
name = "Ann Host"
role = "host"

[[person]]
name = "Cy Guest"
role = "guest"
href = "https://example.com/cy"

[[soundbite]]
start = 1.5
duration = 15.0
title = "Why pilots matter"

[[soundbite]]
start = "00:20"
duration = 9.5
""".strip(),
        PILOT_NOTES,
    )
    shutil.copy(mp3(30.0), pilot / "pilot.mp3")
    encode_m4a(pilot / "pilot.mp3", pilot / "pilot.m4a")
    (pilot / "transcript.vtt").write_text(VTT, "utf-8")
    (pilot / "transcript.srt").write_text(SRT, "utf-8")
    Image.new("RGB", (1400, 1400), (30, 90, 160)).save(pilot / "cover.png")

    second = show.write(
        "second",
        """
title = "S1E2: Second Time"
date = 2025-01-20
guid = "fuller-second-0001"
audio = "second.mp3"
season = 1
episode = 2
language = "en-GB"
""".strip(),
    )
    shutil.copy(mp3(8.0), second / "second.mp3")
    (second / "transcript.json").write_text(JSON_TRANSCRIPT, "utf-8")
    (second / "transcript.html").write_text(HTML_TRANSCRIPT, "utf-8")
    return root


@pytest.fixture
def fuller(tmp_path, mp3_factory) -> Path:
    root = make_fuller_show(tmp_path / "fuller", mp3_factory)
    result = pipeline.build(root)
    assert not result.catalog.problems, [str(p) for p in result.catalog.problems]
    return root


def channel_of(root: Path):
    return etree.parse(str(root / "feeds" / "feed.xml")).find("channel")


def item(root: Path, guid: str):
    (found,) = channel_of(root).xpath(f"item[guid='{guid}']")
    return found


# ---------------------------------------------------------------- channel


def test_channel_carries_the_shows_guid_lock_funding_and_people(fuller):
    channel = channel_of(fuller)
    assert channel.findtext("podcast:guid", namespaces=NS)
    locked = channel.find("podcast:locked", NS)
    assert (locked.text, locked.get("owner")) == ("yes", "ann@example.com")
    (funding,) = channel.findall("podcast:funding", NS)
    assert (funding.get("url"), funding.text) == ("https://example.com/support", "Keep the show going")
    people = [
        (p.text, p.get("role"), p.get("group"), p.get("href"), p.get("img"))
        for p in channel.findall("podcast:person", NS)
    ]
    assert people == [
        ("Ann Host", "host", "cast", "https://example.com/ann", "https://example.com/ann.jpg"),
        ("Bo Mixer", "audio engineer", "audio production", None, None),
    ]


def test_channel_carries_medium_license_location_txt_and_update_frequency(fuller):
    channel = channel_of(fuller)
    assert channel.findtext("podcast:medium", namespaces=NS) == "podcast"
    assert channel.findtext("podcast:license", namespaces=NS) == "cc-by-4.0"
    location = channel.find("podcast:location", NS)
    assert location.text == "Austin, TX"
    assert dict(location.attrib) == {
        "rel": "creator",
        "geo": "geo:30.2672,-97.7431",
        "osm": "R113314",
        "country": "us",
    }
    txt = channel.find("podcast:txt", NS)
    assert (txt.get("purpose"), txt.text) == ("verify", "S6lpp-7ZCn8-dZfGc-OoyaG")
    frequency = channel.find("podcast:updateFrequency", NS)
    assert frequency.text == "Every other Monday"
    assert frequency.get("rrule") == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    assert frequency.get("dtstart") == "2025-01-06"
    assert frequency.get("complete") is None


def test_a_trailer_episode_is_announced_as_the_channels_trailer(fuller):
    (trailer,) = channel_of(fuller).findall("podcast:trailer", NS)
    audio = fuller / "episodes/trailer/trailer.mp3"
    assert trailer.text == "Coming Soon"
    assert trailer.get("url") == BASE + "media/trailer/trailer.mp3"
    assert int(trailer.get("length")) == audio.stat().st_size
    assert trailer.get("type") == "audio/mpeg"
    assert trailer.get("season") == "1"
    assert parsedate_to_datetime(trailer.get("pubdate")).date().isoformat() == "2024-12-20"
    assert item(fuller, "fuller-trailer-0001").findtext("itunes:episodeType", namespaces=NS) == "trailer"


# ---------------------------------------------------------------- items


def test_every_item_has_season_episode_and_apples_title(fuller):
    pilot = item(fuller, "fuller-pilot-0001")
    assert pilot.findtext("podcast:season", namespaces=NS) == "1"
    assert pilot.findtext("podcast:episode", namespaces=NS) == "1"
    assert pilot.findtext("itunes:title", namespaces=NS) == "The Pilot"
    assert pilot.findtext("title") == "S1E1: The Pilot"
    second = item(fuller, "fuller-second-0001")
    assert second.findtext("podcast:episode", namespaces=NS) == "2"
    assert second.findtext("itunes:title", namespaces=NS) == "S1E2: Second Time"


def test_transcripts_are_published_and_linked_with_type_language_and_captions(fuller):
    links = {
        t.get("url"): dict(t.attrib)
        for guid in ("fuller-pilot-0001", "fuller-second-0001")
        for t in item(fuller, guid).findall("podcast:transcript", NS)
    }
    expected = {
        "pilot.vtt": ("text/vtt", "en", "captions", "pilot/transcript.vtt"),
        "pilot.srt": ("application/x-subrip", "en", "captions", "pilot/transcript.srt"),
        "second.json": ("application/json", "en-GB", "captions", "second/transcript.json"),
        "second.html": ("text/html", "en-GB", None, "second/transcript.html"),
    }
    assert set(links) == {BASE + "transcripts/" + name for name in expected}
    for name, (mime, language, rel, source) in expected.items():
        attrs = links[BASE + "transcripts/" + name]
        assert (attrs["type"], attrs["language"], attrs.get("rel")) == (mime, language, rel)
        published = fuller / "feeds" / "transcripts" / name
        assert published.read_bytes() == (fuller / "episodes" / source).read_bytes()


def test_item_people_replace_the_shows_for_that_episode(fuller):
    people = item(fuller, "fuller-pilot-0001").findall("podcast:person", NS)
    assert [(p.text, p.get("role"), p.get("href")) for p in people] == [
        ("Ann Host", "host", None),
        ("Cy Guest", "guest", "https://example.com/cy"),
    ]
    assert item(fuller, "fuller-second-0001").findall("podcast:person", NS) == []


def test_soundbites_give_start_and_duration_in_seconds(fuller):
    bites = item(fuller, "fuller-pilot-0001").findall("podcast:soundbite", NS)
    assert [(b.get("startTime"), b.get("duration"), b.text) for b in bites] == [
        ("1.5", "15.0", "Why pilots matter"),
        ("20.0", "9.5", None),
    ]


def test_an_episode_in_two_formats_lists_both_as_alternate_enclosures(fuller):
    pilot = item(fuller, "fuller-pilot-0001")
    folder = fuller / "episodes/pilot"
    versions = pilot.findall("podcast:alternateEnclosure", NS)
    assert [v.get("type") for v in versions] == ["audio/mpeg", "audio/x-m4a"]
    mp3, m4a = versions
    assert mp3.get("default") == "true" and m4a.get("default") is None
    assert mp3.find("podcast:source", NS).get("uri") == pilot.find("enclosure").get("url")
    assert m4a.find("podcast:source", NS).get("uri") == BASE + "media/pilot/pilot.m4a"
    assert int(mp3.get("length")) == (folder / "pilot.mp3").stat().st_size
    assert int(m4a.get("length")) == (folder / "pilot.m4a").stat().st_size
    assert 30_000 < int(m4a.get("bitrate")) < 80_000
    assert m4a.get("title").startswith("AAC")
    assert item(fuller, "fuller-second-0001").findall("podcast:alternateEnclosure", NS) == []


def test_item_location_license_and_image(fuller):
    pilot = item(fuller, "fuller-pilot-0001")
    location = pilot.find("podcast:location", NS)
    assert (location.text, location.get("country"), location.get("osm")) == (
        "Dreamworld (Queensland)",
        "au",
        "W43678282",
    )
    license = pilot.find("podcast:license", NS)
    assert (license.text, license.get("url")) == ("my-license", "https://example.com/license")
    assert pilot.find("itunes:image", NS).get("href") == BASE + "images/pilot.png"
    published = fuller / "feeds/images/pilot.png"
    assert published.read_bytes() == (fuller / "episodes/pilot/cover.png").read_bytes()


# ---------------------------------------------------------------- what validators and apps read


def test_the_feed_keeps_the_w3c_validators_rules(fuller):
    channel = channel_of(fuller)
    assert channel.find("atom:link[@rel='self']", NS).get("href") == BASE + "feed.xml"
    assert channel.find("itunes:image", NS).get("href") == BASE + "artwork.jpg"
    assert channel.findtext("language") == "en"
    for explicit in channel.iter(f"{{{NS['itunes']}}}explicit"):
        assert explicit.text in ("true", "false")
    items = channel.findall("item")
    assert len(items) == 3
    for entry in items:
        assert entry.find("guid").text and entry.find("guid").get("isPermaLink") == "false"
        parsedate_to_datetime(entry.findtext("pubDate"))
    parsedate_to_datetime(channel.findtext("lastBuildDate"))
    # The validator reports itunes:complete as undefined (w3c/feedvalidator#183): only when asked for.
    assert channel.find("itunes:complete", NS) is None


def test_feedparser_and_podcastparser_read_every_episode(fuller):
    path = fuller / "feeds" / "feed.xml"
    parsed = feedparser.parse(str(path))
    assert not parsed.bozo, parsed.get("bozo_exception")
    entries = {e.id: e for e in parsed.entries}
    assert set(entries) == {"fuller-trailer-0001", "fuller-pilot-0001", "fuller-second-0001"}
    assert entries["fuller-pilot-0001"].image.href == BASE + "images/pilot.png"
    with open(path, "rb") as handle:
        podcast = podcastparser.parse(BASE + "feed.xml", handle)
    episodes = {e["guid"]: e for e in podcast["episodes"]}
    assert set(episodes) == set(entries)
    assert episodes["fuller-pilot-0001"]["episode_art_url"] == BASE + "images/pilot.png"
    assert episodes["fuller-pilot-0001"]["enclosures"][0]["mime_type"] == "audio/mpeg"


def test_the_pilots_chapters_are_written_as_podlove_simple_chapters(fuller):
    root = etree.parse(str(fuller / "feeds/feed.xml")).getroot()
    assert root.nsmap["psc"] == NS["psc"]
    chapters = item(fuller, "fuller-pilot-0001").find("psc:chapters", NS)
    assert chapters.get("version") == "1.2"
    assert [(c.get("start"), c.get("title")) for c in chapters] == [
        ("00:00:00.000", "Cold open"),
        ("00:00:12.000", "The interview"),
        ("00:00:25.000", "Goodbye"),
    ]
    assert item(fuller, "fuller-second-0001").find("psc:chapters", NS) is None


def test_without_chapters_the_psc_namespace_is_not_declared(show):
    # The W3C validator warns about every namespace it does not know, used or not.
    show.set_show_keys("simple_chapters = true")
    show.add("ep")
    pipeline.build(show.root)
    assert "psc" not in etree.parse(str(show.feed)).getroot().nsmap


def test_simple_chapters_are_opt_in_so_the_default_feed_has_no_namespace_the_w3c_validator_flags(show):
    show.add("ep", seconds=3, article="Notes.\n\n00:00 Welcome\n00:02 The point\n")
    pipeline.build(show.root)
    root = etree.parse(str(show.feed)).getroot()
    assert "psc" not in root.nsmap and PSC_NS not in show.feed.read_text()
    (chapters,) = root.xpath("channel/item/podcast:chapters", namespaces=NS)  # the JSON ones still are
    assert chapters.get("url").endswith("chapters/ep.json")
    show.set_show_keys("simple_chapters = true")
    pipeline.build(show.root)
    titles = etree.parse(str(show.feed)).xpath("//psc:chapter/@title", namespaces=NS)
    assert titles == ["Welcome", "The point"]


def with_chapters(episode, marks):
    """The episode with these chapters, wherever the model keeps them."""
    changes = {"notes": dataclasses.replace(episode.notes, chapters=marks)}
    if "chapters" in {f.name for f in dataclasses.fields(episode)}:
        changes["chapters"] = marks  # Episode.chapters (issue #3) wins over the notes' chapters
    return dataclasses.replace(episode, **changes)


def test_chapter_links_and_images_are_written_as_urls(fuller):
    # Chapters from chapters.json or the audio carry links and images; one beside the feed
    # is named relative to it, and psc wants a URL.
    catalog = pipeline.read_catalog(fuller)
    marks = (
        Chapter(0, "Cold open", image="chapters/pilot-1.jpg"),
        Chapter(65.25, "The interview", url="https://example.com/i"),
    )
    episodes = [with_chapters(e, marks) if e.slug == "pilot" else e for e in catalog.published]
    root = etree.fromstring(feed.render(catalog.show, episodes))
    chapters = root.xpath("channel/item[guid='fuller-pilot-0001']/psc:chapters/psc:chapter", namespaces=NS)
    assert [dict(c.attrib) for c in chapters] == [
        {"start": "00:00:00.000", "title": "Cold open", "image": BASE + "chapters/pilot-1.jpg"},
        {"start": "00:01:05.250", "title": "The interview", "href": "https://example.com/i"},
    ]


def test_rebuilding_the_fuller_show_changes_nothing(fuller):
    before = (fuller / "feeds/feed.xml").read_bytes()
    assert pipeline.build(fuller).changed is False
    assert (fuller / "feeds/feed.xml").read_bytes() == before


# ---------------------------------------------------------------- problems found while building


def test_a_soundbite_past_the_end_of_the_audio_stops_the_build(show):
    folder = show.add("ep", seconds=3, extra="[[soundbite]]\nstart = 1.0\nduration = 15.0\n")
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    (problem,) = errors_in(caught.value.problems)
    assert problem.field == "soundbite"
    assert problem.message.startswith("soundbite 1 runs to 16.0 s; the audio is 3.")
    assert (folder / "episode.md").read_text().splitlines()[problem.line - 1] == "[[soundbite]]"


def test_an_alternate_format_that_is_not_audio_is_named(show):
    folder = show.add("ep", extra='alternate_audio = ["ep.m4a"]')
    (folder / "ep.m4a").write_bytes(b"not audio at all" * 100)
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    (problem,) = errors_in(caught.value.problems)
    assert (problem.field, problem.path) == ("alternate_audio", "episodes/ep/episode.md")
    assert problem.message.startswith("ep.m4a: ")
    assert not show.feed.exists()
