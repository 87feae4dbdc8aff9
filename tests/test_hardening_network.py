"""`podcast lint URL` against hostile servers: bounded memory, bounded time, plain words.

A real server on loopback (pytest-httpserver) misbehaves; the lint runs in a child
process limited in address space (tests/bounded.py) or, for the slow server, in a
thread that must finish within the deadline.
"""

from __future__ import annotations

import threading
import time
import zlib

import pytest
from bounded import run_podcast
from werkzeug import Response

from podcast import lint


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)  # loopback by address: the session's one server is made by whoever asks first


MEMORY_MIB = 300  # the old lint reached 3.9 GB on an endless body and 2 GB on a gzip bomb


def endless(request):
    def forever():
        chunk = b"<rss>" + b" " * 65_531
        while True:
            yield chunk

    return Response(forever(), mimetype="application/rss+xml")


def test_an_endless_feed_body_stops_at_the_cap(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_handler(endless)
    outcome = run_podcast("lint", httpserver.url_for("/feed.xml"), memory_mib=MEMORY_MIB, timeout=60)
    assert outcome.returncode == 1
    assert "N101" in outcome.stdout and f"larger than {lint.FEED_MAX_DOWNLOAD:,} bytes" in outcome.stdout


def gzip_bomb(decoded_mib: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    zeros = b"\0" * (1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(decoded_mib)) + packer.flush()


def test_a_gzip_bomb_stops_at_the_decoded_cap(httpserver):
    bomb = gzip_bomb(400)  # about 400 KB on the wire
    httpserver.expect_request("/feed.xml").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="application/rss+xml"
    )
    outcome = run_podcast("lint", httpserver.url_for("/feed.xml"), memory_mib=MEMORY_MIB, timeout=60)
    assert outcome.returncode == 1
    assert "N101" in outcome.stdout and "larger than" in outcome.stdout


def test_a_redirect_loop_is_reported_as_a_loop(httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    outcome = run_podcast("lint", httpserver.url_for("/a"), timeout=30)
    assert outcome.returncode == 1
    assert "N101" in outcome.stdout and "redirect loop" in outcome.stdout


def test_a_server_sending_a_byte_a_second_meets_the_overall_deadline(httpserver):
    def trickle(request):
        def slowly():
            for _ in range(120):
                yield b" "
                time.sleep(0.5)

        return Response(slowly(), mimetype="application/rss+xml")

    httpserver.expect_request("/feed.xml").respond_with_handler(trickle)
    found = []
    worker = threading.Thread(
        target=lambda: found.extend(lint.check_url(httpserver.url_for("/feed.xml"), timeout=1, deadline=2)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=15)  # the old lint read on for a minute: each byte came within the read timeout
    assert not worker.is_alive(), "lint was still reading"
    (problem,) = found
    assert problem.code == "N101" and "no answer within 2 s" in problem.message
