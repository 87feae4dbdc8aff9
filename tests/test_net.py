"""podcast.net: every fetch is bounded in size, time and redirects, and fails in plain words.

Each test runs a real HTTP server on loopback (pytest-httpserver) that misbehaves the way
hostile or broken servers do.
"""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc

import pytest
from werkzeug import Response

from podcast import net


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture
def client():
    with net.Client(timeout=2.0, deadline=3.0, max_bytes=100_000) as made:
        yield made


def test_get_returns_body_status_and_headers(httpserver, client):
    httpserver.expect_request("/feed.xml").respond_with_data(b"<rss/>", content_type="application/rss+xml")
    response = client.get(httpserver.url_for("/feed.xml"))
    assert response.status == 200
    assert response.body == b"<rss/>"
    assert response.content_type == "application/rss+xml"
    assert response.content_length == 6
    assert response.redirects == ()


def test_http_error_names_the_status(httpserver, client):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    with pytest.raises(net.NetError) as caught:
        client.get(httpserver.url_for("/gone"))
    assert caught.value.status == 404
    assert caught.value.reason == "HTTP 404 NOT FOUND" or caught.value.reason.startswith("HTTP 404")
    assert httpserver.url_for("/gone") in str(caught.value)


def test_check_false_returns_the_error_response(httpserver, client):
    httpserver.expect_request("/gone").respond_with_data("no", status=410)
    assert client.get(httpserver.url_for("/gone"), check=False).status == 410


def test_permanent_redirect_is_followed_and_reported(httpserver, client):
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(b"here")
    response = client.get(httpserver.url_for("/old"))
    assert response.body == b"here"
    assert response.final_url == httpserver.url_for("/new")
    assert response.moved_permanently == httpserver.url_for("/new")


def test_a_move_ends_where_the_permanent_redirects_end(httpserver, client):
    # The feed moved (301) to a host that hands every request on to a CDN (302): the new
    # address is the host's, not the CDN's, which may change or expire.
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("", status=302, headers={"Location": "/cdn?sig=1"})
    httpserver.expect_request("/cdn").respond_with_data(b"here")
    response = client.get(httpserver.url_for("/old"))
    assert response.body == b"here" and response.final_url == httpserver.url_for("/cdn?sig=1")
    assert response.moved_permanently == httpserver.url_for("/new")
    # A temporary hop first: the address asked for is still the feed's own.
    httpserver.expect_request("/tracked").respond_with_data("", status=302, headers={"Location": "/old"})
    assert client.get(httpserver.url_for("/tracked")).moved_permanently is None


def test_temporary_redirect_is_not_a_move(httpserver, client):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data(b"ok")
    assert client.get(httpserver.url_for("/a")).moved_permanently is None


def test_redirect_loop_is_called_a_loop(httpserver, client):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(net.NetError, match="redirect loop"):
        client.get(httpserver.url_for("/a"))


def test_too_many_redirects_are_refused(httpserver):
    for hop in range(10):
        httpserver.expect_request(f"/{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/{hop + 1}"}
        )
    with net.Client(max_redirects=3) as client, pytest.raises(net.NetError, match="more than 3 redirects"):
        client.get(httpserver.url_for("/0"))


def test_redirect_to_another_scheme_is_refused(httpserver, client):
    httpserver.expect_request("/a").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    with pytest.raises(net.NetError, match="only http and https"):
        client.get(httpserver.url_for("/a"))


def test_only_web_urls_are_fetched(client):
    for url in ("file:///etc/passwd", "ftp://example.com/x", "/relative/path", "javascript:alert(1)"):
        with pytest.raises(net.NetError, match="only http and https"):
            client.get(url)


def test_declared_oversized_body_is_refused_before_reading(httpserver, client):
    httpserver.expect_request("/big").respond_with_data(b"x" * 200_000)
    with pytest.raises(net.NetError, match="larger than 100,000 bytes"):
        client.get(httpserver.url_for("/big"))


def test_endless_body_stops_at_the_cap(httpserver, client):
    def endless(request):
        return Response((b"x" * 8192 for _ in iter(int, 1)), content_type="text/plain")

    httpserver.expect_request("/endless").respond_with_handler(endless)
    with pytest.raises(net.NetError, match="larger than"):
        client.get(httpserver.url_for("/endless"))


