"""Import our own built feed, build again: the feed says the same things. And an import killed
midway leaves a show directory that a second import completes."""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import podcastparser
import pytest
import requests
from conftest import ShowDir
from lxml import etree
from werkzeug.wrappers import Response

from podcast import pipeline, scaffold
from podcast.feed.podcastindex import PODCAST_NS
from podcast.importer import import_feed


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


def serve_show(httpserver, root: Path, prefix: str = "/show/", slow: dict | None = None):
    """Serve a built show as `podcast publish` lays it out: feeds/ at the base, audio under media/.

    Byte ranges are honoured; a path in `slow` trickles out (while slow["on"] is true).
    """
    seen: list[tuple[str, str | None]] = []

    def handler(request):
        relative = request.path[len(prefix) :]
        seen.append((request.path, request.headers.get("Range")))
        parts = relative.split("/")
        path = root / "episodes" / Path(*parts[1:]) if parts[0] == "media" else root / "feeds" / relative
        if not path.is_file():
            return Response("not found", status=404)
        data = path.read_bytes()
        start = 0
        match = re.match(r"bytes=(\d+)-", request.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
        headers = {"Content-Length": str(len(data) - start), "Accept-Ranges": "bytes"}
        if slow and slow["on"] and request.path in slow["paths"]:

            def trickle():
                for offset in range(start, len(data), 1024):
                    yield data[offset : offset + 1024]
                    time.sleep(0.3)

            return Response(trickle(), status=206 if start else 200, headers=headers)
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            return Response(data[start:], status=206, headers=headers)
        return Response(data, headers=headers)

    httpserver.expect_request(re.compile("^" + re.escape(prefix))).respond_with_handler(handler)
    return seen


@pytest.fixture
def published(httpserver, tmp_path, mp3_factory):
    """Our show, built and served over loopback: chapters from a file and from notes, a transcript."""
    base = httpserver.url_for("/show/")
    root = tmp_path / "ours"
    scaffold.init_show(
        root,
        title="Round Trip",
        author="Ann Host",
        owner_email="ann@example.com",
        base_url=base,
        link="https://example.com/",
        category="Health & Fitness > Medicine",
        description="Ours.",
    )
    show = ShowDir(root, mp3_factory)
    first = show.add(
        "first",
        title="First Light",
        date="2025-01-01",
        seconds=6.0,
        extra="season = 1\nepisode = 1\nexplicit = true",
    )
    (first / "chapters.json").write_text(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [
                    {"startTime": 0, "title": "Opening"},
                    {"startTime": 2.5, "title": "Middle", "url": "https://example.com/m"},
                ],
            }
        )
    )
    (first / "transcript.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello there.\n")
    show.add(
        "second",
        title="Second Wind",
        date="2025-02-03T09:30:00-05:00",
        seconds=4.0,
        article="Notes with times.\n\n00:00 Start\n00:02 Next\n",
        extra='episode_type = "bonus"\nlicense = "cc-by-4.0"\n'
        '[[soundbite]]\nstart = 1.0\nduration = 2.0\ntitle = "Best bit"\n'
        '[[location]]\nname = "Austin, TX"\ngeo = "geo:30.2672,-97.7431"',
    )
    show.add(
        "third",
        title="Third & Last",
        date="2025-03-04",
        seconds=3.0,
        article="<p>Some <b>bold</b> notes with a <a href='https://example.com/x'>link</a>.</p>",
    )
    pipeline.build(root, force=True)
    serve_show(httpserver, root)
    return show


def items(root: Path) -> list[dict]:
    feed = podcastparser.parse("file", io.BytesIO((root / "feeds" / "feed.xml").read_bytes()))
    return feed["episodes"]


def fetched(url: str) -> bytes:
    return requests.get(url, timeout=5).content


