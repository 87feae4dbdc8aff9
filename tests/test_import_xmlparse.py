"""The safe, forgiving parse: what real feeds get wrong is read, and said."""

from __future__ import annotations

import pytest

from podcast.importer.xmlparse import NotAFeed, parse

RSS = '<rss version="2.0"><channel><title>{title}</title>{rest}</channel></rss>'


def title_of(body: bytes) -> tuple[str, tuple[str, ...]]:
    parsed = parse(body, "feed.xml")
    return parsed.root.findtext("channel/title"), parsed.recovered


def test_a_clean_feed_recovers_nothing():
    assert title_of(RSS.format(title="Caf&#233; &amp; co", rest="").encode()) == ("Café & co", ())


def test_windows_1252_declared_as_utf8():
    body = b'<?xml version="1.0" encoding="UTF-8"?>' + RSS.format(
        title="Caf\xe9 \x93quoted\x94", rest=""
    ).encode("latin-1")
    title, recovered = title_of(body)
    assert title == "Café “quoted”"
    assert recovered == ("declares UTF-8 but is not UTF-8; read as Windows-1252",)


def test_a_byte_order_mark_and_a_blank_line_first():
    title, recovered = title_of(
        b"\xef\xbb\xbf\n\n" + b'<?xml version="1.0"?>' + RSS.format(title="T", rest="").encode()
    )
    assert title == "T" and recovered == ("has whitespace before the <?xml?> declaration; ignored",)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-32"])
def test_utf16_and_utf32_with_their_byte_order_mark(codec):
    document = '<?xml version="1.0" encoding="UTF-16"?>' + RSS.format(title="Caf\u00e9 \U0001f399", rest="")
    encoded = document.encode(codec)
    if codec == "utf-16-le":
        encoded = b"\xff\xfe" + encoded  # the mark, written by hand, as Windows tools do
    assert title_of(encoded) == ("Caf\u00e9 \U0001f399", ())


def test_cdata_is_literal_and_entities_outside_it_are_html_ones():
    body = RSS.format(title="A&nbsp;B", rest="<description><![CDATA[Q&A &nbsp; <b>x</b>]]></description>")
    parsed = parse(body.encode(), "feed.xml")
    assert parsed.root.findtext("channel/title") == "A\u00a0B"
    assert parsed.root.findtext("channel/description") == "Q&A &nbsp; <b>x</b>"


def test_markup_broken_further_on_is_read_up_to_where_it_breaks():
    body = RSS.format(
        title="T", rest="<item><title>One</title></item><item><title>Two</oops></item>"
    ).encode()
    parsed = parse(body, "feed.xml")
    assert [i.findtext("title") for i in parsed.root.iter("item")][0] == "One"
    assert any(
        "is not well-formed XML" in line and "read what could be read" in line for line in parsed.recovered
    )


@pytest.mark.parametrize(
    "body, says",
    [
        (b"\xef\xbb\xbf   ", "is empty"),
        (b"<html><body>hello</body></html>", "is a web page (HTML), not a feed"),
        (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]><rss/>', "declares XML entities"),
        (b"<opml version='2.0'><body/></opml>", "whose root is <opml>"),
    ],
)
def test_refusals_name_the_source(body, says):
    with pytest.raises(NotAFeed) as caught:
        parse(body, "feed.xml")
    assert str(caught.value).startswith("feed.xml: ") and says in str(caught.value)
