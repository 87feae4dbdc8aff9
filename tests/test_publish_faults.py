"""Publishing never makes the live show worse: an upload killed midway leaves the old feed
live and complete, the next publish finishes the job, and a destination that refuses
writes leaves the live feed byte for byte as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import feedparser
import pytest
import requests
from click.testing import CliRunner
from publish_servers import PUBLISHER, HoldingRelay, add_episode, aws_env, make_show

from podcast import pipeline
from podcast.cli import cli

PUBLISH = [sys.executable, "-c", "from podcast.cli import main; main()", "publish"]


@pytest.fixture
def relay(seaweedfs):
    relay = HoldingRelay(int(seaweedfs.endpoint.rsplit(":", 1)[1]))
    yield relay
    relay.stop()


def public_feed(url: str) -> feedparser.FeedParserDict:
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200
    return feedparser.parse(answer.content)


def assert_complete(feed: feedparser.FeedParserDict) -> None:
    """Every enclosure the feed names is there, whole."""
    assert not feed.bozo
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        audio = requests.get(enclosure.href, timeout=10)
        assert audio.status_code == 200 and len(audio.content) == int(enclosure.length)


def test_an_upload_killed_midway_leaves_the_old_feed_and_the_next_publish_completes(
    tmp_path, seaweedfs, relay, mp3_factory
):
    bucket = seaweedfs.bucket("killed-" + uuid.uuid4().hex[:8])
    base = f"{seaweedfs.endpoint}/{bucket}/show/"
    show = make_show(
        tmp_path / "show",
        base,
        mp3_factory,
        tables=f'[publish]\nto = "s3://{bucket}/show"\nendpoint_url = "{relay.url}"\npubnotify = false\n',
    )
    add_episode(show, "first")
    pipeline.build(show.root)
    env = aws_env(PUBLISHER, tmp_path)
    assert CliRunner().invoke(cli, ["publish", str(show.root)], env=env).exit_code == 0
    old_feed = seaweedfs.body(bucket, "show/feed.xml")

    add_episode(show, "second", seconds=60.0, date="2025-02-01")  # about 240 kB of audio
    pipeline.build(show.root)
    relay.sent, relay.hold_after = 0, 100_000
    process = subprocess.Popen(
        [*PUBLISH, str(show.root)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert relay.held.wait(60), "the upload never reached the relay's hold point"
    finally:
        process.kill()
        process.wait(10)

    assert seaweedfs.body(bucket, "show/feed.xml") == old_feed
    feed = public_feed(base + "feed.xml")
    assert [e.title for e in feed.entries] == ["First"]
    assert_complete(feed)

    relay.hold_after = None
    relay.release.set()
    result = CliRunner().invoke(cli, ["publish", str(show.root)], env=env)

    assert result.exit_code == 0, result.stderr
    feed = public_feed(base + "feed.xml")
    assert [e.title for e in feed.entries] == ["Second", "First"]
    assert_complete(feed)


def test_a_directory_that_refuses_writes_leaves_the_live_feed_byte_identical(tmp_path, web_root, mp3_factory):
    show = make_show(
        tmp_path / "show",
        web_root.url,
        mp3_factory,
        tables=f'[publish]\nto = "{web_root.folder}"\npubnotify = false\n',
    )
    add_episode(show, "first")
    pipeline.build(show.root)
    assert CliRunner().invoke(cli, ["publish", str(show.root)]).exit_code == 0
    live = (web_root.folder / "feed.xml").read_bytes()
    add_episode(show, "second", date="2025-02-01")
    pipeline.build(show.root)
    (web_root.folder / "media" / "second").write_text("a file where the folder must go")

    result = CliRunner().invoke(cli, ["publish", str(show.root)])

    assert result.exit_code == 1
    assert f"{web_root.folder}: cannot write media/second/second.mp3" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert (web_root.folder / "feed.xml").read_bytes() == live
    assert_complete(public_feed(web_root.url + "feed.xml"))