def test_gzip_bomb_stops_at_the_decoded_cap(httpserver):
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)  # ~50 KB on the wire
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    with (
        net.Client(max_bytes=1_000_000) as client,
        pytest.raises(net.NetError, match="larger than 1,000,000"),
    ):
        client.get(httpserver.url_for("/bomb"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20_000_000  # nowhere near the 50 MB the bomb expands to


def test_gzip_body_is_decoded(httpserver, client):
    httpserver.expect_request("/z").respond_with_data(
        gzip.compress(b"hello"), headers={"Content-Encoding": "gzip"}
    )
    assert client.get(httpserver.url_for("/z")).body == b"hello"


def test_a_byte_a_while_trips_the_overall_deadline(httpserver):
    def trickle(request):
        def body():
            for _ in range(100):
                time.sleep(0.1)
                yield b"x"

        return Response(body(), content_type="text/plain")

    httpserver.expect_request("/slow").respond_with_handler(trickle)
    started = time.monotonic()
    with net.Client(timeout=5.0, deadline=1.0) as client, pytest.raises(net.NetError, match="within 1 s"):
        client.get(httpserver.url_for("/slow"))
    assert time.monotonic() - started < 5  # not the 10 s the server would take


def test_unreachable_host_is_a_plain_message():
    with net.Client(timeout=1.0) as client, pytest.raises(net.NetError, match="cannot connect"):
        client.get("http://127.0.0.1:9/")


def test_post_retries_server_errors_then_succeeds(httpserver):
    calls = []

    def flaky(request):
        calls.append(request.form.to_dict())
        return Response("busy", status=503) if len(calls) < 3 else Response("ok", status=204)

    httpserver.expect_request("/hub", method="POST").respond_with_handler(flaky)
    with net.Client() as client:
        response = client.post(
            httpserver.url_for("/hub"), data={"hub.mode": "publish"}, retries=3, backoff=0.01
        )
    assert response.status == 204
    assert calls == [{"hub.mode": "publish"}] * 3


def test_post_gives_up_after_its_retries(httpserver):
    httpserver.expect_request("/hub", method="POST").respond_with_data("busy", status=503)
    with net.Client() as client, pytest.raises(net.NetError, match="HTTP 503"):
        client.post(httpserver.url_for("/hub"), data={}, retries=1, backoff=0.01)


def test_head_reads_no_body(httpserver, client):
    httpserver.expect_request("/a.mp3", method="HEAD").respond_with_data(
        b"", headers={"Content-Length": "1234", "Content-Type": "audio/mpeg"}
    )
    response = client.head(httpserver.url_for("/a.mp3"))
    assert (response.status, response.body, response.content_type) == (200, b"", "audio/mpeg")


def test_download_resumes_a_partial_file_with_range(httpserver, tmp_path):
    payload = bytes(range(256)) * 1000
    ranges = []

    def serve(request):
        ranges.append(request.headers.get("Range"))
        return Response(payload).make_conditional(request, accept_ranges=True, complete_length=len(payload))

    httpserver.expect_request("/ep.mp3").respond_with_handler(serve)
    target = tmp_path / "ep.mp3"
    (tmp_path / "ep.mp3.part").write_bytes(payload[:100_000])
    seen = []
    with net.Client() as client:
        size = client.download(httpserver.url_for("/ep.mp3"), target, progress=seen.append)
    assert size == len(payload)
    assert target.read_bytes() == payload
    assert not (tmp_path / "ep.mp3.part").exists()
    assert ranges == ["bytes=100000-"]
    assert sum(seen) == len(payload) - 100_000


def test_a_206_that_does_not_go_on_from_the_byte_asked_for_is_not_appended(httpserver, tmp_path):
    # The server answers a resume with the whole file again, labelled as 206 from byte 0.
    payload = bytes(range(256)) * 1000
    ranges = []

    def serve(request):
        ranges.append(request.headers.get("Range"))
        if request.headers.get("Range"):
            headers = {"Content-Range": f"bytes 0-{len(payload) - 1}/{len(payload)}"}
            return Response(payload, status=206, headers=headers)
        return Response(payload)

    httpserver.expect_request("/ep.mp3").respond_with_handler(serve)
    target = tmp_path / "ep.mp3"
    (tmp_path / "ep.mp3.part").write_bytes(payload[:100_000])
    with net.Client() as client:
        size = client.download(httpserver.url_for("/ep.mp3"), target)
    assert target.read_bytes() == payload and size == len(payload)
    assert ranges == ["bytes=100000-", None]  # asked to resume, then started over
    assert not (tmp_path / "ep.mp3.part").exists()


def test_download_over_the_cap_leaves_no_file(httpserver, tmp_path):
    httpserver.expect_request("/big.mp3").respond_with_data(b"x" * 50_000)
    with net.Client() as client, pytest.raises(net.NetError, match="larger than"):
        client.download(httpserver.url_for("/big.mp3"), tmp_path / "big.mp3", max_bytes=10_000)
    assert not (tmp_path / "big.mp3").exists()


def test_client_is_usable_from_threads(httpserver):
    httpserver.expect_request("/x").respond_with_data(b"ok")
    results = []
    with net.Client() as client:
        threads = [
            threading.Thread(target=lambda: results.append(client.get(httpserver.url_for("/x")).body))
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == [b"ok"] * 4


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a.mp3", True),
        ("http://127.0.0.1:8000/", True),
        ("javascript:alert(1)", False),
        ("//example.com/x", False),
        ("ftp://example.com/", False),
        ("https://", False),
    ],
)
def test_is_web_url(url, expected):
    assert net.is_web_url(url) is expected


def test_a_redirect_to_what_is_not_an_address_is_named(client):
    """A hostile server's Location with brackets that hold no IPv6 host (werkzeug will not even
    send one, so a bare socket answers)."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 302 Found\r\nLocation: //[x/feed\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/a"
        with pytest.raises(net.NetError, match="a redirect to what is not an address"):
            client.get(url)
    finally:
        thread.join(5)
        server.close()
