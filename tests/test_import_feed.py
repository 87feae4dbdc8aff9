"""`podcast import`: feeds in the shapes real hosts publish, served over loopback, become a show
directory that builds, with every GUID, date, enclosure and note kept."""

from __future__ import annotations

import gzip
import io
import json
import tomllib
from pathlib import Path

import feedparser
import feedshapes
import podcastparser
import pytest
from conftest import run
from PIL import Image

from podcast import pipeline
from podcast.errors import PodcastError
from podcast.importer import import_feed


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


def jpeg(size: int = 1400, kind: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), "teal").save(out, kind)
    return out.getvalue()


CHAPTERS = {
    "version": "1.2.0",
    "chapters": [{"startTime": 0, "title": "Intro"}, {"startTime": 1.5, "title": "Craters"}],
}
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello.\n\n00:00:01.500 --> 00:00:02.900\nThe Moon.\n"


@pytest.fixture
def host(httpserver, mp3_factory):
    """The loopback server with each shape's feed, audio, artwork and sidecars."""
    audio = mp3_factory(3.0).read_bytes()
    base = httpserver.url_for("/").rstrip("/")
    shapes = {
        "libsyn": ("/libsyn/rss", feedshapes.LIBSYN),
        "buzzsprout": ("/buzzsprout/123456.rss", feedshapes.BUZZSPROUT),
        "anchor": ("/anchor/podcast/rss", feedshapes.ANCHOR),
        "quirky": ("/quirky/feed.xml", feedshapes.QUIRKY),
    }
    for path, template in shapes.values():
        httpserver.expect_request(path).respond_with_data(
            feedshapes.feed(template, base, len(audio)), content_type="application/rss+xml"
        )
    for path in (
        "/libsyn/tomatoes.mp3",
        "/libsyn/seeds.mp3",
        "/buzzsprout/moon.mp3",
        "/buzzsprout/trailer.mp3",
        "/anchor/production/2025-3-9/greetings.m4a",
        "/quirky/media/ete.mp3",
        "/quirky/media/coin.mp3",
    ):
        httpserver.expect_request(path).respond_with_data(audio, content_type="audio/mpeg")
    httpserver.expect_request("/libsyn/cover.jpg").respond_with_data(jpeg(), content_type="image/jpeg")
    httpserver.expect_request("/buzzsprout/artwork.png").respond_with_data(
        jpeg(kind="PNG"), content_type="image/png"
    )
    httpserver.expect_request("/anchor/art.jpg").respond_with_data(jpeg(600), content_type="image/jpeg")
    httpserver.expect_request("/buzzsprout/moon.json").respond_with_json(CHAPTERS)
    httpserver.expect_request("/buzzsprout/moon.vtt").respond_with_data(VTT, content_type="text/vtt")
    return {name: base + path for name, (path, _) in shapes.items()} | {"base": base, "audio": audio}


def front(path: Path) -> dict:
    text = path.read_text("utf-8")
    return tomllib.loads(text.split("+++\n")[1])


def episodes(root: Path) -> dict[str, dict]:
    """guid → front matter of every imported episode."""
    found = {}
    for md in sorted((root / "episodes").glob("*/episode.md")):
        data = front(md)
        found[data["guid"]] = data | {
            "slug": md.parent.name,
            "body": md.read_text("utf-8").split("+++\n", 2)[2],
        }
    return found


def built(root: Path) -> dict:
    pipeline.build(root, force=True)  # loopback URLs are http, which lint (rightly) calls an error
    return podcastparser.parse("file", io.BytesIO((root / "feeds" / "feed.xml").read_bytes()))


