"""Publishing never makes the live show worse: an upload killed midway leaves the old feed
live and complete, the next publish finishes the job, and a destination that refuses
writes leaves the live feed byte for byte as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import feedparser
import pytest
import requests
from conftest import run
from publish_servers import PUBLISHER, HoldingRelay, add_episode, aws_env, make_show

from podcast import pipeline

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
    assert run("publish", str(show.root), env=env).exit_code == 0
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
    result = run("publish", str(show.root), env=env)

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
    assert run("publish", str(show.root)).exit_code == 0
    live = (web_root.folder / "feed.xml").read_bytes()
    add_episode(show, "second", date="2025-02-01")
    pipeline.build(show.root)
    (web_root.folder / "media" / "second").write_text("a file where the folder must go")

    result = run("publish", str(show.root))

    assert result.exit_code == 1
    assert f"{web_root.folder}: cannot write media/second/second.mp3" in result.stderr
    assert "in the way at the destination; move it" in result.stderr  # not "may this account write"
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert (web_root.folder / "feed.xml").read_bytes() == live
    assert_complete(public_feed(web_root.url + "feed.xml"))


class HoldingHub:
    """A WebSub hub on 127.0.0.1 that records each publish ping and, while `holding`, does not
    answer it: a publish stuck at its pings, where the test can kill it."""

    def __init__(self) -> None:
        self.heard: list[dict[str, list[str]]] = []
        self.arrived = threading.Event()
        self.holding = True
        self.release = threading.Event()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hub.heard.append(parse_qs(body.decode("ascii")))
                hub.arrived.set()
                if hub.holding:
                    hub.release.wait()
                try:
                    self.send_response(204)
                    self.end_headers()
                except OSError:
                    pass  # the publish that sent it was killed meanwhile

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_publish_killed_before_its_pings_sends_them_on_the_next_run(tmp_path, web_root, mp3_factory):
    hub = HoldingHub()
    try:
        show = make_show(
            tmp_path / "show",
            web_root.url,
            mp3_factory,
            tables=f'[publish]\nto = "{web_root.folder}"\nhubs = ["{hub.url}"]\npubnotify = false\n',
        )
        add_episode(show, "first")
        pipeline.build(show.root)
        process = subprocess.Popen(
            [*PUBLISH, str(show.root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            assert hub.arrived.wait(60), "the publish never reached its ping"
        finally:
            process.kill()
            process.wait(10)
        assert (web_root.folder / "feed.xml").read_bytes() == show.feed.read_bytes()  # the feed is live

        hub.holding = False
        result = run("publish", str(show.root))

        assert result.exit_code == 0, result.stderr
        feed_url = web_root.url + "feed.xml"
        assert hub.heard == [{"hub.mode": ["publish"], "hub.url": [feed_url]}] * 2
        assert f"told {hub.url}" in result.stdout

        again = run("publish", str(show.root))
        assert again.exit_code == 0 and len(hub.heard) == 2  # told once is enough
    finally:
        hub.stop()
