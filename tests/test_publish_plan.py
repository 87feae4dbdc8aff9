"""The plan: what goes up, in which order, and what is only checked."""

from __future__ import annotations

import pytest

from podcast import pipeline
from podcast.publish.checksums import Checksums
from podcast.publish.destination import Stored
from podcast.publish.enclosures import Enclosure, read_enclosures, same_type
from podcast.publish.plan import decide, media_key, wanted
from podcast.publish.record import Record


def test_audio_hosted_elsewhere_is_checked_but_never_uploaded(show):
    show.add("one")
    catalog = pipeline.build(show.root).catalog
    remote = Enclosure("https://audio.example.net/shows/ep.mp3", 1000, "audio/mpeg", "Remote")
    enclosures = [*read_enclosures(show.feed.read_bytes()), remote]

    uploads = wanted(catalog.show, catalog.published, enclosures)

    assert [u.key for u in uploads] == [
        "media/one/one.mp3",
        "episodes/one/index.html",
        "index.html",
        "feed.xml",
    ]
    assert media_key(catalog.show, remote.url) is None


def test_audio_under_base_url_without_a_local_file_is_only_checked_and_never_pruned(show):
    # Remote audio whose URL happens to lie under base_url (a show imported from its own host).
    show.add("one")
    catalog = pipeline.build(show.root).catalog
    hosted = Enclosure("https://cdn.example.com/show/media/old/old.mp3", 10, "audio/mpeg", "Old")
    enclosures = [*read_enclosures(show.feed.read_bytes()), hosted]
    uploads = wanted(catalog.show, catalog.published, enclosures)
    assert [u.key for u in uploads] == [
        "media/one/one.mp3",
        "episodes/one/index.html",
        "index.html",
        "feed.xml",
    ]

    there = {"media/old/old.mp3": Stored(10), "media/gone/gone.mp3": Stored(5)}
    plan = decide(uploads, there, Record(), enclosures, catalog.show, Checksums(show.root))

    assert plan.unused == ("media/gone/gone.mp3",)


def test_uploads_go_media_first_then_sidecars_then_the_feed(show):
    show.add("b", date="2025-01-02")
    show.add("a", date="2025-01-01")
    (show.root / "episodes" / "a" / "transcript.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHi.\n")
    catalog = pipeline.build(show.root).catalog

    uploads = wanted(catalog.show, catalog.published, read_enclosures(show.feed.read_bytes()))

    assert [u.key for u in uploads] == [
        "media/b/b.mp3",
        "media/a/a.mp3",
        "episodes/a/index.html",  # the web pages are sidecars too
        "episodes/b/index.html",
        "index.html",
        "transcripts/a.vtt",
        "feed.xml",
    ]
    assert [u.cache_control for u in uploads] == [
        "public, max-age=31536000, immutable",
        "public, max-age=31536000, immutable",
        "public, max-age=300",
        "public, max-age=300",
        "public, max-age=300",
        "public, max-age=3600",
        "public, max-age=300",
    ]


@pytest.mark.parametrize(
    ("served", "said", "same"),
    [
        ("audio/mpeg", "audio/mpeg", True),
        ("audio/mp4", "audio/x-m4a", True),
        ("audio/mpeg; charset=binary", "audio/mpeg", True),
        ("application/octet-stream", "audio/mpeg", False),
        (None, "audio/mpeg", False),
        ("audio/x-m4a", "audio/mpeg", False),
    ],
)
def test_types_that_name_the_same_format_match(served, said, same):
    assert same_type(served, said) is same