def test_libsyn_shape(host, tmp_path):
    root = tmp_path / "garden"
    report = import_feed(host["libsyn"], root)
    assert report.added and not report.problems
    show = tomllib.loads((root / "podcast.toml").read_text("utf-8"))
    assert show["title"] == "Garden Talk" and show["author"] == "Rosa Green"
    assert show["owner"] == {"name": "Rosa Green", "email": "rosa@gardentalk.example"}
    assert show["categories"] == ["Leisure > Home & Garden"] and show["language"] == "en-us"
    assert show["explicit"] is False  # "clean"
    assert show["artwork"] == "artwork.jpg" and (root / "artwork.jpg").read_bytes() == jpeg()
    assert show["base_url"] == host["base"] + "/libsyn/"
    found = episodes(root)
    tomatoes = found["5b1f3c2a-e7d1-4c0b-9a2e-1f4d8c6b0a11"]
    assert tomatoes["audio_url"] == host["base"] + "/libsyn/tomatoes.mp3?dest-id=1234"
    assert (tomatoes["length"], tomatoes["type"], tomatoes["duration"]) == (
        len(host["audio"]),
        "audio/mpeg",
        3,
    )
    assert (tomatoes["season"], tomatoes["episode"]) == (2, 7)
    assert tomatoes["date"].isoformat() == "2025-04-01T10:00:00+00:00"
    # Relative links in the notes point at the episode's own site now.
    assert "[pot](https://gardentalk.libsyn.example/blog/pots)" in tomatoes["body"]
    assert "- Cherry\n- Bush" in tomatoes["body"]
    seeds = found["gardentalk-seed-swap-2025"]
    assert seeds["episode_type"] == "bonus" and seeds["explicit"] is True
    assert any('itunes:explicit "clean" read as false' in line for line in report.recovered)

    feed = built(root)
    assert [e["guid"] for e in feed["episodes"]] == [
        "5b1f3c2a-e7d1-4c0b-9a2e-1f4d8c6b0a11",
        "gardentalk-seed-swap-2025",
    ]
    assert feed["episodes"][0]["enclosures"][0]["url"] == tomatoes["audio_url"]
    assert feed["episodes"][0]["total_time"] == 3


def test_buzzsprout_shape_brings_chapters_transcripts_and_podcasting_2_tags(host, tmp_path):
    root = tmp_path / "sky"
    report = import_feed(host["buzzsprout"], root)
    assert not report.problems, report.problems
    show = tomllib.loads((root / "podcast.toml").read_text("utf-8"))
    assert show["guid"] == "4f0bd1d6-3e4c-5e8e-9a35-6c0e6f1b2a77" == show["imported"]["guid"]
    assert show["type"] == "serial" and show["artwork"] == "artwork.png"
    assert show["categories"] == ["Science > Astronomy", "Education"]
    assert show["locked"] == {"value": True, "owner": "omar@nightsky.example"}
    assert show["funding"] == [{"url": "https://nightsky.example/support", "text": "Support the show"}]
    assert show["person"] == [{"name": "Omar Stars", "role": "host", "href": "https://nightsky.example/omar"}]
    assert show["license"] == {"name": "cc-by-4.0"}
    assert show["location"] == [{"name": "Greenwich, London", "geo": "geo:51.4779,-0.0015", "osm": "R1234"}]
    assert show["txt"] == [{"text": "S6lpp-7ZCn8-dZfGc-OoyaG", "purpose": "verify"}]
    assert show["update_frequency"] == {"text": "Weekly", "rrule": "FREQ=WEEKLY"}
    moon = episodes(root)["Buzzsprout-16712345"]
    assert moon["title"] == "Ep. 2: The Moon" and moon["itunes_title"] == "The Moon"
    assert moon["date"].isoformat() == "2025-04-07T05:00:00-04:00"
    folder = root / "episodes" / moon["slug"]
    assert json.loads((folder / "chapters.json").read_text()) == CHAPTERS
    assert (folder / "transcript.vtt").read_text() == VTT
    assert episodes(root)["Buzzsprout-16700001"]["episode_type"] == "trailer"

    parsed = feedparser.parse((built(root) and root / "feeds" / "feed.xml").read_bytes())
    assert parsed.feed["podcast_guid"] == "4f0bd1d6-3e4c-5e8e-9a35-6c0e6f1b2a77"
    xml = (root / "feeds" / "feed.xml").read_text("utf-8")
    assert '<podcast:txt purpose="verify">S6lpp-7ZCn8-dZfGc-OoyaG</podcast:txt>' in xml
    assert '<podcast:transcript url="' + host["base"] + "/buzzsprout/transcripts/" in xml
    assert "<podcast:chapters" in xml and "<podcast:trailer" in xml


