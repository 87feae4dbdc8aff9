"""The show's web pages: what `podcast build` writes beside the feed, read back as a browser would."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import lxml.html
import pytest
from conftest import run

from podcast import pipeline
from podcast.config import read_show
from podcast.errors import PodcastError
from podcast.model import AudioInfo, Episode, ShowNotes, replaced
from podcast.web import pages

BASE = "https://cdn.example.com/show/"
VTT = """WEBVTT

00:00:00.500 --> 00:00:01.500
Welcome to the show,

00:00:01.500 --> 00:00:02.500
where we talk about sleep.

00:00:02.500 --> 00:00:03.000
<b>Goodbye</b> & thanks.
"""


def page(show, rel: str):
    return lxml.html.parse(str(show.root / "feeds" / rel)).getroot()


def meta(doc, key: str) -> str | None:
    found = doc.xpath(f'//meta[@property="{key}" or @name="{key}"]/@content')
    return found[0] if found else None


def set_pages(show, text: str) -> None:
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text() + f"\n[pages]\n{text}\n")


@pytest.fixture
def built(show):
    folder = show.add(
        "first",
        title="First Light",
        date="2025-01-01",
        seconds=3,
        extra='season = 1\nepisode = 1\nhosts = ["Ann Host", "Bo Guest"]',
        article="The first episode.\n\nIt has two paragraphs.\n",
    )
    (folder / "chapters.json").write_text(
        json.dumps({"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Hello"},
                                                      {"startTime": 1.5, "title": "Sleep <talk>"}]})
    )  # fmt: skip
    (folder / "transcript.vtt").write_text(VTT)
    show.add("second", title="Second Wind", date="2025-02-01", seconds=2)
    set_pages(
        show,
        'apple = "https://podcasts.apple.com/us/podcast/id1"\nspotify = "https://open.spotify.com/show/x"',
    )
    pipeline.build(show.root)
    return show


def test_the_build_writes_a_home_page_and_a_page_per_episode(built):
    home = page(built, "index.html")
    assert home.findtext(".//h1") == "Test Show"
    titles = [a.text for a in home.xpath('//ol[@class="episodes"]//h3/a')]
    assert titles == ["Second Wind", "First Light"]  # newest first
    assert [a.get("href") for a in home.xpath('//ol[@class="episodes"]//h3/a')] == [
        "episodes/second/",
        "episodes/first/",
    ]
    assert (built.root / "feeds/episodes/first/index.html").is_file()
    assert (built.root / "feeds/episodes/second/index.html").is_file()


def test_the_home_page_offers_the_feed_and_the_directories_in_podcast_toml(built):
    home = page(built, "index.html")
    links = {a.text: a.get("href") for a in home.xpath('//section[@class="subscribe"]//a')}
    assert links == {
        "RSS feed": BASE + "feed.xml",
        "Apple Podcasts": "https://podcasts.apple.com/us/podcast/id1",
        "Spotify": "https://open.spotify.com/show/x",
    }
    (alternate,) = home.xpath('//link[@rel="alternate"][@type="application/rss+xml"]')
    assert alternate.get("href") == BASE + "feed.xml"
    assert meta(home, "og:image") is None  # the test show has no artwork: no image promised


def test_an_episode_page_has_title_date_hosts_player_notes_and_discovery_tags(built):
    doc = page(built, "episodes/first/index.html")
    assert doc.findtext(".//h1") == "First Light"
    assert doc.xpath("//header[@class='episode']//time/@datetime") == ["2025-01-01"]
    assert "Ann Host, Bo Guest" in doc.findtext(".//p[@class='hosts']")
    audio_url = BASE + "media/first/first.mp3"
    assert doc.xpath("//audio/@src") == [audio_url]
    assert "It has two paragraphs." in doc.xpath("string(//section[@class='notes'])")
    assert doc.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href') == [BASE + "feed.xml"]
    assert doc.xpath('//link[@rel="canonical"]/@href') == [BASE + "episodes/first/"]
    assert meta(doc, "og:audio") == audio_url
    assert meta(doc, "og:audio:type") == "audio/mpeg"
    assert meta(doc, "og:title") == "First Light"
    assert meta(doc, "twitter:card") == "summary"
    # Everything the page needs is in it: no script, style or font from elsewhere.
    assert not doc.xpath("//script[@src] | //link[@rel='stylesheet'] | //iframe")
    assert doc.xpath("//script") and doc.xpath("//style")


def test_the_player_offers_speeds_from_half_to_three_and_the_sleep_timer_choices(built):
    doc = page(built, "episodes/first/index.html")
    speeds = [float(s) for s in doc.xpath("//button/@data-speed")]
    assert speeds[0] == 0.5 and speeds[-1] == 3.0 and 1.0 in speeds
    choices = [o.text for o in doc.xpath("//select[@id='sleep']/option")]
    assert choices == ["Off"] + [f"{m} minutes" for m in (5, 10, 15, 30, 45, 60, 120)] + ["End of episode"]
    assert doc.xpath("//select[@id='sleep']/ancestor::label")  # labelled for screen readers
    assert sorted(doc.xpath("//button/@data-skip")) == ["-15", "30"]


def test_chapters_and_the_transcript_cues_are_buttons_that_seek_the_player(built):
    doc = page(built, "episodes/first/index.html")
    chapters = doc.xpath("//section[@class='chapters']//button")
    assert [(b.get("data-start"), b.text_content()) for b in chapters] == [
        ("0.0", "0:00 Hello"),
        ("1.5", "0:01 Sleep <talk>"),
    ]
    cues = doc.xpath("//ol[@class='cues']/li")
    # Cues cut mid-sentence are joined into one line of the transcript.
    assert [cue.text_content().split(None, 1)[1] for cue in cues] == [
        "Welcome to the show, where we talk about sleep.",
        "Goodbye & thanks.",
    ]
    assert [cue.find("button").get("data-start") for cue in cues] == ["0.5", "2.5"]


def test_an_html_transcript_is_shown_sanitized(show):
    folder = show.add("one")
    (folder / "transcript.html").write_text(
        "<html><head><title>Not shown</title></head><body><p>Spoken words.</p>"
        "<script>alert(1)</script><p onclick='x()'>More words.</p></body></html>"
    )
    pipeline.build(show.root)
    doc = page(show, "episodes/one/index.html")
    text = doc.xpath("//section[@class='transcript']//div[@class='text']")[0]
    assert [p.text for p in text.findall("p")] == ["Spoken words.", "More words."]
    assert "Not shown" not in lxml.html.tostring(text, encoding="unicode")
    assert not text.xpath(".//script | .//@onclick")


def test_each_item_links_to_its_page_unless_the_episode_has_its_own_link(built):
    feed = feedparser.parse(str(built.feed))
    links = {entry.title: entry.link for entry in feed.entries}
    assert links == {"Second Wind": BASE + "episodes/second/", "First Light": BASE + "episodes/first/"}
    own = built.root / "episodes" / "second" / "episode.md"
    own.write_text(own.read_text().replace("+++\n", '+++\nlink = "https://example.com/ep2"\n', 1))
    pipeline.build(built.root)
    links = {entry.title: entry.link for entry in feedparser.parse(str(built.feed)).entries}
    assert links["Second Wind"] == "https://example.com/ep2"


def test_relative_links_in_the_notes_resolve_against_the_episode_page(show):
    show.add("rel", article="See [the guide](../../guides/sleep).\n", extra='format = "markdown"')
    pipeline.build(show.root)
    (entry,) = feedparser.parse(str(show.feed)).entries
    assert 'href="https://cdn.example.com/show/guides/sleep"' in entry.content[0].value


def test_the_same_show_builds_the_same_pages_byte_for_byte(built):
    before = {p: p.read_bytes() for p in (built.root / "feeds").rglob("*.html")}
    pipeline.build(built.root)
    assert {p: p.read_bytes() for p in (built.root / "feeds").rglob("*.html")} == before


def test_a_page_goes_when_its_episode_goes_and_hand_made_pages_stay(built):
    import shutil

    shutil.rmtree(built.root / "episodes" / "second")
    mine = built.root / "feeds" / "episodes" / "mine" / "index.html"
    mine.parent.mkdir()
    mine.write_text("<html><body>my own page</body></html>")
    result = pipeline.build(built.root, allow_removal=True)  # the episode is withdrawn on purpose
    assert not (built.root / "feeds/episodes/second").exists()
    assert "episodes/second/index.html" in result.pages
    assert mine.read_text() == "<html><body>my own page</body></html>"


def test_pages_can_be_switched_off_and_the_built_ones_go(built):
    hand_made = built.root / "feeds" / "notes.html"
    hand_made.write_text("mine")
    toml = built.root / "podcast.toml"
    toml.write_text(toml.read_text().replace("[pages]\n", "[pages]\nenabled = false\n"))
    pipeline.build(built.root)
    assert not (built.root / "feeds/index.html").exists()
    assert not (built.root / "feeds/episodes").exists()
    assert hand_made.read_text() == "mine"
    entry = feedparser.parse(str(built.feed)).entries[0]
    assert "link" not in entry or "episodes/" not in entry.link


def test_a_template_in_the_show_directory_replaces_the_packaged_one(built):
    templates = built.root / "templates"
    templates.mkdir()
    (templates / "episode.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Custom: {{ episode.title }}</h1>{% endblock %}'
    )
    pipeline.build(built.root)
    assert page(built, "episodes/first/index.html").findtext(".//h1") == "Custom: First Light"
    assert page(built, "index.html").findtext(".//h1") == "Test Show"  # the others stay packaged


def test_a_broken_template_names_its_file_and_line_and_nothing_is_written(built):
    before = (built.root / "feeds" / "feed.xml").read_bytes()
    templates = built.root / "templates"
    templates.mkdir()
    (templates / "index.html").write_text("<h1>\n{% if %}\n")
    episode = built.root / "episodes" / "first" / "episode.md"
    episode.write_text(episode.read_text().replace("First Light", "First Light Again"))
    with pytest.raises(PodcastError) as caught:
        pipeline.build(built.root)
    assert "templates/index.html:2" in str(caught.value)
    assert (built.root / "feeds" / "feed.xml").read_bytes() == before
    assert "First Light Again" not in (built.root / "feeds/episodes/first/index.html").read_text()


def test_a_template_behind_a_symlink_out_of_the_show_is_refused(built, tmp_path):
    outside = tmp_path / "elsewhere.html"
    outside.write_text("{{ show.owner_email }}")
    (built.root / "templates").mkdir()
    (built.root / "templates" / "index.html").symlink_to(outside)
    with pytest.raises(PodcastError) as caught:
        pipeline.build(built.root)
    assert "templates/index.html" in str(caught.value) and "outside" in str(caught.value)


def test_pages_settings_with_mistakes_are_each_named_with_their_line(show):
    show.add("one")
    set_pages(show, 'enabled = "yes"\napple = "podcasts.apple.com/x"\nspotfy = "https://x"')
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    messages = [str(p) for p in caught.value.problems if p.field == "pages"]
    assert len(messages) == 3, messages
    assert all(m.startswith("podcast.toml:") for m in messages)
    assert any("did you mean 'spotify'" in m for m in messages)


def test_other_directories_are_listed_by_name(show):
    show.add("one")
    set_pages(show, '[[pages.directory]]\nname = "Fountain FM"\nurl = "https://fountain.fm/show/x"')
    pipeline.build(show.root)
    links = {
        a.text: a.get("href") for a in page(show, "index.html").xpath('//section[@class="subscribe"]//a')
    }
    assert links["Fountain FM"] == "https://fountain.fm/show/x"


def _episode(n: int, root: Path) -> Episode:
    when = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=n)
    return Episode(
        slug=f"ep{n:03d}",
        source=f"episodes/ep{n:03d}/episode.md",
        title=f"Episode {n}",
        date=when,
        guid=f"guid-{n}",
        audio=root / f"ep{n:03d}.mp3",
        info=AudioInfo(size=1000, mime="audio/mpeg", duration=60.0 * n, format="mp3"),
    )


def test_the_episode_list_is_paged_past_fifty(show):
    from podcast.config import read_show

    base, _ = read_show(show.root)
    episodes = [_episode(n, show.root) for n in range(1, 53)]
    rendered = pages.render(dataclasses.replace(base), episodes)
    first = lxml.html.fromstring(rendered["index.html"])
    second = lxml.html.fromstring(rendered["page/2/index.html"])
    assert len(first.xpath('//ol[@class="episodes"]/li')) == 50
    assert first.xpath('//ol[@class="episodes"]//h3/a/text()')[0] == "Episode 52"
    assert second.xpath('//ol[@class="episodes"]//h3/a/text()') == ["Episode 2", "Episode 1"]
    assert first.xpath('//a[@rel="next"]/@href') == ["page/2/"]
    assert second.xpath('//a[@rel="prev"]/@href') == ["../../"]
    assert second.xpath('//ol[@class="episodes"]//h3/a/@href')[0] == "../../episodes/ep002/"
    assert "page/3/index.html" not in rendered
    assert second.xpath("string(//p[@class='facts'])").endswith("2:00")  # the duration, as a clock


REPO = Path(__file__).resolve().parent.parent


def test_the_example_shows_committed_pages_are_what_the_build_makes(tmp_path):
    import shutil

    root = tmp_path / "example"
    root.mkdir()
    for name in ("podcast.toml", "artwork.jpg"):
        shutil.copy(REPO / name, root)
    shutil.copytree(REPO / "episodes", root / "episodes")
    pipeline.build(root)
    built = sorted(p.relative_to(root / "feeds") for p in (root / "feeds").rglob("*.html"))
    committed = sorted(p.relative_to(REPO / "feeds") for p in (REPO / "feeds").rglob("*.html"))
    assert built == committed
    assert Path("episodes/ketamine-for-chronic-migraine/index.html") in built
    for rel in built:
        assert (root / "feeds" / rel).read_bytes() == (REPO / "feeds" / rel).read_bytes(), rel
    doc = lxml.html.parse(str(REPO / "feeds/episodes/ketamine-for-chronic-migraine/index.html")).getroot()
    assert meta(doc, "og:image") == "https://podcast.moodwellness.example.com/artwork.jpg"
    assert len(doc.xpath("//section[@class='chapters']//button")) == 7  # one per section of the article
    assert doc.xpath("//section[@class='transcript']//div[@class='text']/p")  # the HTML transcript


def test_the_build_command_says_which_pages_it_wrote(show):


    show.add("one")
    first = run("build", str(show.root), "--json")
    assert json.loads(first.stdout)["pages"] == ["episodes/one/index.html", "index.html"]
    again = run("build", str(show.root), "--json")
    assert json.loads(again.stdout)["pages"] == []  # nothing changed, nothing rewritten
    text = run("build", str(show.root))
    assert "pages written" not in text.stdout


def test_a_template_cannot_reach_beyond_the_data_it_is_given(built):
    (built.root / "templates").mkdir()
    (built.root / "templates" / "index.html").write_text(
        "{{ show.__class__.__init__.__globals__['os'].system('echo hacked') }}"
    )
    with pytest.raises(PodcastError) as caught:
        pipeline.build(built.root)
    assert "templates/index.html" in str(caught.value) and "unsafe" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "transcript.srt",
            "1\n00:00:00,000 --> 00:00:01,000\nFirst line.\n\n"
            "2\n00:00:01,250 --> 00:00:02,000\nSecond line.\n",
            [("0.0", "0:00 First line."), ("1.25", "0:01 Second line.")],
        ),
        (
            "transcript.json",
            json.dumps(
                {
                    "version": "1.0.0",
                    "segments": [
                        {"startTime": 0.0, "endTime": 1.0, "speaker": "Ann", "body": "Hello and"},
                        {"startTime": 1.0, "endTime": 2.0, "speaker": "Ann", "body": "welcome."},
                        {"startTime": 2.0, "endTime": 2.5, "speaker": "Bo", "body": "Thanks!"},
                    ],
                }
            ),
            [("0.0", "0:00 Ann: Hello and welcome."), ("2.0", "0:02 Bo: Thanks!")],
        ),
    ],
)
def test_srt_and_json_transcripts_become_cues_with_their_speakers(show, name, text, expected):
    folder = show.add("one")
    (folder / name).write_text(text)
    pipeline.build(show.root)
    cues = page(show, "episodes/one/index.html").xpath("//ol[@class='cues']/li")
    assert [(cue.find("button").get("data-start"), cue.text_content()) for cue in cues] == expected


def test_a_very_large_transcript_is_linked_not_shown(show):
    folder = show.add("one")
    (folder / "transcript.txt").write_text("Words said. " * 100_000)  # 1.2 MB
    pipeline.build(show.root)
    doc = page(show, "episodes/one/index.html")
    section = doc.xpath("//section[@class='transcript']")[0]
    assert "Words said." not in section.text_content()
    assert section.xpath(".//a/@href") == [BASE + "transcripts/one.txt"]
    assert (show.root / "feeds/episodes/one/index.html").stat().st_size < 100_000


def test_an_episode_in_another_language_says_so(show):
    show.add("one", extra='language = "fr"', article="Bonjour.\n")
    pipeline.build(show.root)
    assert page(show, "episodes/one/index.html").xpath("//article/@lang") == ["fr"]


def test_an_episode_with_remote_audio_plays_it_from_where_it_is(show):
    show.add(
        "far",
        audio=False,
        extra='audio_url = "https://audio.example.net/far.mp3"\nlength = 123456\ntype = "audio/mpeg"'
        '\nduration = 65',
    )
    pipeline.build(show.root)
    doc = page(show, "episodes/far/index.html")
    assert doc.xpath("//audio/@src") == ["https://audio.example.net/far.mp3"]
    assert meta(doc, "og:audio") == "https://audio.example.net/far.mp3"
    assert doc.xpath("string(//header[@class='episode']//p[@class='facts'])").strip().endswith("1:05")


def test_a_file_in_the_way_of_the_pages_is_reported_and_the_feed_is_kept(built):
    import shutil

    before = built.feed.read_bytes()
    shutil.rmtree(built.root / "feeds" / "episodes")
    (built.root / "feeds" / "episodes").write_text("not a folder")
    episode = built.root / "episodes" / "first" / "episode.md"
    episode.write_text(episode.read_text().replace("First Light", "First Light Again"))
    with pytest.raises(PodcastError) as caught:
        pipeline.build(built.root)
    assert "feeds/episodes" in str(caught.value)
    assert built.feed.read_bytes() == before


def test_pages_are_never_written_or_removed_through_a_link(built, tmp_path):
    import shutil

    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "old").mkdir(parents=True)
    (elsewhere / "old" / "index.html").write_text(f'<meta name="generator" content="{pages.GENERATOR}">')
    shutil.rmtree(built.root / "feeds" / "episodes")
    (built.root / "feeds" / "episodes").symlink_to(elsewhere)
    with pytest.raises(PodcastError) as caught:
        pipeline.build(built.root)
    assert "symbolic link" in str(caught.value)
    assert sorted(p.name for p in elsewhere.rglob("*")) == ["index.html", "old"]


@pytest.mark.parametrize(
    "template",
    [
        "{{ show.root.joinpath(secret).read_text() }}",
        "{{ show.root.joinpath(secret).write_text('overwritten') }}",
        "{{ show.root.home() }}",
    ],
)
def test_a_template_can_neither_read_nor_write_files_through_the_show_directorys_path(
    built, tmp_path, template
):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    (built.root / "templates").mkdir()
    (built.root / "templates" / "index.html").write_text(template.replace("secret", repr(str(secret))))
    with pytest.raises(PodcastError) as caught:
        pipeline.build(built.root)
    assert "templates/index.html:1" in str(caught.value) and "unsafe" in str(caught.value)
    assert secret.read_text() == "the secret"
    assert "the secret" not in (built.root / "feeds" / "index.html").read_text()


def test_a_template_includes_only_templates_not_other_files_of_the_show(built):
    (built.root / "templates").mkdir()
    (built.root / "templates" / "index.html").write_text('{% include "../podcast.toml" %}')
    with pytest.raises(PodcastError) as caught:
        pipeline.build(built.root)
    assert "templates/index.html:1" in str(caught.value) and "no template named '../podcast.toml'" in str(
        caught.value
    )
    assert "owner" not in (built.root / "feeds" / "index.html").read_text()


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('<h1>\n{% include "index.html" %}', "templates/index.html:2: cannot render: it includes itself"),
        ("<h1>\n\n{{ 1 / 0 }}", "templates/index.html:3: cannot render: division by zero"),
        ("<h1>\n{{ show.title | int(1, 2, 3) }}", "templates/index.html:2: cannot render"),
        ("{{ nothing.here }}", "templates/index.html:1: cannot render: 'nothing' is undefined"),
    ],
)
def test_a_template_that_fails_as_it_renders_is_named_with_its_line(built, template, expected):
    (built.root / "templates").mkdir()
    (built.root / "templates" / "index.html").write_text(template)
    with pytest.raises(PodcastError) as caught:  # not an internal error: the show's template to fix
        pipeline.build(built.root)
    assert expected in str(caught.value)


@pytest.mark.parametrize("start", ["NaN", "Infinity", "-Infinity"])
def test_a_json_transcript_timed_at_no_time_is_reported_not_a_crash(show, start):
    folder = show.add("one")
    (folder / "transcript.json").write_text(
        '{"version": "1.0.0", "segments": [{"startTime": ' + start + ', "body": "Hello."}]}'
    )
    with pytest.raises(PodcastError) as caught:  # not an internal error from the page's clock
        pipeline.build(show.root)
    assert "episodes/one/transcript.json: error: segment 1 needs a startTime" in str(caught.value)


def test_a_speaker_that_is_not_a_name_is_not_shown(show):
    folder = show.add("one")
    (folder / "transcript.json").write_text(
        json.dumps({"version": "1.0.0", "segments": [{"startTime": 0, "speaker": {"id": 1}, "body": "Hi."}]})
    )
    pipeline.build(show.root)
    (cue,) = page(show, "episodes/one/index.html").xpath("//ol[@class='cues']/li")
    assert cue.text_content() == "0:00 Hi."


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "transcript.srt",
            '1\n00:00:00,000 --> 00:00:01,000\n<i>Music</i> plays.\n\n'
            "2\n00:00:01,000 --> 00:00:02,000\n"
            '{\\an8}<font color="#ffff00">Q&amp;A</font> with <b>Ann</b>.\n',
        ),
        (
            "transcript.vtt",
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<i>Music</i> plays.\n\n"
            "00:00:01.000 --> 00:00:02.000\n<c.yellow>Q&amp;A</c> with <v Ann>Ann</v>.\n",
        ),
    ],
)
def test_cue_markup_is_read_not_shown(show, name, text):
    # Subtitles mark up their cues (<i>, <font>, {\an8}) and escape "&": a listener reads the words.
    folder = show.add("one")
    (folder / name).write_text(text)
    pipeline.build(show.root)
    cues = page(show, "episodes/one/index.html").xpath("//ol[@class='cues']/li")
    assert [cue.text_content() for cue in cues] == ["0:00 Music plays.", "0:01 Q&A with Ann."]


def _varied_episode(root: Path) -> Episode:
    from podcast.model import Chapter, ShowNotes, Transcript

    transcript_file = root / "t.vtt"
    transcript_file.write_text(VTT)
    notes = ShowNotes(sections=(), html="<p>Notes</p>", description_html="<p>Notes</p>", text="Notes")
    return dataclasses.replace(
        _episode(7, root),
        slug="varied",
        hosts=("Ann",),
        season=1,
        number=7,
        image="https://img.example.com/7.jpg",
        notes=notes,
        chapters=(Chapter(0.0, "Start"),),
        transcripts=(Transcript(transcript_file, "text/vtt", publish_path="transcripts/ep007.vtt"),),
    )


def test_every_value_an_episode_page_shows_moves_its_page_key(show):
    """Pages are rendered again only when their key moves: a change to any value of the
    episode a template can read must move it, else the page would stay stale."""
    from podcast.config import read_show
    from podcast.model import Chapter, RemoteAudio

    base, _ = read_show(show.root)
    episode = _varied_episode(show.root)
    notes = episode.notes
    transcript_file = episode.transcripts[0].path
    changes = {
        "slug": lambda e: dataclasses.replace(e, slug="other"),
        "guid": lambda e: dataclasses.replace(e, guid="other"),
        "title": lambda e: dataclasses.replace(e, title="Other"),
        "date": lambda e: dataclasses.replace(e, date=e.date + timedelta(days=1)),
        "hosts": lambda e: dataclasses.replace(e, hosts=("Bo",)),
        "audio": lambda e: dataclasses.replace(e, audio=e.audio.with_name("other.mp3")),
        "remote audio": lambda e: dataclasses.replace(
            e, audio=None, remote_audio=RemoteAudio("https://a.example.com/x.mp3", 1000, "audio/mpeg")
        ),
        "mime": lambda e: dataclasses.replace(e, info=dataclasses.replace(e.info, mime="audio/mp4")),
        "size": lambda e: dataclasses.replace(e, info=dataclasses.replace(e.info, size=2000)),
        "duration": lambda e: dataclasses.replace(e, info=dataclasses.replace(e.info, duration=1.5)),
        "image": lambda e: dataclasses.replace(e, image="https://img.example.com/other.jpg"),
        "notes": lambda e: dataclasses.replace(e, notes=dataclasses.replace(notes, html="<p>Other</p>")),
        "summary": lambda e: dataclasses.replace(e, notes=dataclasses.replace(notes, text="Other")),
        "chapters": lambda e: dataclasses.replace(e, chapters=(Chapter(1.0, "Start"),)),
        "transcript url": lambda e: dataclasses.replace(
            e, transcripts=(dataclasses.replace(e.transcripts[0], publish_path="transcripts/x.vtt"),)
        ),
        "language": lambda e: dataclasses.replace(e, language="de"),
        "season": lambda e: dataclasses.replace(e, season=2),
        "number": lambda e: dataclasses.replace(e, number=8),
    }
    view = pages.episode_view(base, episode)
    moved: set[str] = set()
    for label, change in changes.items():
        other = change(episode)
        other_view = pages.episode_view(base, other)
        differ = {
            f.name for f in dataclasses.fields(view) if getattr(view, f.name) != getattr(other_view, f.name)
        }
        assert differ, f"{label}: the change shows on no page"
        assert pages.page_key(other) != pages.page_key(episode), f"{label} ({differ}) does not move the key"
        moved |= differ
    # The transcript's text, read only for a page that renders, by its file's stat.
    key = pages.page_key(episode)
    transcript_file.write_text(VTT.replace("Goodbye", "Farewell"))
    assert pages.page_key(episode) != key
    moved.add("transcript")
    assert moved == {f.name for f in dataclasses.fields(pages.EpisodeView)}, "a view field no change covers"


def test_a_packaged_template_copied_into_the_show_renders_the_same_pages(show):
    """The packaged templates' shared parts (rendered once a build) come out as the show's own
    copy of them renders every page, in the sandbox, part by part."""
    import shutil

    from podcast.config import read_show

    base, _ = read_show(show.root)
    episodes = [_episode(n, show.root) for n in range(1, 53)]
    episodes[3] = _varied_episode(show.root)
    episodes[4] = dataclasses.replace(episodes[4], audio=None, info=None)  # no player, no script
    packaged = pages.render(base, episodes)
    templates = show.root / "templates"
    templates.mkdir()
    for name in ("base.html", "player.html", "subscribe.html", "style.css"):
        shutil.copy(Path(pages.__file__).parent / "templates" / name, templates / name)
    copied = pages.render(base, episodes)
    assert copied.keys() == packaged.keys() and len(copied) == 52 + 2
    for path, html in packaged.items():
        assert copied[path] == html, path


def _other_value(name: str, value):
    """Another value for the show's setting `name`: a marker where a template could not miss it."""
    from podcast.model import Pages

    special = {
        "artwork": "https://img.example.com/other.jpg",
        "copyright": "© 2025 Other",
        "enclosure_prefix": "https://op3.example/e/",
        "pages": Pages(subscribe=(("Apple Podcasts", "https://podcasts.apple.com/x"),)),
    }
    if name in special:
        return special[name]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "-other"
    if isinstance(value, Path):
        return value / "other"
    return ("MARKER",)  # None, tuples, tables: shown as MARKER by a template that reads them


