"""The plan: what goes up, in which order, and what is only checked."""

from __future__ import annotations

import pytest

from podcast import pipeline
from podcast.errors import PublishError
from podcast.publish.enclosures import Enclosure, read_enclosures, same_type
from podcast.publish.plan import media_key, wanted


def test_audio_hosted_elsewhere_is_checked_but_never_uploaded(show):
    show.add("one")
    catalog = pipeline.build(show.root).catalog
    remote = Enclosure("https://audio.example.net/shows/ep.mp3", 1000, "audio/mpeg", "Remote")
    enclosures = [*read_enclosures(show.feed.read_bytes()), remote]

    uploads = wanted(catalog.show, catalog.published, enclosures)

    assert [u.key for u in uploads] == ["media/one/one.mp3", "feed.xml"]
    assert media_key(catalog.show, remote.url) is None


def test_the_feed_naming_audio_no_episode_has_is_refused(show):
    show.add("one")
    catalog = pipeline.build(show.root).catalog
    ghost = Enclosure("https://cdn.example.com/show/media/gone/gone.mp3", 10, "audio/mpeg", "Gone")

    with pytest.raises(PublishError, match='names audio that no episode has: "Gone"'):
        wanted(catalog.show, catalog.published, [ghost])


def test_uploads_go_media_first_then_sidecars_then_the_feed(show):
    show.add("b", date="2025-01-02")
    show.add("a", date="2025-01-01")
    (show.root / "episodes" / "a" / "transcript.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHi.\n")
    catalog = pipeline.build(show.root).catalog

    uploads = wanted(catalog.show, catalog.published, read_enclosures(show.feed.read_bytes()))

    assert [u.key for u in uploads] == ["media/b/b.mp3", "media/a/a.mp3", "transcripts/a.vtt", "feed.xml"]
    assert [u.cache_control for u in uploads] == [
        "public, max-age=31536000, immutable",
        "public, max-age=31536000, immutable",
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