def test_anchor_shape_html_notes_become_markdown(host, tmp_path):
    root = tmp_path / "coffee"
    report = import_feed(host["anchor"], root)
    (greeting,) = episodes(root).values()
    assert greeting["guid"] == "9c7d2a41-5f6e-4b8a-b0c3-2d1e0f9a8b7c"
    assert greeting["title"] == "¿Qué tal? & other greetings"
    assert greeting["type"] == "audio/x-m4a" and greeting["format"] == "markdown"
    assert "[our site](https://coffee.example/greetings)" in greeting["body"]
    show = tomllib.loads((root / "podcast.toml").read_text("utf-8"))
    # 600 px artwork fails Apple's rules: its URL is kept, and the import says why.
    assert show["artwork"] == host["base"] + "/anchor/art.jpg"
    assert any("600 × 600 px" in p.message for p in report.problems if p.field == "artwork")
    feed = built(root)
    (item,) = feed["episodes"]
    assert 'href="https://coffee.example/greetings"' in item["description_html"]


def test_quirky_feed_is_read_as_forgiving_apps_read_it_and_each_recovery_is_said(host, tmp_path):
    root = tmp_path / "cafe"
    report = import_feed(host["quirky"], root)
    said = "\n".join(report.recovered)
    for expected in (
        "whitespace before the <?xml?> declaration",
        "declares ISO-8859-1 but is UTF-8",
        "&eacute;",
        "bare '&'",
        "the enclosure URL kept as the guid",
        "relative enclosure URLs made absolute",
        "pubDates not in RFC 822 form",
        'itunes:explicit "yes" read as true',
        'enclosure type "audio/mp3" read as "audio/mpeg"',
    ):
        assert expected in said, expected
    show = tomllib.loads((root / "podcast.toml").read_text("utf-8"))
    assert show["title"] == "Café Stories\u00a0Weekly"
    assert show["owner"] == {"name": "Amélie Conte", "email": "host@cafestories.example"}
    found = episodes(root)
    ete_url = host["base"] + "/quirky/media/ete.mp3"
    ete = found[ete_url]  # no guid: apps used the enclosure URL, so we keep it
    assert ete["title"] == "L'été éternel" and ete["audio_url"] == ete_url
    assert ete["date"].isoformat() == "2025-03-02T08:15:00+01:00"
    assert "Second paragraph, with a link: https://cafestories.example/ete" in ete["body"]
    coin = found["cafe-du-coin-0001"]
    assert coin["date"].isoformat() == "2025-03-16T08:15:00+01:00"
    assert "Escaped HTML **notes**." in coin["body"] and coin["type"] == "audio/mpeg"
    assert [e["guid"] for e in built(root)["episodes"]] == ["cafe-du-coin-0001", ete_url]