def test_a_show_setting_that_changes_the_episode_pages_moves_their_digest(show):
    """Episode pages of the packaged templates are digested with the few settings they show,
    so that changing another (the description, the owner) renders none of 10,000 again; a
    setting that does change them must move their digest."""
    from podcast.config import read_show

    base, _ = read_show(show.root)
    episodes = [_varied_episode(show.root), _episode(3, show.root)]
    before = {p.path: p for p in pages.plan(base, episodes) if p.path.startswith("episodes/")}
    shown = {path: page.make() for path, page in before.items()}
    moved = set()
    for field in dataclasses.fields(base):
        if not field.compare:
            continue
        other = dataclasses.replace(base, **{field.name: _other_value(field.name, getattr(base, field.name))})
        for page in pages.plan(other, episodes):
            if page.path not in before:
                continue
            if page.make() != shown[page.path]:
                assert page.digest != before[page.path].digest, f"{field.name} changes {page.path}"
                moved.add(field.name)
            elif page.digest != before[page.path].digest:
                moved.add(field.name)
    assert {"title", "language", "base_url", "link", "pages"} <= moved  # the test reaches them
    assert not moved & {"description", "author", "owner_email", "categories"}  # and leaves these


@pytest.mark.parametrize("words", [0, 1, pages.SUMMARY_WORDS, pages.SUMMARY_WORDS + 1, 500])
def test_the_text_a_record_keeps_gives_the_summary_the_whole_text_gives(show, words):
    """A build keeps of an episode's plain text only what its pages show (summary_source): an
    episode page made from that says what one made from the whole text says."""
    text = "\n\n".join(f"Word{n}\t." if n % 7 == 0 else f"w{n}" for n in range(words)) + "  \n"
    notes = ShowNotes(sections=(), html="<p>x</p>", description_html="", text=text)
    episode = Episode(slug="one", source="episodes/one/episode.md", title="One",
                      date=datetime(2025, 1, 1, tzinfo=UTC), guid="g", notes=notes)  # fmt: skip
    kept = replaced(episode, notes=replaced(episode.notes, text=pages.summary_source(text)))
    shown = read_show(show.root)[0]
    assert pages.episode_view(shown, kept).summary == pages.episode_view(shown, episode).summary
    assert len(pages.summary_source(text)) <= len(text) + 2