def test_import_our_built_feed_and_build_again_says_the_same(published, tmp_path):
    ours = published.root
    theirs = tmp_path / "imported"
    report = import_feed(published_feed_url(ours), theirs)
    assert not report.problems, report.problems
    pipeline.build(theirs, force=True)
    before, after = items(ours), items(theirs)
    assert len(before) == len(after) == 3
    for old, new in zip(before, after, strict=True):
        keys = (
            "guid",
            "title",
            "published",
            "total_time",
            "enclosures",
            "explicit",
            "season",
            "number",
            "type",
        )
        for key in keys:
            assert old.get(key) == new.get(key), (key, old.get(key), new.get(key))
        assert old["description"] == new["description"]
        assert old.get("chapters") == new.get("chapters")  # Podlove Simple Chapters, inline
    old_xml, new_xml = (r / "feeds" / "feed.xml" for r in (ours, theirs))
    assert podcast_tags(old_xml) == podcast_tags(new_xml)
    assert ("soundbite", (("duration", "2.0"), ("startTime", "1.0")), "Best bit") in podcast_tags(old_xml)[1]
    old_t = re.findall(r'<podcast:transcript url="([^"]+)"', old_xml.read_text())
    new_t = re.findall(r'<podcast:transcript url="([^"]+)"', new_xml.read_text())
    assert len(old_t) == len(new_t) == 1
    assert (theirs / "feeds" / new_t[0].split("/show/", 1)[1]).read_bytes() == fetched(old_t[0])
    assert (
        tomllib.loads((theirs / "podcast.toml").read_text())["guid"]
        == tomllib.loads((ours / "podcast.toml").read_text())["guid"]
    )
    # Same chapters JSON for every episode that has chapters.
    for old, new in zip(
        sorted((ours / "feeds" / "chapters").glob("*.json")),
        sorted((theirs / "feeds" / "chapters").glob("*.json")),
        strict=True,
    ):
        assert json.loads(old.read_text()) == json.loads(new.read_text())


def podcast_tags(feed: Path) -> list[list[tuple]]:
    """Each item's podcast:soundbite, location and license: (name, attributes, text)."""
    items_ = etree.fromstring(feed.read_bytes()).iter("item")
    names = {f"{{{PODCAST_NS}}}{n}" for n in ("soundbite", "location", "license")}
    return [
        [(e.tag.split("}")[1], tuple(sorted(e.attrib.items())), e.text) for e in item if e.tag in names]
        for item in items_
    ]


def published_feed_url(root: Path) -> str:
    return tomllib.loads((root / "podcast.toml").read_text())["base_url"] + "feed.xml"


def test_an_import_killed_midway_is_completed_by_the_next(published, httpserver, tmp_path):
    ours = published.root
    slow = {"on": True, "paths": {"/show/media/first/first.mp3"}}
    httpserver.clear()
    seen = serve_show(httpserver, ours, slow=slow)
    theirs = tmp_path / "imported"
    command = [
        sys.executable,
        "-c",
        "from podcast.cli import main; main()",
        "import",
        published_feed_url(ours),
        "--into",
        str(theirs),
        "--download",
        "--quiet",
    ]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    part = None
    for _ in range(200):  # wait until the slow download has begun, at most 20 s
        part = next(iter(theirs.glob("episodes/*/*.part")), None)
        if part is not None and part.stat().st_size > 0:
            break
        time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert part is not None and part.is_file(), "the import was killed before it began downloading"
    assert not (part.parent / "episode.md").exists()  # that episode is not in the show yet

    slow["on"] = False
    report = import_feed(published_feed_url(ours), theirs, download=True)
    assert not report.problems, report.problems
    assert any(path == "/show/media/first/first.mp3" and rng for path, rng in seen), "resumed with Range"
    guids = [
        tomllib.loads(md.read_text().split("+++\n")[1])["guid"] for md in theirs.glob("episodes/*/episode.md")
    ]
    assert sorted(guids) == sorted(e["guid"] for e in items(ours))
    assert not list(theirs.rglob("*.part"))
    for md in theirs.glob("episodes/*/episode.md"):
        audio = tomllib.loads(md.read_text().split("+++\n")[1])["audio"]
        original = next((ours / "episodes").glob(f"*/{audio}"))
        assert (md.parent / audio).read_bytes() == original.read_bytes()
    pipeline.build(theirs, force=True)
    assert [e["guid"] for e in items(theirs)] == [e["guid"] for e in items(ours)]
