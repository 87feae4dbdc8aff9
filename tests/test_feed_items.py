"""Feed items written as text (feed.ItemRenderer) are the bytes feedgen and lxml write.

The build writes each item as text, several times cheaper than building it with feedgen; the
feedgen path (feed.FeedgenItemRenderer) stays as the reference. Here both render the same
episodes, varied in every field the item has and in the characters of every value, and must
give the same bytes; a value lxml refuses must fail the same way on both.
"""

from __future__ import annotations

import dataclasses
import io
import random
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import feedparser
import podcastparser
import pytest
from fuzzing import FUZZ
from hypothesis import assume, given
from hypothesis import strategies as st
from lxml import etree

from podcast import feed
from podcast.feed.item import enclosure_url, item_fields, rfc2822, to_entry
from podcast.model import (
    AlternateAudio,
    AudioInfo,
    Chapter,
    Episode,
    License,
    Location,
    Person,
    RemoteAudio,
    Show,
    ShowNotes,
    Soundbite,
    Transcript,
)

PSC_NS = "http://podlove.org/simple-chapters"

# Characters lxml writes escaped, or as they are, in text, attributes and CDATA.
ODD = [
    "&", "<", ">", '"', "'", "\r", "\n", "\t", "\r\n", "]]>", "]]", "]", "&amp;", "&#13;", "<![CDATA[",
    "é", "ß", "’", "—", "\u00a0", "\u00ad", "\u0085", "\u2028", "\u200d", "\u007f", "\ufffd", "\ufeff",
    "日本語", "עברית", "😀", "👩‍👩‍👧", "e\u0301", "%20", "%", "?a=1&b=2", "#frag", " ", "  ", "",
]  # fmt: skip


def odd_text(rng: random.Random, words: int = 4) -> str:
    parts = []
    for _ in range(rng.randint(1, words)):
        parts.append(rng.choice(["Plain", "words here", "Ünïcödé", rng.choice(ODD), rng.choice(ODD)]))
    return "".join(parts)


def maybe(rng: random.Random, value):
    return value if rng.random() < 0.5 else None


def a_show(rng: random.Random, **changes) -> Show:
    values = dict(
        root=Path("/nowhere/show"),
        title="Show & Tell <live>",
        description="About things.",
        author=odd_text(rng) or "Author",
        owner_name="Owner",
        owner_email="owner@example.com",
        language="en",
        link="https://example.com/",
        base_url=rng.choice(
            ["https://cdn.example.com/show/", "https://cdn.example.com", "http://x.test/a b/"]
        ),
        guid="9b1f3c1e-6a54-5d0a-8f0e-0d5c2a7e4b11",
        explicit=rng.random() < 0.5,
        simple_chapters=rng.random() < 0.5,
        enclosure_prefix=rng.choice([None, "https://dts.example.com/redirect.mp3/"]),
    )
    values.update(changes)
    return Show(**values)


def a_date(rng: random.Random) -> datetime:
    zone = rng.choice(
        [
            UTC,
            timezone(timedelta(hours=2)),
            timezone(timedelta(hours=-5, minutes=-30)),
            timezone(timedelta(hours=5, minutes=45)),
            timezone(timedelta(hours=-1, seconds=-7)),
            timezone(timedelta(minutes=59, seconds=59, microseconds=5)),
        ]
    )
    return datetime(rng.choice([999, 1970, 2003, 2025]), rng.randint(1, 12), rng.randint(1, 28),
                    rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59), tzinfo=zone)  # fmt: skip


def an_info(rng: random.Random, suffix: str) -> AudioInfo:
    return AudioInfo(
        size=rng.choice([0, 1, 60859, 10**10]),
        mime=rng.choice(["audio/mpeg", "audio/mp4", "audio/ogg; codecs=opus"]),
        duration=rng.choice([0.0, 0.4, 45.5, 3599.9]),
        format=suffix,
        bitrate=rng.choice([None, 0, 32000, 128499]),
    )


def notes(rng: random.Random) -> ShowNotes | None:
    html = rng.choice(["", "<p>Short.</p>", f"<h2>{odd_text(rng)}</h2>\n<p>{odd_text(rng, 9)}</p>" * 3])
    description = rng.choice(["", html, f"<p>{odd_text(rng, 9)}</p>"])
    if not html and rng.random() < 0.5:
        return None
    return ShowNotes(sections=(), html=html, description_html=description, text="")