def test_the_list_pages_show_what_a_show_copy_of_the_package_list_template_shows(show):
    # The package's list page is made from each episode's listed fields alone (pages.ListedView);
    # an identical index.html of the show's own is rendered the long way, from whole views.
    show.add("first", title="First <Light> & more", date="2025-01-01", seconds=2,
             extra='season = 1\nepisode = 1\nhosts = ["Ann Host", "Bo Guest"]',
             article=" ".join(f"word{n}" for n in range(60)) + " — and “quotes”.\n")  # fmt: skip
    (show.root / "episodes/first/transcript.vtt").write_text(VTT)
    show.add(
        "bare",
        title="No Audio",
        date="2025-01-02",
        audio=False,
        extra='audio_url = "https://x.example/a.mp3"\nlength = 10\ntype = "audio/mpeg"\nduration = 61.5',
        article="",
    )
    for n in range(60):  # two pages of the list
        show.add(
            f"ep{n:02d}",
            title=f"Episode {n}",
            date=f"2025-02-{1 + n % 28:02d}",
            seconds=1,
            article=f"Short {n}.\n",
        )
    catalog = pipeline.read_catalog(show.root)
    assert all(p.severity != "error" for p in catalog.problems)
    ours = {
        p.path: p.make()
        for p in pages.plan(catalog.show, catalog.published)
        if not p.path.startswith("episodes/")
    }

    templates = show.root / "templates"
    templates.mkdir()
    packaged = Path(pages.__file__).parent / "templates" / "index.html"
    (templates / "index.html").write_text(packaged.read_text("utf-8"), "utf-8")
    theirs = {
        p.path: p.make()
        for p in pages.plan(catalog.show, catalog.published)
        if not p.path.startswith("episodes/")
    }

    assert len(ours) == 2 and ours == theirs
    for episode in catalog.published:
        listed = pages.ListedView(episode, lambda e=episode: pages.episode_view(catalog.show, e))
        whole = pages.episode_view(catalog.show, episode)
        for field in (
            "slug",
            "title",
            "date",
            "hosts",
            "page",
            "duration",
            "summary",
            "guid",
            "url",
            "audio_url",
        ):
            assert getattr(listed, field) == getattr(whole, field), field


