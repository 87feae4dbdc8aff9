"""Remote audio: an episode names its audio by URL (audio_url, length, type, duration)."""

from __future__ import annotations

import io

import podcastparser
import pytest

from podcast import pipeline
from podcast.errors import PodcastError

REMOTE = (
    'audio_url = "https://media.oldhost.example/ep1.mp3"\n'
    "length = 48163712\n"
    'type = "audio/mpeg"\n'
    'duration = "00:42:10"'
)


def parsed(show):
    return podcastparser.parse("https://cdn.example.com/show/feed.xml", io.BytesIO(show.feed.read_bytes()))


def test_the_enclosure_is_what_the_front_matter_says(show):
    show.add("remote", audio=False, extra=REMOTE)
    pipeline.build(show.root)
    (episode,) = parsed(show)["episodes"]
    (enclosure,) = episode["enclosures"]
    assert enclosure == {
        "url": "https://media.oldhost.example/ep1.mp3",
        "file_size": 48163712,
        "mime_type": "audio/mpeg",
    }
    assert episode["total_time"] == 42 * 60 + 10
    assert episode["guid"] == "guid-remote-0000"


def test_unknown_duration_leaves_itunes_duration_out(show):
    show.add("remote", audio=False, extra=REMOTE.rsplit("\n", 1)[0])
    pipeline.build(show.root)
    assert b"itunes:duration" not in show.feed.read_bytes()


def test_remote_and_local_episodes_side_by_side(show):
    show.add("local", date="2025-01-01")
    show.add("remote", date="2025-01-02", audio=False, extra=REMOTE)
    pipeline.build(show.root)
    urls = [e["enclosures"][0]["url"] for e in parsed(show)["episodes"]]
    assert urls == [
        "https://media.oldhost.example/ep1.mp3",
        "https://cdn.example.com/show/media/local/local.mp3",
    ]


def test_a_local_file_swapped_in_wins_and_the_guid_stays(show):
    folder = show.add("remote", audio=False, extra=REMOTE)
    pipeline.build(show.root)
    (folder / "ep1.mp3").write_bytes(show.mp3(3.0).read_bytes())
    text = (folder / "episode.md").read_text("utf-8")
    (folder / "episode.md").write_text(text.replace("+++\n", '+++\naudio = "ep1.mp3"\n', 1), "utf-8")
    pipeline.build(show.root)
    (episode,) = parsed(show)["episodes"]
    assert episode["enclosures"][0]["url"] == "https://cdn.example.com/show/media/remote/ep1.mp3"
    assert episode["total_time"] == 3
    assert episode["guid"] == "guid-remote-0000"


def test_missing_length_and_type_are_each_reported(show):
    show.add("remote", audio=False, extra='audio_url = "https://media.oldhost.example/ep1.mp3"')
    show.add("stray", extra="length = 12")
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    said = [str(p) for p in caught.value.problems]
    assert any("episodes/remote/episode.md" in s and "length: missing" in s for s in said)
    assert any("episodes/remote/episode.md" in s and "type: missing" in s for s in said)
    assert any("episodes/stray/episode.md" in s and "length: describes audio_url" in s for s in said)
    assert not show.feed.exists()


def test_bad_values_name_the_field(show):
    show.add("remote", audio=False, extra=REMOTE.replace("48163712", '"big"').replace("audio/mpeg", "mp3"))
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    said = "\n".join(str(p) for p in caught.value.problems)
    assert "length: expected the size in bytes" in said
    assert 'type: "mp3" is not a MIME type' in said