def an_episode(rng: random.Random, number: int) -> Episode:
    slug = rng.choice([f"ep-{number}", f"épisode {number}", f"ep%{number}#x"])
    audio = rng.choice(["audio.mp3", "my audio (final).mp3", "звук.m4a", "a&b.mp3"])
    remote = rng.random() < 0.15
    chapters = tuple(
        Chapter(
            start=rng.choice([0.0, 1.0005, 61.25, 3725.999]),
            title=odd_text(rng),
            url=maybe(rng, "https://example.com/?a=1&b=" + odd_text(rng, 1)),
            image=rng.choice([None, "https://img.example.com/c.jpg", f"chapters/{slug} image.png"]),
        )
        for _ in range(rng.choice([0, 0, 1, 3]))
    )
    return Episode(
        slug=slug,
        source=f"episodes/{slug}/episode.md",
        title=odd_text(rng) or "Title",
        date=a_date(rng),
        guid=rng.choice([odd_text(rng), f"urn:uuid:{number}", "a\u00a0b"]),
        audio=None if remote else Path(audio),
        remote_audio=RemoteAudio(
            url=f"https://remote.example.com/{number}.mp3?x=1&y=2", length=9, type="audio/mpeg"
        )
        if remote
        else None,
        season=maybe(rng, rng.randint(0, 30)),
        number=maybe(rng, rng.randint(0, 3000)),
        episode_type=rng.choice(["full", "trailer", "bonus"]),
        explicit=rng.choice([None, True, False]),
        hosts=tuple(odd_text(rng, 2) for _ in range(rng.choice([0, 1, 2]))),
        link=rng.choice([None, "", f"https://example.com/episodes/{number}?a=1&b=<2>"]),
        persons=tuple(
            Person(
                name=odd_text(rng),
                role=rng.choice(["host", "guest", 'a "role"']),
                group=rng.choice(["cast", "writing"]),
                href=maybe(rng, "https://example.com/p?x=1&y=2"),
                img=maybe(rng, "https://example.com/p.jpg"),
            )
            for _ in range(rng.choice([0, 1, 2]))
        ),
        soundbites=tuple(
            Soundbite(
                start=rng.choice([0.0, 12.5, 73.0]),
                duration=rng.choice([15.0, 30.25]),
                title=maybe(rng, odd_text(rng)),
            )
            for _ in range(rng.choice([0, 1, 2]))
        ),
        alternate_audio=tuple(
            AlternateAudio(path=Path(name), info=maybe(rng, an_info(rng, name.rsplit(".", 1)[1])))
            for name in rng.sample(["alt.ogg", "alt file.opus", "alt.m4a", "alt.flac"], rng.choice([0, 1, 2]))
        ),
        locations=tuple(
            Location(
                name=odd_text(rng),
                geo=maybe(rng, "geo:30.2672,-97.7431"),
                osm=maybe(rng, "R113314"),
                country=maybe(rng, "us"),
                rel=maybe(rng, "subject"),
            )
            for _ in range(rng.choice([0, 1]))
        ),
        license=maybe(
            rng, License(identifier=odd_text(rng, 1) or "cc-by-4.0", url=maybe(rng, "https://l.example/?a&b"))
        ),
        itunes_title=rng.choice([None, "", odd_text(rng)]),
        image=rng.choice([None, "cover.jpg", "https://img.example.com/e.PNG?x=1&y=2"]),
        info=None if rng.random() < 0.05 else an_info(rng, audio.rsplit(".", 1)[1]),
        notes=notes(rng),
        transcripts=tuple(
            Transcript(
                path=Path("t.vtt"),
                mime=rng.choice(["text/vtt", "application/x-subrip", "text/html"]),
                language=maybe(rng, rng.choice(["en", "pt-BR"])),
                captions=rng.random() < 0.5,
                publish_path=f"transcripts/{slug}/{rng.choice(['t.vtt', 'a b.srt'])}",
            )
            for _ in range(rng.choice([0, 1, 2]))
        ),
        chapters=chapters,
    )


def both(show: Show, episode: Episode) -> tuple[bytes, bytes]:
    return feed.ItemRenderer(show).render(episode), feed.FeedgenItemRenderer(show).render(episode)