def test_escape_text_writes_what_markupsafe_escape_writes():
    """Our own templates write each value through pages.escape_text, a plain str where
    markupsafe.escape makes Markup: the text must be the same, whatever the value."""
    import jinja2
    import markupsafe
    from hypothesis import given, settings
    from hypothesis import strategies as st

    class Html:
        def __html__(self) -> str:
            return "<b>kept</b>"

    values = st.one_of(
        st.text(),
        st.text(alphabet="<>&\"'ab €−\U0001f600"),
        st.integers(),
        st.floats(),
        st.none(),
        st.booleans(),
        st.text().map(markupsafe.Markup),
        st.text().map(markupsafe.escape),
        st.just(Html()),
        st.tuples(st.text()),
    )

    @settings(max_examples=400, deadline=None)
    @given(values)
    def check(value):
        written = pages.escape_text(value)
        assert isinstance(written, str)
        assert str(written) == str(markupsafe.escape(value))

    check()
    with pytest.raises(jinja2.UndefinedError):
        pages.escape_text(jinja2.StrictUndefined(name="missing"))


def test_packaged_pages_with_any_text_are_what_a_show_copy_of_every_template_renders(show):
    """The package's pages take the short ways (values escaped by escape_text, shared parts
    written inline and kept, list rows made of ListedView, pieces encoded one by one); a show
    copy of every template renders each page the long way, in the sandbox, part by part. With
    any text (markup characters, characters past Latin-1 and the BMP) they write the same bytes."""
    import shutil

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from podcast.model import Chapter

    base, _ = read_show(show.root)
    packaged = Path(pages.__file__).parent / "templates"
    templates = show.root / "templates"
    text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
    markupish = st.text(alphabet="<>&\"' aZ·−×…é\U0001f600\u2028", max_size=20)
    words = st.one_of(text, markupish)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(titles=st.lists(words, min_size=1, max_size=4), summary=words, host=words, chapter=words)
    def check(titles, summary, host, chapter):
        episodes = [_episode(n, show.root) for n in range(1, 53)]  # two list pages
        notes = ShowNotes(sections=(), html=f"<p>{summary}</p>", description_html="", text=summary)
        for n, title in enumerate(titles):
            episodes[n] = dataclasses.replace(
                episodes[n], title=title, hosts=(host,), notes=notes, chapters=(Chapter(1.5, chapter),)
            )
        episodes[-1] = dataclasses.replace(episodes[-1], audio=None, info=None)  # no player, no script
        shutil.rmtree(templates, ignore_errors=True)
        ours = pages.render(base, episodes)
        shutil.copytree(packaged, templates)
        try:
            theirs = pages.render(base, episodes)
        finally:
            shutil.rmtree(templates)
        assert ours.keys() == theirs.keys() and len(ours) == 52 + 2
        for path, html in ours.items():
            assert theirs[path] == html, path

    check()


