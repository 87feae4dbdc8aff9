"""Hostile and broken sources are refused with a clear message, in bounded time and memory,
and nothing is written into the show directory."""

from __future__ import annotations

import gzip
import socket
import threading

import pytest
from conftest import run
from werkzeug.wrappers import Response

from podcast.errors import PodcastError
from podcast.importer import import_feed


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><link>https://x.example/</link>
<description>d</description><item><title>a</title><guid>guid-000001</guid></item></channel></rss>
"""

SMALL_FEED = """<?xml version="1.0"?>
{doctype}<rss version="2.0"><channel><title>Show &secret;</title><link>https://x.example/</link>
<description>About</description><item><title>One &secret;</title><guid>guid-000001</guid>
<enclosure url="https://x.example/1.mp3" length="10" type="audio/mpeg"/></item></channel></rss>
"""


def refused(source: str, into, **options) -> str:
    with pytest.raises(PodcastError) as caught:
        import_feed(source, into, base_url="https://new.example/show/", **options)
    assert not into.exists(), "nothing may be written for a refused feed"
    return str(caught.value)


def test_entity_expansion_is_refused_before_parsing(httpserver, tmp_path):
    httpserver.expect_request("/feed").respond_with_data(BILLION_LAUGHS)
    said = refused(httpserver.url_for("/feed"), tmp_path / "show")
    assert "declares XML entities" in said and "/feed" in said


def test_an_external_entity_naming_a_local_file_is_refused(httpserver, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    feed = SMALL_FEED.format(doctype=f'<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{secret}">]>\n')
    httpserver.expect_request("/feed").respond_with_data(feed)
    assert "declares XML entities" in refused(httpserver.url_for("/feed"), tmp_path / "show")


def test_entities_declared_behind_a_long_comment_are_refused_too(httpserver, tmp_path):
    # The DOCTYPE may follow comments of any length; looking only at the first bytes misses it.
    padded = BILLION_LAUGHS.replace(b"<!DOCTYPE", b"<!-- " + b"x" * 200_000 + b" -->\n<!DOCTYPE", 1)
    httpserver.expect_request("/feed").respond_with_data(padded)
    assert "declares XML entities" in refused(httpserver.url_for("/feed"), tmp_path / "show")


def test_an_external_dtd_is_never_loaded(httpserver, tmp_path):
    # The entity is defined in a DTD on this computer; the parser must not read it.
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY secret "TOP-SECRET-VALUE">')
    feed = SMALL_FEED.format(doctype=f'<!DOCTYPE rss SYSTEM "file://{dtd}">\n')
    httpserver.expect_request("/feed").respond_with_data(feed)
    root = tmp_path / "show"
    import_feed(httpserver.url_for("/feed"), root, base_url="https://new.example/show/")
    written = "".join(p.read_text("utf-8") for p in root.rglob("*") if p.is_file())
    assert "TOP-SECRET-VALUE" not in written
    assert "Show &secret;" in (root / "podcast.toml").read_text("utf-8")  # kept as the text it was


def test_an_oversized_answer_is_cut_off_at_the_cap(httpserver, tmp_path):
    def endless(_request):
        chunk = b"<!-- " + b"x" * 1_000_000 + b" -->"

        def body():
            yield b'<?xml version="1.0"?><rss version="2.0"><channel>'
            for _ in range(160):  # 160 MB at most, should the cap fail
                yield chunk

        return Response(body(), content_type="application/rss+xml")

    httpserver.expect_request("/big").respond_with_handler(endless)
    assert "larger than 100,000,000 bytes" in refused(httpserver.url_for("/big"), tmp_path / "show")


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "feed.xml"
    with big.open("wb") as handle:
        handle.truncate(120_000_000)  # sparse: nothing is really written
    said = refused(str(big), tmp_path / "show")
    assert "120,000,000 bytes, more than 100,000,000" in said


@pytest.fixture
def silent_server():
    """A server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_server_that_never_answers_meets_the_deadline(silent_server, tmp_path):
    said = refused(silent_server, tmp_path / "show", deadline=1.5)
    assert "cannot fetch the feed" in said and "no answer" in said


def test_a_redirect_loop_is_named(httpserver, tmp_path):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    assert "redirect loop" in refused(httpserver.url_for("/a"), tmp_path / "show")


@pytest.mark.parametrize(
    "body, status, says",
    [
        (b"", 200, "is empty"),
        (b"   \n", 200, "is empty"),
        (b"Not Found", 404, "HTTP 404"),
        (b"just some text, not XML at all", 200, "is not well-formed XML"),
        (
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>',
            200,
            "Atom",
        ),
        (b"<rss version='2.0'><nochannel/></rss>", 200, "has no <channel>"),
        (
            b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" '
            b'href="https://site.example/feed.xml"></head><body>Hi</body></html>',
            200,
            "is a web page (HTML), not a feed; the page names its feed: podcast import https://site.example/feed.xml",
        ),
    ],
)
def test_what_is_not_a_feed_is_said_plainly(httpserver, tmp_path, body, status, says):
    httpserver.expect_request("/feed").respond_with_data(body, status=status)
    assert says in refused(httpserver.url_for("/feed"), tmp_path / "show")