def test_varied_items_are_written_byte_for_byte_as_feedgen_writes_them():
    rng = random.Random(12)
    shows = [a_show(rng) for _ in range(8)]
    seen_tags: set[str] = set()
    for number in range(600):
        show = shows[number % len(shows)]
        episode = an_episode(rng, number)
        fast, reference = both(show, episode)
        assert fast == reference, (episode, fast.decode(), reference.decode())
        seen_tags.update(re.findall(rb"<([\w:]+)", fast))
    # The episodes reached every tag an item can have.
    assert {
        "title", "link", "description", "content:encoded", "guid", "enclosure", "pubDate",
        "itunes:title", "itunes:author", "itunes:image", "itunes:duration", "itunes:explicit",
        "itunes:episodeType", "itunes:season", "itunes:episode",
        "podcast:season", "podcast:episode", "podcast:transcript", "podcast:person",
        "podcast:soundbite", "podcast:alternateEnclosure", "podcast:source", "podcast:location",
        "podcast:license", "podcast:chapters", "psc:chapters", "psc:chapter",
    } <= {tag.decode() for tag in seen_tags}  # fmt: skip


def test_a_whole_feed_of_text_items_is_the_document_feedgen_makes_of_it():
    rng = random.Random(5)
    show = a_show(rng, simple_chapters=False)
    episodes = [an_episode(rng, number) for number in range(60)]
    # feedgen's own way: every entry added to one generator, the document serialized once.
    ordered = feed.newest_first(episodes)
    generator = feed.channel_generator(show, ordered)
    for episode in ordered:
        to_entry(generator.add_entry(order="append"), item_fields(show, episode))
    whole = generator.rss_str(pretty=True, xml_declaration=True, encoding="UTF-8")
    assert feed.render(show, episodes) == whole


@FUZZ
@given(
    value=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    where=st.sampled_from(["title", "guid", "author", "person", "chapter", "link", "html", "description"]),
)
def test_any_text_anywhere_is_written_as_feedgen_writes_it(value, where):
    rng = random.Random(1)
    show = a_show(rng, simple_chapters=True, author="Author")
    episode = an_episode(random.Random(3), 1)
    html = ShowNotes(sections=(), html="<p>notes</p>", description_html="<p>notes</p>", text="")
    changes = {
        "title": {"title": value or "x"},
        "guid": {"guid": value},
        "author": {"hosts": (value,)},
        "person": {"persons": (Person(name=value, href=value),)},
        "chapter": {"chapters": (Chapter(start=1.0, title=value, url=value),)},
        "link": {"link": value},
        "html": {"notes": ShowNotes(sections=(), html=value, description_html="<p>d</p>", text="")},
        "description": {"notes": ShowNotes(sections=(), html=html.html, description_html=value, text="")},
    }[where]
    episode = dataclasses.replace(episode, **changes)
    try:
        reference = feed.FeedgenItemRenderer(show).render(episode)
    except ValueError as refused:
        with pytest.raises(ValueError) as failed:
            feed.ItemRenderer(show).render(episode)
        assert str(failed.value) == str(refused)
        return
    assert feed.ItemRenderer(show).render(episode) == reference


# Every other value a producer writes into an item (front matter, file names, chapters.json):
# what each becomes, by where it goes.
ITEM_PLACES = {
    "itunes title": lambda v: {"itunes_title": v},
    "episode type": lambda v: {"episode_type": v},
    "image": lambda v: {"image": v},
    "soundbite": lambda v: {"soundbites": (Soundbite(start=1.0, duration=2.5, title=v),)},
    "location": lambda v: {"locations": (Location(name=v, geo=v, osm=v, country=v, rel=v),)},
    "license": lambda v: {"license": License(identifier=v, url=v)},
    "person attributes": lambda v: {"persons": (Person(name="P", role=v, group=v, img=v),)},
    "transcript": lambda v: {
        "transcripts": (Transcript(path=Path("t.vtt"), mime=v, language=v, publish_path=f"t/{v}.vtt"),)
    },
    "remote audio": lambda v: {
        "audio": None,
        "remote_audio": RemoteAudio(url=v, length=1, type="audio/mpeg"),
    },
    "audio file": lambda v: {"audio": Path(f"{v}.mp3")},
    "alternate": lambda v: {
        "alternate_audio": (AlternateAudio(path=Path(f"{v}.ogg"), info=AudioInfo(7, v, 1.0, v, 96000)),)
    },
    "chapter image": lambda v: {"chapters": (Chapter(start=2.0, title=v, image=v or None),)},
}


