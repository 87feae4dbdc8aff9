"""After the feed is live, `podcast publish` tells the WebSub hubs and Podcast Index.

A loopback server (pytest-httpserver) plays both the hub and the pubnotify endpoint;
the tests check what arrived.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import feedparser
import pytest
from conftest import run
from publish_servers import add_episode, make_show
from werkzeug.wrappers import Response

from podcast import pipeline
from podcast.publish import Publication


@pytest.fixture
def show(tmp_path, web_root, mp3_factory, httpserver):
    made = make_show(
        tmp_path / "show",
        web_root.url,
        mp3_factory,
        tables=(
            "[publish]\n"
            f'to = "{web_root.folder}"\n'
            f'hubs = ["{httpserver.url_for("/hub")}"]\n'
            f'pubnotify = "{httpserver.url_for("/pubnotify")}"\n'
        ),
    )
    add_episode(made, "first", sidecars=False)
    pipeline.build(made.root)
    return made


def feed_url(web_root) -> str:
    return web_root.url + "feed.xml"


def test_the_feed_names_each_hub(show, httpserver):
    feed = feedparser.parse(show.feed.read_bytes())
    hubs = [link.href for link in feed.feed.links if link.rel == "hub"]
    assert hubs == [httpserver.url_for("/hub")]


def test_hub_and_pubnotify_hear_of_the_new_feed(show, web_root, httpserver):
    httpserver.expect_oneshot_request("/hub", method="POST").respond_with_data("", status=204)
    httpserver.expect_oneshot_request("/pubnotify", method="GET").respond_with_json({"success": True})

    result = run("publish", str(show.root), "--json")

    assert result.exit_code == 0, result.stderr
    (hub_call, notify_call), _ = zip(*httpserver.log, strict=True)
    assert parse_qs(hub_call.get_data(as_text=True)) == {
        "hub.mode": ["publish"],
        "hub.url": [feed_url(web_root)],
    }
    assert hub_call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert notify_call.args.to_dict() == {"url": feed_url(web_root)}
    pings = json.loads(result.stdout)["pings"]
    assert [(p["kind"], p["ok"]) for p in pings] == [("websub", True), ("pubnotify", True)]


def test_a_busy_hub_is_tried_again(show, web_root, httpserver):
    httpserver.expect_oneshot_request("/hub").respond_with_data("busy", status=503)
    httpserver.expect_oneshot_request("/hub").respond_with_data("", status=204)
    httpserver.expect_oneshot_request("/pubnotify").respond_with_json({"success": True})

    with Publication(show.root) as job:
        report = job.run(ping_backoff=0.05)

    assert [p.ok for p in report.pings] == [True, True]
    assert [r.path for r, _ in httpserver.log] == ["/hub", "/hub", "/pubnotify"]


def test_a_failed_ping_is_reported_and_the_feed_stays_published(show, web_root, httpserver):
    httpserver.expect_request("/hub").respond_with_response(Response("no such topic", status=400))
    httpserver.expect_request("/pubnotify").respond_with_json({"success": True})

    result = run("publish", str(show.root))

    assert result.exit_code == 0
    assert f"warning: websub {httpserver.url_for('/hub')}: HTTP 400" in result.stderr
    assert "(the feed is published)" in result.stderr
    assert (web_root.folder / "feed.xml").read_bytes() == show.feed.read_bytes()


def test_no_ping_tells_nobody(show, httpserver):
    result = run("publish", str(show.root), "--no-ping")
    assert result.exit_code == 0, result.stderr
    assert httpserver.log == []


def test_nobody_is_told_when_the_feed_did_not_change(show, httpserver):
    httpserver.expect_request("/hub").respond_with_data("", status=204)
    httpserver.expect_request("/pubnotify").respond_with_json({"success": True})
    run("publish", str(show.root))
    calls = len(httpserver.log)

    result = run("publish", str(show.root))

    assert result.exit_code == 0 and len(httpserver.log) == calls == 2


def test_a_feed_on_this_machine_is_not_announced_to_the_world(tmp_path, web_root, mp3_factory, httpserver):
    # A local test: Podcast Index (the default) and a hub elsewhere cannot fetch a loopback feed.
    httpserver.expect_request("/hub").respond_with_data("", status=204)
    local = make_show(
        tmp_path / "local",
        web_root.url,
        mp3_factory,
        tables=(
            "[publish]\n"
            f'to = "{web_root.folder}"\n'
            f'hubs = ["https://hub.example.com/", "{httpserver.url_for("/hub")}"]\n'
        ),
    )
    add_episode(local, "first", sidecars=False)
    pipeline.build(local.root)

    result = run("publish", str(local.root), "--json")

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [p["endpoint"] for p in report["pings"]] == [httpserver.url_for("/hub")]
    (warning,) = [w for w in report["warnings"] if "local test address" in w]
    assert "https://hub.example.com/" in warning and "api.podcastindex.org" in warning