def test_reimport_is_idempotent_and_keeps_hand_edits(host, httpserver, tmp_path):
    root = tmp_path / "garden"
    import_feed(host["libsyn"], root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = import_feed(host["libsyn"], root)
    assert (again.added, again.updated, again.show_file) == ([], [], "unchanged")
    assert len(again.unchanged) == 2
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before

    # The host changes one title and adds an episode; the producer edited the other episode's notes.
    seeds = root / "episodes" / episodes(root)["gardentalk-seed-swap-2025"]["slug"] / "episode.md"
    seeds.write_text(seeds.read_text("utf-8") + "\nMy own addition.\n", "utf-8")
    changed = feedshapes.feed(feedshapes.LIBSYN, host["base"], len(host["audio"])).decode()
    changed = changed.replace(
        "<![CDATA[Tomatoes in Pots]]></title>", "<![CDATA[Tomatoes in Big Pots]]></title>", 1
    )
    extra = changed[changed.index("<item>") : changed.index("</item>") + 7]
    extra = extra.replace("5b1f3c2a-e7d1-4c0b-9a2e-1f4d8c6b0a11", "new-episode-guid-0003").replace(
        "Tomatoes in Big Pots", "Peppers"
    )
    changed = changed.replace("<item>", extra + "\n  <item>", 1)
    httpserver.clear()
    httpserver.expect_request("/libsyn/rss").respond_with_data(
        changed.encode(), content_type="application/rss+xml"
    )
    httpserver.expect_request("/libsyn/cover.jpg").respond_with_data(jpeg(), content_type="image/jpeg")
    third = import_feed(host["libsyn"], root)
    assert third.added == ["peppers"] and len(third.updated) == 1 and len(third.kept) == 1
    found = episodes(root)
    assert len(found) == 3
    assert found["5b1f3c2a-e7d1-4c0b-9a2e-1f4d8c6b0a11"]["title"] == "Tomatoes in Big Pots"
    assert "My own addition." in seeds.read_text("utf-8")
    (warning,) = [p for p in third.problems if "edited since the last import" in p.message]
    assert warning.path.endswith("episode.md") and ".podcast/import/" in warning.hint


def test_download_fetches_the_audio_and_the_episodes_use_it(host, tmp_path):
    root = tmp_path / "garden"
    report = import_feed(host["libsyn"], root, download=True)
    assert sorted(report.downloaded) == sorted(e["slug"] for e in episodes(root).values())
    for data in episodes(root).values():
        assert "audio_url" not in data
        assert (root / "episodes" / data["slug"] / data["audio"]).read_bytes() == host["audio"]
    assert not list(root.rglob("*.part"))
    feed = built(root)
    assert {e["enclosures"][0]["file_size"] for e in feed["episodes"]} == {len(host["audio"])}
    assert feed["episodes"][0]["enclosures"][0]["url"].startswith(host["base"] + "/libsyn/media/")


def test_the_command_prints_a_summary_and_recoveries(host, tmp_path):
    result = run("import", host["quirky"], "--into", str(tmp_path / "cafe"))
    assert result.exit_code == 0, result.output
    assert "episodes: 2 added" in result.stdout
    assert "recovered:" in result.stderr and "declares ISO-8859-1 but is UTF-8" in result.stderr
    as_json = run("import", host["quirky"], "--into", str(tmp_path / "cafe"), "--json")
    assert json.loads(as_json.stdout)["unchanged"] and as_json.exit_code == 0


def test_a_permanent_redirect_is_followed_and_reported(host, httpserver, tmp_path):
    httpserver.expect_request("/old-feed").respond_with_data(
        "", status=301, headers={"Location": host["libsyn"]}
    )
    report = import_feed(httpserver.url_for("/old-feed"), tmp_path / "garden")
    assert report.moved_to == host["libsyn"]
    show = tomllib.loads((tmp_path / "garden" / "podcast.toml").read_text("utf-8"))
    assert show["imported"]["feed"] == host["libsyn"]


def test_a_move_to_a_host_that_hands_on_to_a_cdn_records_the_hosts_address(host, httpserver, tmp_path):
    httpserver.expect_request("/old-feed").respond_with_data(
        "", status=301, headers={"Location": "/new-home/rss"}
    )
    httpserver.expect_request("/new-home/rss").respond_with_data(
        "", status=302, headers={"Location": host["libsyn"] + "?signature=expires-tomorrow"}
    )
    report = import_feed(httpserver.url_for("/old-feed"), tmp_path / "garden")
    assert report.moved_to == httpserver.url_for("/new-home/rss")
    show = tomllib.loads((tmp_path / "garden" / "podcast.toml").read_text("utf-8"))
    assert show["imported"]["feed"] == httpserver.url_for("/new-home/rss")


def test_a_short_guid_from_a_saved_feed_is_kept_and_builds(tmp_path, mp3_factory):
    saved = tmp_path / "feed.xml"
    saved.write_text(
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
        "<title>Tiny</title><link>https://tiny.example/</link><description>d</description>"
        '<itunes:category text="Arts"/>'
        "<itunes:owner><itunes:email>a@tiny.example</itunes:email></itunes:owner>"
        "<item><title>One</title><guid>42</guid><pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate>"
        '<enclosure url="https://tiny.example/1.mp3" length="1000" type="audio/mpeg"/></item>'
        "</channel></rss>",
        "utf-8",
    )
    root = tmp_path / "tiny"
    with pytest.raises(PodcastError, match="cannot tell where the show will be published"):
        import_feed(str(saved), root)  # a file without a self link: where will it be published?
    assert not root.exists()
    import_feed(str(saved), root, base_url="https://new.example/tiny")
    pipeline.build(root)
    assert [e["guid"] for e in built(root)["episodes"]] == ["42"]


def test_a_gzipped_feed_is_read(host, httpserver, tmp_path):
    body = gzip.compress(feedshapes.feed(feedshapes.ANCHOR, host["base"], len(host["audio"])))
    httpserver.expect_request("/gz/rss").respond_with_data(body, headers={"Content-Encoding": "gzip"})
    import_feed(httpserver.url_for("/gz/rss"), tmp_path / "coffee", base_url="https://new.example/coffee/")
    assert "9c7d2a41-5f6e-4b8a-b0c3-2d1e0f9a8b7c" in episodes(tmp_path / "coffee")


def test_a_feed_that_names_its_new_address_is_imported_with_a_warning(host, httpserver, tmp_path):
    body = feedshapes.feed(feedshapes.ANCHOR, host["base"], len(host["audio"])).replace(
        b"<itunes:type>",
        b"<itunes:new-feed-url>https://new-host.example/feed</itunes:new-feed-url><itunes:type>",
    )
    httpserver.expect_request("/moved/rss").respond_with_data(body)
    report = import_feed(httpserver.url_for("/moved/rss"), tmp_path / "coffee")
    (warning,) = [p for p in report.problems if "itunes:new-feed-url" in p.message]
    assert warning.hint == "import from there: podcast import https://new-host.example/feed"


def test_nothing_is_written_outside_the_show_directory(host, tmp_path):
    root = tmp_path / "garden"
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "episodes").mkdir(parents=True)
    (root / "episodes" / "tomatoes-in-pots").symlink_to(outside)  # a folder an episode would take
    with pytest.raises(PodcastError, match="leads outside"):
        import_feed(host["libsyn"], root)
    assert list(outside.iterdir()) == []