@FUZZ
@given(value=st.text(max_size=30), where=st.sampled_from(sorted(ITEM_PLACES)))
def test_every_value_of_an_item_is_written_as_feedgen_writes_it_or_refused_as_it_refuses_it(value, where):
    show = a_show(random.Random(8), simple_chapters=True, author="Author")
    episode = an_episode(random.Random(9), 4)
    info = AudioInfo(size=5, mime="audio/mpeg", duration=3.0, format="mp3", bitrate=128000)
    episode = dataclasses.replace(episode, info=info, **ITEM_PLACES[where](value))
    try:
        reference = feed.FeedgenItemRenderer(show).render(episode)
    except ValueError as refused:  # a lone surrogate, a control character
        with pytest.raises(ValueError) as failed:
            feed.ItemRenderer(show).render(episode)
        assert (type(failed.value), str(failed.value)) == (type(refused), str(refused))
        return
    assert feed.ItemRenderer(show).render(episode) == reference


@pytest.mark.parametrize(
    "value", ["a\x01b", "\x00", "tab\x0bform\x0c", "\x1f", "\ufffe", "end\uffff", "lone \ud800", "\udfff"]
)
@pytest.mark.parametrize("where", ["title", "guid", "html", "description", "chapter"])
def test_a_value_lxml_refuses_fails_as_it_does_with_feedgen(value, where):
    rng = random.Random(2)
    show = a_show(rng, simple_chapters=True)
    episode = an_episode(random.Random(4), 2)
    notes = ShowNotes(sections=(), html="<p>n</p>", description_html="<p>n</p>", text="")
    changes = {
        "title": {"title": value},
        "guid": {"guid": value},
        "html": {"notes": dataclasses.replace(notes, html=value)},
        "description": {"notes": dataclasses.replace(notes, description_html=value)},
        "chapter": {"chapters": (Chapter(start=0.0, title=value),)},
    }[where]
    episode = dataclasses.replace(episode, **changes)
    with pytest.raises(ValueError) as refused:
        feed.FeedgenItemRenderer(show).render(episode)
    with pytest.raises(ValueError) as failed:
        feed.ItemRenderer(show).render(episode)
    assert str(failed.value) == str(refused.value)


def test_notes_holding_the_end_of_a_cdata_section_reach_apps_whole():
    show = a_show(random.Random(6), simple_chapters=False)
    episode = an_episode(random.Random(7), 3)
    html = "<p>a]]>b ]]]> c]]>]]></p>"
    notes = ShowNotes(sections=(), html=html, description_html=html, text="")
    episode = dataclasses.replace(episode, notes=notes, title="Brackets", guid="brackets")
    fast, reference = both(show, episode)
    assert fast == reference
    item = etree.fromstring(feed.render(show, [episode])).find("channel/item")
    assert item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") == html
    # The description's own "]]>" is written as "]]&gt;", which HTML reads the same.
    assert item.findtext("description") == html.replace("]]>", "]]&gt;")


def test_dates_are_written_as_feedgen_formats_them():
    from feedgen.util import formatRFC2822  # imported late: it needs lxml.etree imported before

    rng = random.Random(9)
    for _ in range(2000):
        date = a_date(rng)
        assert rfc2822(date) == formatRFC2822(date), date


def test_simple_chapters_in_the_feed_are_written_with_the_psc_prefix_that_apps_look_for():
    rng = random.Random(11)
    show = a_show(rng, simple_chapters=True, enclosure_prefix=None)
    chapters = (Chapter(start=0.0, title="Intro"), Chapter(start=61.5, title="News & views"))
    episode = an_episode(rng, 1)
    episode = dataclasses.replace(episode, chapters=chapters, title="With chapters", guid="with-chapters")
    document = feed.render(show, [episode])
    assert b'<psc:chapter start="00:01:01.500" title="News &amp; views"/>' in document
    assert not re.search(rb"<ns\d+:", document)
    root = etree.fromstring(document)
    titles = root.xpath("//psc:chapter/@title", namespaces={"psc": PSC_NS})
    assert titles == ["Intro", "News & views"]
    assert not feedparser.parse(document).bozo
    parsed = podcastparser.parse("https://cdn.example.com/show/feed.xml", io.BytesIO(document))
    assert [c["title"] for c in parsed["episodes"][0]["chapters"]] == ["Intro", "News & views"]


@FUZZ
@given(name=st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1))
def test_file_names_in_enclosure_urls_are_quoted_as_urllib_quotes_them(name):
    assume(name not in (".", ".."))
    show = a_show(random.Random(8), enclosure_prefix=None, base_url="https://cdn.example.com/show/")
    episode = dataclasses.replace(an_episode(random.Random(9), 4), audio=Path(name), remote_audio=None)
    assert (
        enclosure_url(show, episode)
        == f"https://cdn.example.com/show/{quote(f'media/{episode.slug}/{name}')}"
    )
