"""Fuzzing the show-notes reader: any article gives notes that are safe to publish, or a clear error."""

from __future__ import annotations

import re

from fuzzing import EXAMPLES, FUZZ, measured
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_notes import markdown_it_html

from podcast import notes
from podcast.errors import PodcastError

# Pieces that steer the reader into its paths: markup, links, timestamps, headings, entities, controls.
PIECES = [
    "<p>", "</p>", "<a href=\"", "javascript:alert(1)", "\">", "</a>", "<script>", "</script>", "<h2>",
    "<ul><li>", "</li>", "<ol start=\"3\">", "<br>", "[link](", "https://example.com/x", ")", "# ", "## ",
    "\n\n", "\n", "00:00 ", "01:02:03 ", "(12:34)", "&#11;", "&amp;", "&#x85;", "\x0b", "\x0c", "\x85",
    "\u2028", "www.example.com", "ann@example.com", "**", "_", "`", "> ", "- ", "1. ", "<![CDATA[", "]]>",
    "<!--", "-->", "<img src=x onerror=alert(1)>", "\ufeff", "\ud7ff", "\U0001f600",
]  # fmt: skip

articles = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=40)), max_size=60).map("".join)


@FUZZ
@example(  # found by this test: a list item outside any list made lxml raise ParserError
    article="<![CDATA[<ul><li>", format="text", chapters_from="timestamps", duration=None
)
@example(  # found by this test: a heading with a list opened inside it gave a two-line chapter title
    article="<h2>javascript:alert(1)<ul><li>", format="text", chapters_from="sections", duration=1.0
)
@given(
    article=articles,
    format=st.sampled_from(["text", "markdown"]),
    chapters_from=st.sampled_from(["timestamps", "sections"]),
    duration=st.one_of(st.none(), st.floats(min_value=0.5, max_value=10_000)),
)
def test_any_article_gives_safe_notes_or_a_clear_error(article, format, chapters_from, duration):
    with measured("notes") as stats:
        try:
            shown = notes.render(
                article,
                format=format,
                title="Title",
                chapters_from=chapters_from,
                duration=duration if chapters_from == "sections" else None,
                more_url="https://example.com/",
            )
        except PodcastError:
            stats.errors += 1
            return
    for html in (shown.html, shown.description_html):
        assert "<script" not in html.lower() and not re.search(r"<[^>]*\son\w+=", html)
        for link in re.findall(r'\s(?:href|src)="([^"]*)"', html):
            scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", link)
            assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), link
    assert len(shown.description_html.encode()) <= notes.DESCRIPTION_LIMIT
    for chapter in shown.chapters:
        assert chapter.start >= 0 and "\n" not in chapter.title


# Lines of Markdown that is plain (headings and paragraphs of words) or nearly so: every
# character and line start that makes markup, now and then, among words and punctuation.
WORD = st.text(alphabet=st.sampled_from("abcXYZ019.,:;!?'\"()%$#é— "), min_size=1, max_size=12)
MARKUP = st.sampled_from([*"\\`*_[]<>&|~=+#-\t\r\x0b\u00a0\u2028", "  ", "www.", "a.b", "@", "//", "http:"])
LINE_START = st.sampled_from(
    ["", "", "", "# ", "## ", "###### ", "####### ", "#", " ", "    ", "- ", "1. ", "> "]
)
plain_markdown = st.lists(
    st.one_of(
        st.just(""),
        st.tuples(LINE_START, st.lists(st.one_of(WORD, WORD, WORD, MARKUP), max_size=8)).map(
            lambda parts: parts[0] + "".join(parts[1])
        ),
    ),
    max_size=12,
).map("\n".join)


@FUZZ
@given(article=plain_markdown)
def test_plain_markdown_renders_as_markdown_it_renders_it(article):
    with measured("notes"):
        rendered = notes.article_html(article, format="markdown")
    assert rendered == (None, markdown_it_html(article))


# Fragments of clean HTML made of paragraphs and headings holding text, or nearly so.
BLOCK_TEXT = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=["Cs"]), st.sampled_from(" \t\n\"'&;<>\r")),
    max_size=30,
)
flat_fragments = st.lists(
    st.tuples(
        st.sampled_from(["p", "h1", "h2", "h6", "p", "p", "div", "b"]),
        BLOCK_TEXT,
        st.sampled_from(["\n", "", " "]),
    ),
    max_size=8,
).map(lambda blocks: "".join(f"<{tag}>{words}</{tag}>{after}" for tag, words, after in blocks))


@FUZZ
@given(fragment=flat_fragments)
def test_paragraphs_and_headings_are_the_same_blocks_inside_a_container_or_not(fragment):
    # A <div> around them is opened up by the walker, so they must make the same blocks;
    # without it, plain paragraphs and headings are read without parsing the HTML.
    with measured("notes"):
        blocks = notes.blocks_of(fragment)
    assert blocks == notes.blocks_of(f"<div>{fragment}</div>")


# Articles of words in paragraphs and headings, which `article_blocks` reads without making
# HTML, and now and then a character or line that takes it the long way round.
PLAIN_WORD = st.one_of(
    st.text(alphabet=st.sampled_from("abcXYZ019.,:;!?'\"()%$é—ß中 "), min_size=1, max_size=10),
    st.text(alphabet=st.characters(blacklist_categories=["Cc"]), min_size=1, max_size=4),
)
SPOILER = st.sampled_from(
    ["&", "<", ">", "<b>", "<p>", "\xa0", "\ud800", "\r", "\r\n", "\x0b", "\x85", "\t", "  ",
     "http://a.example/", "www.a.example", "a@b.example", "a.b", "//", "#", "\\", "*", "_", "`", "|", "=",
     "+", "~", "[x]", "\ufeff"]
)  # fmt: skip
PLAIN_LINE_START = st.sampled_from(
    ["", "", "", "", "# ", "## ", "### ", "- ", "1. ", "3) ", "00:00 ", "(1:02) ", " "]
)
plain_articles = st.lists(
    st.one_of(
        st.just(""),
        st.tuples(
            PLAIN_LINE_START, st.lists(st.one_of(PLAIN_WORD, PLAIN_WORD, PLAIN_WORD, SPOILER), max_size=8)
        ).map(lambda parts: parts[0] + " ".join(parts[1])),
    ),
    max_size=14,
).map("\n".join)


def _outcome(call):
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - both ways must fail alike
        return type(exc)


@settings(FUZZ, max_examples=max(EXAMPLES, 300))  # cheap, and a shortcut must be right
@example(article="Title\n\nHeading\nwords here.", format="text", title="Title", page_url=None)
@example(article='# A "quoted" title\n\nwords\nand more words', format="markdown", title=None, page_url=None)
@given(
    article=plain_articles,
    format=st.sampled_from(["text", "markdown"]),
    title=st.sampled_from([None, "Title", "A"]),
    page_url=st.sampled_from([None, "https://example.com/episodes/one/"]),
)
def test_an_articles_blocks_made_directly_are_those_of_its_clean_html(article, format, title, page_url):
    # The long way: the article written as HTML, cleaned by nh3 and walked by lxml.
    def long_way():
        found, fragment = notes.article_html(article, format=format, title=title, page_url=page_url)
        return found, notes.blocks_of(fragment)

    with measured("notes"):
        direct = _outcome(
            lambda: notes.article_blocks(article, format=format, title=title, page_url=page_url)
        )
    assert direct == _outcome(long_way)