def test_an_undeclared_itunes_prefix_is_read_as_itunes(tmp_path):
    saved = tmp_path / "feed.xml"
    saved.write_text(
        '<rss version="2.0"><channel><title>No NS</title><link>https://nons.example/</link>'
        "<description>d</description><itunes:author>Ann</itunes:author>"
        "<item><title>One</title><guid>nons-0001</guid><pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate>"
        '<enclosure url="https://nons.example/1.mp3" length="1000" type="audio/mpeg"/>'
        "<itunes:duration>1:02:03</itunes:duration><itunes:episode>4</itunes:episode></item></channel></rss>",
        "utf-8",
    )
    report = import_feed(str(saved), tmp_path / "nons", base_url="https://new.example/nons/")
    assert any("is not well-formed XML" in line and "itunes" in line for line in report.recovered)
    (one,) = episodes(tmp_path / "nons").values()
    assert (one["duration"], one["episode"]) == (3723, 4)
    assert tomllib.loads((tmp_path / "nons" / "podcast.toml").read_text("utf-8"))["author"] == "Ann"


def test_what_the_feed_lacks_and_the_build_needs_is_said(tmp_path):
    saved = tmp_path / "feed.xml"
    saved.write_text(
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
        "<title>Bare</title><link>https://bare.example/</link><description>d</description>"
        '<itunes:category text="Podcasts About Cats"/>'
        "<item><title>One</title><guid>bare-0001</guid><pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate>"
        '<enclosure url="https://bare.example/1.mp3" length="1000" type="audio/mpeg"/></item>'
        "</channel></rss>",
        "utf-8",
    )
    root = tmp_path / "bare"
    report = import_feed(str(saved), root, base_url="https://new.example/bare/")
    assert {(p.path, p.field) for p in report.problems} == {
        ("podcast.toml", "categories"),
        ("podcast.toml", "owner"),
    }
    assert 'category "Podcasts About Cats" left out: "Podcasts About Cats" is not an Apple' in "\n".join(
        report.recovered
    )
    with pytest.raises(PodcastError) as caught:
        pipeline.build(root)
    said = "\n".join(str(p) for p in caught.value.problems)
    assert "error: categories: missing" in said and "owner has no email" in said