def test_a_summary_is_the_first_words_of_any_text_one_space_apart():
    """An episode's summary (what its pages show of its notes, and what a build keeps of them:
    summary_source) sees a text that is its own summary without splitting it: for any text, it
    is the one the long way makes, its first words joined by one space, " …" when there are more."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    limit = pages.SUMMARY_WORDS

    def long_way(text: str) -> str:
        words = text.split()
        return " ".join(words[:limit]) + (" …" if len(words) > limit else "")

    spaces = " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2028\u2029\u3000"
    word = st.text(alphabet=st.sampled_from("ab…\u200b\ufeffé"), min_size=1, max_size=3)
    gap = st.text(alphabet=st.sampled_from(spaces), min_size=1, max_size=2)

    @st.composite
    def texts(draw):
        count = draw(st.sampled_from([0, 1, limit - 1, limit, limit + 1, limit + 2, 60]))
        words = [draw(word) for _ in range(count)]
        if draw(st.booleans()):  # one space apart, as a kept summary is, and maybe a " …" last
            text = " ".join(words) + draw(st.sampled_from(["", " …", "…"]))
        else:
            text = "".join(w + draw(gap) for w in words)
        return draw(st.sampled_from(["", " ", "\n"])) + text

    @settings(max_examples=600, deadline=None)
    @given(st.one_of(texts(), st.text()))
    def check(text):
        summary = pages.summary_source(text)
        assert summary == long_way(text)
        assert pages.summary_source(summary) == summary  # a build keeps the summary: its own

    check()
