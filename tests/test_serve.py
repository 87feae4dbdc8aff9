"""`podcast serve`: the preview over real HTTP on loopback, as a podcast app or a browser reaches it."""

from __future__ import annotations

import gzip
import http.client
import os
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import feedparser
import pytest
import requests
from conftest import run

from podcast.serve.preview import PREVIEW_DIR, PreviewServer


@pytest.fixture
def preview(show):
    folder = show.add("first", title="First Light", seconds=4)
    (folder / "transcript.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello.\n")
    messages: list[str] = []
    server = PreviewServer(show.root, host="127.0.0.1", port=0, say=messages.append)
    server.build()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.messages = messages
    server.show = show
    yield server
    server.stop()
    thread.join(5)


def raw_get(server, path: str) -> tuple[int, bytes]:
    """A request with the path exactly as written: no client normalises the dots away."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def audio_bytes(preview) -> bytes:
    return (preview.show.root / "episodes" / "first" / "first.mp3").read_bytes()


def test_the_preview_feed_and_pages_point_at_the_preview_server(preview):
    assert preview.url.startswith("http://127.0.0.1:")
    response = requests.get(preview.url + "feed.xml", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/rss+xml")
    (entry,) = feedparser.parse(response.content).entries
    enclosure = entry.enclosures[0]["href"]
    assert enclosure == preview.url + "media/first/first.mp3"
    assert entry.link == preview.url + "episodes/first/"
    page = requests.get(entry.link, timeout=5)
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f'src="{enclosure}"' in page.text
    audio = requests.get(enclosure, timeout=5)
    assert audio.headers["Content-Type"] == "audio/mpeg"
    assert audio.content == audio_bytes(preview)


def test_feeds_is_not_touched_by_the_preview(preview):
    assert not (preview.show.root / "feeds" / "feed.xml").exists()
    assert (preview.show.root / PREVIEW_DIR / "feed.xml").is_file()


def test_byte_ranges_suffix_ranges_and_unsatisfiable_ranges(preview):
    url = preview.url + "media/first/first.mp3"
    data = audio_bytes(preview)
    part = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=5)
    assert part.status_code == 206
    assert part.content == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = requests.get(url, headers={"Range": "bytes=-64"}, timeout=5)
    assert tail.status_code == 206 and tail.content == data[-64:]
    beyond = requests.get(url, headers={"Range": f"bytes={len(data) + 10}-"}, timeout=5)
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(data)}"


def test_etag_and_last_modified_give_304(preview):
    for path in ("media/first/first.mp3", "feed.xml", "episodes/first/"):
        first = requests.get(preview.url + path, timeout=5)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        again = requests.get(preview.url + path, headers={"If-None-Match": etag}, timeout=5)
        assert again.status_code == 304 and again.content == b"", path
        since = requests.get(preview.url + path, headers={"If-Modified-Since": modified}, timeout=5)
        assert since.status_code == 304, path


def test_head_answers_the_headers_without_the_body(preview):
    url = preview.url + "media/first/first.mp3"
    response = requests.head(url, timeout=5)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(audio_bytes(preview))
    assert response.content == b""
    assert response.headers["Accept-Ranges"] == "bytes"


def test_xml_and_html_are_gzipped_for_clients_that_take_it_and_audio_is_not(preview):
    built = (preview.show.root / PREVIEW_DIR / "feed.xml").read_bytes()
    zipped = requests.get(
        preview.url + "feed.xml", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=5
    )
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.raw.read()) == built
    plain = requests.get(preview.url + "feed.xml", headers={"Accept-Encoding": "identity"}, timeout=5)
    assert "Content-Encoding" not in plain.headers and plain.content == built
    page = requests.get(preview.url, headers={"Accept-Encoding": "gzip"}, timeout=5)
    assert page.headers["Content-Encoding"] == "gzip" and "<!DOCTYPE html>" in page.text
    audio = requests.get(
        preview.url + "media/first/first.mp3", headers={"Accept-Encoding": "gzip"}, timeout=5
    )
    assert "Content-Encoding" not in audio.headers


@pytest.mark.parametrize(
    "path",
    [
        "/../podcast.toml",
        "/%2e%2e/podcast.toml",
        "/%2E%2E%2Fpodcast.toml",
        "/..%2f..%2fpodcast.toml",
        "/episodes/../../../podcast.toml",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/media/first/episode.md",
        "/media/first/../../podcast.toml",
        "/media/../podcast.toml",
        "/.%2e/.%2e/podcast.toml",
    ],
)
def test_nothing_outside_the_served_roots_is_served(preview, path):
    status, body = raw_get(preview, path)
    assert status in (400, 404)
    assert b"base_url" not in body and b"root:" not in body


def test_a_symlink_out_of_the_preview_is_not_followed(preview, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    (preview.show.root / PREVIEW_DIR / "leak.txt").symlink_to(secret)
    (preview.show.root / PREVIEW_DIR / "leakdir").symlink_to(tmp_path)
    for path in ("/leak.txt", "/leakdir/secret.txt"):
        status, body = raw_get(preview, path)
        assert status == 404 and b"secret" not in body


def test_only_get_and_head_are_answered(preview):
    assert requests.post(preview.url + "feed.xml", data=b"x", timeout=5).status_code == 405


def test_a_folder_without_its_slash_is_redirected_so_relative_links_work(preview):
    response = requests.get(preview.url + "episodes/first", allow_redirects=False, timeout=5)
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/episodes/first/")


def test_watch_rebuilds_when_an_episode_changes_and_says_what_changed(preview):
    watcher = threading.Thread(target=preview.watch, kwargs={"interval": 0.05}, daemon=True)
    watcher.start()
    time.sleep(0.2)  # the watcher's first look
    episode = preview.show.root / "episodes" / "first" / "episode.md"
    episode.write_text(episode.read_text().replace("First Light", "First Light, Retitled"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not preview.messages:
        time.sleep(0.05)
    assert preview.messages, "no rebuild within 10 s"
    assert "episodes/first/episode.md" in preview.messages[0]
    assert "episodes/first/index.html" in preview.messages[0]
    assert "First Light, Retitled" in requests.get(preview.url + "episodes/first/", timeout=5).text


def test_a_failed_rebuild_is_reported_and_the_last_preview_stays(preview):
    watcher = threading.Thread(target=preview.watch, kwargs={"interval": 0.05}, daemon=True)
    watcher.start()
    time.sleep(0.2)
    episode = preview.show.root / "episodes" / "first" / "episode.md"
    episode.write_text(episode.read_text().replace("date = 2025-01-01", "date = someday"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not preview.messages:
        time.sleep(0.05)
    assert "rebuild failed" in preview.messages[0] and "episode.md" in preview.messages[0]
    assert requests.get(preview.url + "episodes/first/", timeout=5).status_code == 200


def test_the_command_binds_loopback_by_default_and_prints_its_address(show):
    show.add("first", seconds=2)
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "podcast"), "serve", str(show.root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith(f"Serving {show.root} at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split()[0]
        assert requests.get(url + "feed.xml", timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(10)


def test_a_port_in_use_is_a_usage_error_naming_it(show, preview):
    port = urlsplit(preview.url).port
    result = run("serve", show.root, "--port", port)
    assert result.exit_code == 2, result.output
    assert f"127.0.0.1:{port}" in result.output and "--port" in result.output


def test_a_preview_for_the_network_names_an_address_other_devices_can_reach():
    from podcast.serve.preview import preview_url

    assert preview_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert preview_url("::1", 8000) == "http://[::1]:8000/"
    shown = preview_url("0.0.0.0", 8000)
    assert "0.0.0.0" not in shown and shown.endswith(":8000/")


def test_the_preview_serves_its_own_audio_even_behind_an_analytics_prefix(show):
    show.add("first", seconds=2)
    toml = show.root / "podcast.toml"
    prefixed = toml.read_text().replace("[owner]", 'enclosure_prefix = "https://op3.dev/e/"\n\n[owner]', 1)
    toml.write_text(prefixed)
    server = PreviewServer(show.root, port=0, say=lambda text: None)
    try:
        server.build()
        feed = (show.root / PREVIEW_DIR / "feed.xml").read_text()
        assert f'url="{server.url}media/first/first.mp3"' in feed and "op3.dev" not in feed
    finally:
        server.stop()


def test_a_preview_on_another_port_prints_nothing_about_its_own_address(show):
    show.add("first", seconds=2)
    for _ in range(2):  # the second preview has another port than the first
        server = PreviewServer(show.root, port=0, say=lambda text: None)
        try:
            problems = server.build().catalog.problems
        finally:
            server.stop()
        assert not [p for p in problems if server.url in p.message], problems


@pytest.mark.parametrize(
    "path",
    ["/%00", "/feed.xml%00", "/episodes/%00/", "/" + "a" * 5000, "/" + "a/" * 3000, "/media/%00"],
)
def test_a_path_the_system_cannot_name_is_not_found_not_an_internal_error(preview, path):
    status, body = raw_get(preview, path)
    assert status == 404, body[:200]
    assert requests.get(preview.url + "feed.xml", timeout=5).status_code == 200  # and it still serves


@pytest.mark.parametrize("path", ["/feed.xml/", "/index.html/", "/episodes/first/index.html/"])
def test_a_file_asked_for_as_a_folder_is_not_found(preview, path):
    # Served, its relative links would resolve against the wrong folder; the host it goes to says 404.
    status, _ = raw_get(preview, path)
    assert status == 404


def test_ranges_the_server_cannot_answer_as_one_are_answered_with_the_whole_file(preview):
    url = preview.url + "media/first/first.mp3"
    data = audio_bytes(preview)
    for header in ("bytes=0-1,100-101", "bytes=0-1,10-11,20-21", "items=0-5"):
        whole = requests.get(url, headers={"Range": header}, timeout=5)
        assert whole.status_code == 200, header
        assert whole.content == data, header
    # A suffix longer than the file is the whole file (RFC 9110, 14.1.2).
    longer = requests.get(url, headers={"Range": f"bytes=-{len(data) * 2}"}, timeout=5)
    assert longer.status_code == 206
    assert longer.content == data
    assert longer.headers["Content-Range"] == f"bytes 0-{len(data) - 1}/{len(data)}"
    assert requests.get(url, headers={"Range": "bytes=-0"}, timeout=5).status_code == 416  # still nothing


@pytest.mark.parametrize("accept", ["gzip;q=0", "identity, *;q=0", "br"])
def test_a_client_that_refuses_gzip_gets_the_file_as_it_is(preview, accept):
    built = (preview.show.root / PREVIEW_DIR / "feed.xml").read_bytes()
    response = requests.get(
        preview.url + "feed.xml", headers={"Accept-Encoding": accept}, stream=True, timeout=5
    )
    assert "Content-Encoding" not in response.headers
    assert response.raw.read() == built


def test_a_preview_on_every_ipv6_interface_also_answers_on_the_ipv4_address_it_prints():
    # `--host ::` prints (and writes into the feed) this machine's IPv4 address: the socket must
    # take IPv4 too. Checked on the options rather than by binding every interface in a test.
    import socket

    from podcast.serve.preview import bind_options

    if not socket.has_dualstack_ipv6():
        pytest.skip("this system cannot take IPv4 on an IPv6 socket")
    assert bind_options("::") == {"family": socket.AF_INET6, "dualstack_ipv6": True}
    assert bind_options("::1") == {"family": socket.AF_INET6, "dualstack_ipv6": False}
    assert bind_options("127.0.0.1") == {"family": socket.AF_INET}