def tiny_feed(items: str, *, title: str = "Tiny") -> str:
    """A small, clean feed around `items` (each an <item>…</item>)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
        f"<title>{title}</title><link>https://tiny.example/</link><description>d</description>"
        '<itunes:category text="Arts"/>'
        "<itunes:owner><itunes:email>a@tiny.example</itunes:email></itunes:owner>"
        f"{items}</channel></rss>"
    )


def test_a_folder_holding_another_show_is_refused_and_left_alone(host, show, tmp_path):
    show.add("my-own-episode")
    before = {p: p.read_bytes() for p in show.root.rglob("*") if p.is_file()}
    with pytest.raises(PodcastError) as caught:
        import_feed(host["libsyn"], show.root)
    said = str(caught.value)
    assert '"Test Show"' in said and '"Garden Talk"' in said and "--into" in said
    assert {p: p.read_bytes() for p in show.root.rglob("*") if p.is_file()} == before
    result = run("import", host["libsyn"], "--into", str(show.root))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "already holds a show" in result.stderr


def test_the_same_show_found_at_a_new_address_is_known_by_its_episodes(host, httpserver, tmp_path):
    root = tmp_path / "garden"
    import_feed(host["libsyn"], root)
    # The host moved the feed without a redirect and without a podcast:guid: same episodes, though.
    body = feedshapes.feed(feedshapes.LIBSYN, host["base"], len(host["audio"])).replace(
        b"/libsyn/rss", b"/elsewhere/rss"
    )
    httpserver.expect_request("/elsewhere/rss").respond_with_data(body)
    again = import_feed(httpserver.url_for("/elsewhere/rss"), root)
    assert again.added == [] and len(again.unchanged) == 2


def test_a_new_show_without_episodes_may_take_the_import(host, show, tmp_path):
    report = import_feed(host["libsyn"], show.root)  # `podcast init`, then import: the producer's own
    assert len(report.added) == 2
    (kept,) = [p for p in report.problems if p.path == "podcast.toml"]
    assert kept.message.startswith("was not written by an import")  # not "edited since the last import"


def test_a_failed_download_keeps_the_episode_with_its_url_and_the_next_run_fetches_it(
    httpserver, tmp_path, mp3_factory
):
    audio = mp3_factory(3.0).read_bytes()
    url = httpserver.url_for("/later.mp3")
    body = tiny_feed(
        f"<item><title>Later</title><guid>later-0001</guid><pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate>"
        f'<enclosure url="{url}" length="{len(audio)}" type="audio/mpeg"/></item>'
    )
    httpserver.expect_request("/feed").respond_with_data(body, content_type="application/rss+xml")
    httpserver.expect_request("/later.mp3").respond_with_data("gone", status=404)
    root = tmp_path / "tiny"
    report = import_feed(httpserver.url_for("/feed"), root, download=True, base_url="https://new.example/")
    (problem,) = [p for p in report.problems if p.severity == "error"]
    assert "HTTP 404" in problem.message and "audio_url" in problem.message and "--download" in problem.hint
    (episode,) = episodes(root).values()
    assert episode["audio_url"] == url and episode["length"] == len(audio)  # not lost meanwhile

    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(body, content_type="application/rss+xml")
    httpserver.expect_request("/later.mp3").respond_with_data(audio, content_type="audio/mpeg")
    again = import_feed(httpserver.url_for("/feed"), root, download=True, base_url="https://new.example/")
    assert not again.problems and again.updated == [episode["slug"]]
    (episode,) = episodes(root).values()
    assert "audio_url" not in episode
    assert (root / "episodes" / episode["slug"] / episode["audio"]).read_bytes() == audio


def test_audio_shorter_than_the_feed_says_is_named(httpserver, tmp_path, mp3_factory):
    # The server's Content-Length agrees with what it sends, but the feed knows the file is longer.
    audio = mp3_factory(3.0).read_bytes()
    url = httpserver.url_for("/cut.mp3")
    body = tiny_feed(
        f"<item><title>Cut</title><guid>cut-0001</guid><pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate>"
        f'<enclosure url="{url}" length="{len(audio)}" type="audio/mpeg"/></item>'
    )
    httpserver.expect_request("/feed").respond_with_data(body)
    httpserver.expect_request("/cut.mp3").respond_with_data(audio[:1000], content_type="audio/mpeg")
    report = import_feed(
        httpserver.url_for("/feed"), tmp_path / "tiny", download=True, base_url="https://n.example/"
    )
    (warning,) = report.problems
    assert warning.path == "episodes/cut/cut.mp3"
    assert f"1,000 bytes downloaded, but the feed says the audio is {len(audio):,}" in warning.message
    assert "delete the file" in warning.hint


def test_hostile_enclosures_and_a_long_guid(tmp_path):
    long_guid = "tag:old-host.example,2019:" + "x" * 300
    saved = tmp_path / "feed.xml"
    saved.write_text(
        tiny_feed(
            "<item><title>Huge</title><guid>huge-0001</guid>"
            "<pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate><enclosure url="
            '"https://tiny.example/huge.mp3" length="99999999999999999999999" type="audio/mpeg"/>'
            "<itunes:duration>1:02:03</itunes:duration></item>"
            "<item><title>Script</title><guid>script-0001</guid>"
            "<pubDate>Tue, 07 Jan 2025 09:00:00 +0000</pubDate>"
            '<enclosure url="javascript:alert(1)" length="10" type="audio/mpeg"/>'
            "<itunes:duration>bogus</itunes:duration></item>"
            f"<item><title>Long guid</title><guid>{long_guid}</guid>"
            "<pubDate>Wed, 08 Jan 2025 09:00:00 +0000</pubDate>"
            '<enclosure url="https://tiny.example/long.mp3" length="1000" type="audio/mpeg"/>'
            "<itunes:duration>3723</itunes:duration></item>"
        ),
        "utf-8",
    )
    root = tmp_path / "tiny"
    report = import_feed(str(saved), root, base_url="https://new.example/tiny/")
    recovered = "\n".join(report.recovered)
    assert "enclosure lengths too large to be true" in recovered
    assert "enclosure URLs that are not http(s) addresses left out" in recovered
    assert "relative" not in recovered  # javascript: is not a relative address
    assert "itunes:duration values that are not a length of time (or over a week) left out" in recovered
    found = episodes(root)
    assert found["huge-0001"]["length"] == 0 and found["huge-0001"]["duration"] == 3723
    assert "audio_url" not in found["script-0001"] and found["script-0001"]["draft"] is True
    assert found[long_guid]["guid"] == long_guid
    problems = pipeline.check(root)
    assert not [p for p in problems if p.field == "guid"], problems  # nobody is told to shorten a guid
    feed = built(root)
    assert [e["guid"] for e in feed["episodes"]] == [long_guid, "huge-0001"]
    assert feedparser.parse((root / "feeds" / "feed.xml").read_bytes()).entries[0].id == long_guid


def test_show_notes_lose_scripts_styles_and_script_links_but_keep_the_words(tmp_path):
    # WordPress plugins paste <style> blocks into content:encoded; a hostile feed adds scripts.
    notes = (
        "<style>.wp-block{color:red}</style><p>Listen <script>alert(2)</script>to "
        '<a href="javascript:alert(1)">this</a> and <a href="/more">more</a>.</p>'
    )
    saved = tmp_path / "feed.xml"
    saved.write_text(
        tiny_feed(
            "<item><title>Styled</title><guid>styled-0001</guid>"
            "<pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate>"
            '<enclosure url="https://tiny.example/1.mp3" length="1000" type="audio/mpeg"/>'
            f'<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[{notes}]]>'
            "</content:encoded></item>"
        ),
        "utf-8",
    )
    root = tmp_path / "tiny"
    import_feed(str(saved), root, base_url="https://new.example/tiny/")
    (episode,) = episodes(root).values()
    assert episode["body"] == "Listen to this and [more](https://tiny.example/more).\n"
    pipeline.build(root)
    (entry,) = feedparser.parse((root / "feeds" / "feed.xml").read_bytes()).entries
    assert "color:red" not in entry.description and "alert" not in entry.description
    assert '<a href="https://tiny.example/more">more</a>' in entry.description


def test_a_reimport_keeps_the_shows_podcast_guid_and_base_url(tmp_path):
    # The feed has no podcast:guid of its own (the import derives one from its address, once) and
    # its self link moves between imports; the producer chose where to publish on the first run.
    saved = tmp_path / "feed.xml"
    template = tiny_feed(
        '<atom:link xmlns:atom="http://www.w3.org/2005/Atom" href="SELF" rel="self"/>'
        "<item><title>One</title><guid>one-0001</guid><pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate>"
        '<enclosure url="https://tiny.example/1.mp3" length="1000" type="audio/mpeg"/></item>'
    )
    saved.write_text(template.replace("SELF", "https://old-host.example/tiny/feed.xml"), "utf-8")
    root = tmp_path / "tiny"
    import_feed(str(saved), root, base_url="https://media.example.com/tiny/")
    first = tomllib.loads((root / "podcast.toml").read_text("utf-8"))
    saved.write_text(template.replace("SELF", "https://old-host.example/v2/tiny.rss"), "utf-8")
    import_feed(str(saved), root)  # the same command, without --base-url
    again = tomllib.loads((root / "podcast.toml").read_text("utf-8"))
    assert again["guid"] == first["guid"] == again["imported"]["guid"]
    assert again["base_url"] == "https://media.example.com/tiny/"


def test_channel_values_the_build_would_refuse_are_left_out_and_said(tmp_path):
    ns = 'xmlns:podcast="https://podcastindex.org/namespace/1.0"'
    saved = tmp_path / "feed.xml"
    saved.write_text(
        tiny_feed(
            f"<podcast:medium {ns}>musicL</podcast:medium>"
            f'<podcast:person {ns} role="host"><![CDATA[<b>Ann</b> Host]]></podcast:person>'
            f'<podcast:person {ns} role="guest">Bo Guest</podcast:person>'
            "<item><title>One</title><guid>one-0001</guid><pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate>"
            '<enclosure url="https://tiny.example/1.mp3" length="1000" type="audio/mpeg"/>'
            f"<podcast:person {ns}><![CDATA[<i>Cy</i>]]></podcast:person></item>"
        ),
        "utf-8",
    )
    root = tmp_path / "tiny"
    report = import_feed(str(saved), root, base_url="https://new.example/tiny/")
    recovered = "\n".join(report.recovered)
    assert 'podcast:medium "musicl" left out: expected one of "podcast"' in recovered
    assert 'podcast:person "<b>Ann</b> Host" left out: contains markup' in recovered
    toml = tomllib.loads((root / "podcast.toml").read_text("utf-8"))
    assert "medium" not in toml and [p["name"] for p in toml["person"]] == ["Bo Guest"]
    (episode,) = episodes(root).values()
    assert "person" not in episode
    pipeline.build(root)  # builds: nothing the import wrote is refused


def test_a_folder_inside_a_shows_episodes_is_refused(host, show):
    show.add("first")
    before = sorted(p.relative_to(show.root) for p in show.root.rglob("*"))
    # `podcast import URL` run from inside the show's episodes/ (--into defaults to ".")
    result = run("import", host["libsyn"], "--into", str(show.root / "episodes"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"is inside episodes/ of the show at {show.root.resolve()}" in result.stderr
    assert f"--into {show.root.resolve()}" in result.stderr
    assert sorted(p.relative_to(show.root) for p in show.root.rglob("*")) == before
    pipeline.build(show.root)  # the show is as it was


def test_a_second_transcript_of_the_same_format_is_said_to_be_left_out(host, httpserver, tmp_path):
    spanish = "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHola.\n"
    httpserver.expect_request("/buzzsprout/moon-es.vtt").respond_with_data(spanish, content_type="text/vtt")
    body = feedshapes.feed(feedshapes.BUZZSPROUT, host["base"], len(host["audio"])).replace(
        b'type="text/vtt" />',
        b'type="text/vtt" language="en" />'
        b'<podcast:transcript url="' + host["base"].encode() + b'/buzzsprout/moon-es.vtt" type="text/vtt"'
        b' language="es" />',
    )
    httpserver.expect_request("/two/rss").respond_with_data(body)
    root = tmp_path / "sky"
    report = import_feed(httpserver.url_for("/two/rss"), root)
    (left_out,) = report.problems
    assert "moon-es.vtt (es) left out" in left_out.message and "transcript.vtt is " in left_out.message
    folder = root / "episodes" / episodes(root)["Buzzsprout-16712345"]["slug"]
    assert (folder / "transcript.vtt").read_text() == VTT  # the first, English one


def test_a_file_where_an_episode_folder_would_go_is_stepped_around(tmp_path):
    saved = tmp_path / "feed.xml"
    saved.write_text(
        tiny_feed(
            "<item><title>The Moon</title><guid>moon-0001</guid>"
            "<pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate>"
            '<enclosure url="https://tiny.example/1.mp3" length="1000" type="audio/mpeg"/></item>'
        ),
        "utf-8",
    )
    root = tmp_path / "tiny"
    (root / "episodes").mkdir(parents=True)
    (root / "episodes" / "the-moon").write_text("a note the producer left here")
    report = import_feed(str(saved), root, base_url="https://new.example/tiny/")
    assert report.added == ["the-moon-2"]
    assert (root / "episodes" / "the-moon").read_text() == "a note the producer left here"