@pytest.mark.parametrize(
    "source, says",
    [
        ("http://", "is not a complete http address"),
        ("https://[::1", "is not a complete https address"),
        ("ftp://host.example/feed.xml", "ftp:// is not fetched"),
    ],
)
def test_an_address_that_cannot_be_fetched_is_named_for_what_is_wrong(tmp_path, source, says):
    assert says in refused(source, tmp_path / "show")


def test_an_episodes_audio_given_as_the_feed_is_named_for_what_it_is(httpserver, tmp_path, mp3_factory):
    httpserver.expect_request("/ep1.mp3").respond_with_data(mp3_factory(3.0).read_bytes())
    said = refused(httpserver.url_for("/ep1.mp3"), tmp_path / "show")
    assert "is MP3 audio, not a feed; give the feed's address" in said


def test_the_command_exits_1_with_the_message_and_no_traceback(httpserver, tmp_path):
    httpserver.expect_request("/feed").respond_with_data(BILLION_LAUGHS)
    for source in (
        httpserver.url_for("/feed"),
        httpserver.url_for("/missing"),
        str(tmp_path / "nothing.xml"),
    ):
        result = run("import", source, "--into", str(tmp_path / "show"))
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
        assert "internal error" not in result.stderr
    assert not (tmp_path / "show").exists()
    usage = run("import", "ftp://x.example/feed", "--into", str(tmp_path / "show"))
    assert usage.exit_code == 1 and "ftp:// is not fetched" in usage.stderr


def test_a_gzip_bomb_stops_at_the_cap_on_the_decoded_size(httpserver, tmp_path):
    bomb = gzip.compress(b'<?xml version="1.0"?><rss version="2.0"><channel>' + b" " * 120_000_000, 1)
    assert len(bomb) < 1_000_000
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    assert "larger than 100,000,000 bytes" in refused(httpserver.url_for("/bomb"), tmp_path / "show")


def test_into_a_file_is_refused(host_feed, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    result = run("import", host_feed, "--into", str(a_file))
    assert result.exit_code == 2 and "is a file" in result.stderr  # a command-line mistake
    with pytest.raises(PodcastError, match="is a file, not a show directory"):
        import_feed(host_feed, a_file)
    assert a_file.read_text() == "mine"


def test_a_file_named_feeds_in_the_way_is_named_with_what_to_do(host_feed, tmp_path):
    root = tmp_path / "show"
    root.mkdir()
    (root / "feeds").write_text("mine")
    with pytest.raises(PodcastError) as caught:
        import_feed(host_feed, root, base_url="https://new.example/show/")
    said = str(caught.value)
    assert said.startswith(f"{root / 'feeds'}: is a file where a folder is needed")
    assert "move or rename the file" in said and "completes it" not in said
    assert (root / "feeds").read_text() == "mine"


@pytest.fixture
def host_feed(httpserver):
    feed = SMALL_FEED.format(doctype="").replace("&secret;", "")
    httpserver.expect_request("/feed").respond_with_data(feed)
    return httpserver.url_for("/feed")


def test_nesting_beyond_reason_neither_crashes_nor_loses_the_words(httpserver, tmp_path):
    notes = "<div>" * 5000 + "Deep words." + "</div>" * 5000
    feed = (
        SMALL_FEED.format(doctype="")
        .replace("&secret;", "")
        .replace("<title>One </title>", f"<title>One</title><description><![CDATA[{notes}]]></description>")
    )
    httpserver.expect_request("/feed").respond_with_data(feed)
    root = tmp_path / "show"
    import_feed(httpserver.url_for("/feed"), root, base_url="https://new.example/show/")
    (episode,) = root.glob("episodes/*/episode.md")
    assert episode.read_text("utf-8").endswith("+++\nDeep words.\n")

    deep_xml = b"<rss version='2.0'><channel><title>Deep</title>" + b"<a>" * 100_000 + b"</channel></rss>"
    httpserver.expect_request("/deep").respond_with_data(deep_xml)
    report = import_feed(httpserver.url_for("/deep"), tmp_path / "deep", base_url="https://new.example/deep/")
    assert any("Excessive depth" in line for line in report.recovered)


def test_enclosure_urls_no_app_can_read_are_left_out_not_a_crash(tmp_path):
    """urljoin and urlsplit refuse brackets that hold no IPv6 host: such an enclosure is left out
    (the item kept as a draft, as one without an enclosure), and the import goes on."""
    feed = tmp_path / "feed.xml"
    items = "".join(
        f"<item><title>{title}</title><guid>g-{title}</guid><pubDate>Mon, 01 Jan 2024 00:00:00 +0000"
        f'</pubDate><enclosure url="{url}" length="10" type="audio/mpeg"/></item>'
        for title, url in [("one", "//[x/a.mp3"), ("two", "https://h]/b.mp3"), ("three", "https://ex.com/c.mp3")]
    )
    feed.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://ex.com/</link><description>d</description>{items}</channel></rss>"
    )
    show = tmp_path / "show"
    result = run("import", str(feed), "--into", str(show), "--base-url", "https://ex.com/feeds/")
    assert "internal error" not in result.output + result.stderr
    assert "enclosure URLs that are not http(s) addresses left out (2 items)" in result.output + result.stderr
    assert sorted(p.name for p in (show / "episodes").iterdir()) == ["one", "three", "two"]
    assert "https://ex.com/c.mp3" in (show / "episodes/three/episode.md").read_text()
    assert "h]" not in (show / "episodes/two/episode.md").read_text()
