"""Article text → show notes: structure, HTML, Apple's description, plain text, chapters.

Outputs are read back with lxml, so the tests check what an app would display
rather than how the HTML happens to be spelt.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from markdown_it import MarkdownIt

from podcast import notes
from podcast.controlchars import clean_text

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "episodes/ketamine-for-chronic-migraine/episode.md"
APPLE_TAGS = {"p", "ol", "ul", "li", "a"}

BLANK_LINES = """\
Why Sleep Matters

Sleep is when the body repairs itself. Without enough of it,
memory and mood both suffer.

Adults who sleep badly for months are more likely to become ill.

How Much Is Enough

Most adults need seven to nine hours a night.
"""

NO_BLANK_LINES = """\
Why Sleep Matters
Sleep is when the body repairs itself.
Adults who sleep badly for months are more likely to become ill.
How Much Is Enough
Most adults need seven to nine hours a night.
"""

MARKDOWN = """\
# A Night in the Sleep Lab

## Why Sleep Matters

Sleep is when the body *repairs* itself. Read more at https://sleep.example.org/repair.

- memory
- mood

## How Much Is Enough

1. Adults: seven to nine hours.
2. Teenagers: eight to ten hours.
"""

# Arabic: headings end without punctuation; "؟" (Arabic question mark) ends a sentence.
RIGHT_TO_LEFT = """\
لماذا النوم مهم

النوم هو الوقت الذي يصلح فيه الجسم نفسه. هل تنام جيدا؟

כמה שעות צריך

רוב המבוגרים צריכים שבע עד תשע שעות בלילה.
"""

PASTED_HTML = """\
<h2>Why Sleep Matters</h2>
<p onclick="steal()">Sleep is when the body <b>repairs</b> itself.
<a href="javascript:alert('x')">Click me</a> or <a href="https://sleep.example.org/">read more</a>.</p>
<script>document.write('tracking pixel')</script>
<style>p { display: none }</style>
<iframe src="https://ads.example.com/frame">ad text</iframe>
<p><img src="x" onerror="steal()">Most adults need seven to nine hours.</p>
"""


def html_tree(fragment: str):
    return lxml.html.fragment_fromstring(fragment, create_parent="div")


def headings(fragment: str) -> list[str]:
    return [h.text_content() for h in html_tree(fragment).xpath("h1|h2|h3|h4|h5|h6")]


def paragraphs(fragment: str) -> list[str]:
    return [" ".join(p.text_content().split()) for p in html_tree(fragment).xpath("p")]


def example_article() -> str:
    return EXAMPLE.read_text("utf-8").split("+++", 2)[2]


# ---------------------------------------------------------------- the table of shapes


@pytest.mark.parametrize(
    ("article", "format", "expected_headings", "expected_paragraphs"),
    [
        pytest.param(
            BLANK_LINES, "text", ["Why Sleep Matters", "How Much Is Enough"], 3, id="text-blank-lines"
        ),
        pytest.param(
            NO_BLANK_LINES, "text", ["Why Sleep Matters", "How Much Is Enough"], 3, id="text-one-per-line"
        ),
        pytest.param(
            BLANK_LINES.replace("\n", "\r\n"),
            "text",
            ["Why Sleep Matters", "How Much Is Enough"],
            3,
            id="crlf",
        ),
        pytest.param(MARKDOWN, "markdown", ["Why Sleep Matters", "How Much Is Enough"], 1, id="markdown"),
        pytest.param(RIGHT_TO_LEFT, "text", ["لماذا النوم مهم", "כמה שעות צריך"], 2, id="right-to-left"),
        pytest.param(PASTED_HTML, "text", ["Why Sleep Matters"], 2, id="pasted-html"),
    ],
)
def test_each_article_shape_keeps_its_headings_and_paragraphs(
    article, format, expected_headings, expected_paragraphs
):
    shown = notes.render(article, format=format)
    assert headings(shown.html) == expected_headings
    assert [s.heading for s in shown.sections] == expected_headings
    assert len(paragraphs(shown.html)) == expected_paragraphs
    # The plain text carries the same words, without markup.
    for heading in expected_headings:
        assert heading in shown.text
    assert "<" not in shown.text
    # The description uses only Apple's tags.
    used = {element.tag for element in html_tree(shown.description_html).iter()} - {"div"}
    assert used <= APPLE_TAGS


def test_a_paragraph_wrapped_over_lines_is_one_paragraph():
    shown = notes.render(BLANK_LINES)
    assert paragraphs(shown.html)[0] == (
        "Sleep is when the body repairs itself. Without enough of it, memory and mood both suffer."
    )


def test_without_blank_lines_every_line_is_a_paragraph():
    shown = notes.render(NO_BLANK_LINES)
    assert shown.sections[0].paragraphs == (
        "Sleep is when the body repairs itself.",
        "Adults who sleep badly for months are more likely to become ill.",
    )


def test_crlf_line_ends_give_the_same_notes_as_lf():
    assert notes.render(BLANK_LINES.replace("\n", "\r\n")) == notes.render(BLANK_LINES)


def test_right_to_left_and_non_ascii_text_is_kept_exactly():
    shown = notes.render(RIGHT_TO_LEFT)
    assert "هل تنام جيدا؟" in shown.html
    assert shown.sections[1].paragraphs == ("רוב המבוגרים צריכים שבע עד תשע שעות בלילה.",)


def test_a_line_with_end_punctuation_is_not_a_heading():
    shown = notes.render("This ends with a full stop.\n\nAnd this is a paragraph.\n")
    assert headings(shown.html) == []
    assert len(shown.sections) == 1 and shown.sections[0].heading is None


def test_a_short_line_followed_by_another_heading_is_the_title():
    shown = notes.render("A Night in the Sleep Lab\n\n" + BLANK_LINES)
    assert shown.title == "A Night in the Sleep Lab"
    assert headings(shown.html) == ["Why Sleep Matters", "How Much Is Enough"]
    assert "A Night in the Sleep Lab" not in shown.html


def test_a_first_line_repeating_the_episode_title_is_not_a_section():
    article = "Sleep Basics\n\nSleep is when the body repairs itself.\n"
    shown = notes.render(article, title="Sleep basics")
    assert shown.title == "Sleep Basics"
    assert shown.sections[0].heading is None
    assert headings(shown.html) == []


def test_markdown_keeps_emphasis_lists_and_links_and_its_h1_is_the_title():
    shown = notes.render(MARKDOWN, format="markdown")
    tree = html_tree(shown.html)
    assert shown.title == "A Night in the Sleep Lab"
    assert tree.xpath("//em/text()") == ["repairs"]
    assert tree.xpath("//ul/li/text()") == ["memory", "mood"]
    assert tree.xpath("//ol/li/text()") == ["Adults: seven to nine hours.", "Teenagers: eight to ten hours."]
    assert tree.xpath("//a/@href") == ["https://sleep.example.org/repair"]


# markdown-it-py as notes.py configures it: what any Markdown article must render as.
MARKDOWN_IT = MarkdownIt("commonmark", {"linkify": True, "html": True}).enable(
    ["linkify", "strikethrough", "table"]
)


def markdown_it_html(article: str) -> str:
    text = clean_text(article).replace("\r\n", "\n").replace("\r", "\n").strip()
    return clean_text(notes.sanitize(MARKDOWN_IT.render(text)))


PLAIN_MARKDOWN = """\
## Part 1: why "sleep" matters

Sleep is when the body repairs itself. Without enough of it, memory and mood suffer.
Adults who sleep badly for months: more often ill! Isn't that so? It's 100% true; ask #sleep.

###### A small heading
# A big one
Words right under a heading.
"""


@pytest.mark.parametrize(
    "article",
    [
        PLAIN_MARKDOWN,
        "",
        "One line.",
        # One step from plain: each makes markup of some kind, or a line markdown-it reads differently.
        *[
            PLAIN_MARKDOWN.replace("Words right", change)
            for change in [
                "*Words* right", "_Words_ right", "`Words` right", "[Words](https://x.example/) right",
                "<b>Words</b> right", "&amp; Words right", "Words\\ right", "~~Words~~ right",
                "| Words | right",
                "Words  \nright", "Words \nright", "\tWords right", "    Words right", " Words right",
                "- Words right", "+ Words right", "1. Words right", "2) Words right", "> Words right",
                "Words\n===\nright", "Words\n---\nright", "***\nWords right", "#Words right",
                "####### Words right", "## Words ##\nright", "Words\u00a0right", "Words\u2028right",
                "Words\rright", "Words\x0bright", "Words example.com right", "Words www.example.org",
                "Words a@b.example right", "Words HTTPS://X.EXAMPLE right", "![Words](x.png) right",
            ]
        ],
    ],
)  # fmt: skip
def test_markdown_renders_as_markdown_it_renders_it(article):
    # Plain Markdown (headings and paragraphs of words) is rendered without markdown-it's
    # tokenizer, and anything one character from plain with it: the same HTML either way.
    assert notes.article_html(article, format="markdown") == (None, markdown_it_html(article))


@pytest.mark.parametrize(
    "fragment",
    [
        "<h2>Part 1:  why\tsleep\nmatters</h2>\n<p>It's \"true\";\n  café — 100%.</p>\n",
        "<p>   </p>\n<h3>\t</h3><p></p><p>One.</p><h6>Six</h6>",
        "<p>a &amp; b</p>\n<p>c</p>",  # not flat: an entity
        "<p>a<br>b</p>",  # not flat: markup inside
        "<p>a</p>\n\n<p>b</p>",  # not flat: a blank line between
    ],
)
def test_paragraphs_and_headings_make_the_same_blocks_inside_a_container(fragment):
    # The walker opens a <div> up; flat paragraphs and headings are read without parsing.
    blocks = notes.blocks_of(fragment)
    assert blocks == notes.blocks_of(f"<div>{fragment}</div>")
    assert [b.text for b in blocks if b.kind == "heading"] in (["Part 1: why sleep\nmatters"], ["Six"], [])


def test_plain_text_lists_urls_and_email_addresses():
    article = (
        "What to Bring\n\n"
        "Pack these for the night:\n"
        "- pyjamas\n"
        "* your own pillow\n"
        "• a book\n\n"
        "1. Check in at the desk.\n"
        "2. Meet the technician.\n\n"
        "Directions are at https://clinic.example.com/map?from=north and www.example.org, "
        "or write to desk@clinic.example.com.\n"
    )
    shown = notes.render(article)
    tree = html_tree(shown.html)
    assert tree.xpath("//ul/li/text()") == ["pyjamas", "your own pillow", "a book"]
    assert tree.xpath("//ol/li/text()") == ["Check in at the desk.", "Meet the technician."]
    assert tree.xpath("//a/@href") == [
        "https://clinic.example.com/map?from=north",
        "http://www.example.org",
        "mailto:desk@clinic.example.com",
    ]
    assert "- pyjamas\n- your own pillow\n- a book" in shown.text
    assert "1. Check in at the desk.\n2. Meet the technician." in shown.text
    # Links survive in Apple's description too.
    assert html_tree(shown.description_html).xpath("//a/@href") == tree.xpath("//a/@href")


def test_text_that_looks_like_markup_is_shown_not_obeyed():
    shown = notes.render("Dosage\n\nIf a < b & c > d, ask the nurse.\n")
    assert paragraphs(shown.html) == ["If a < b & c > d, ask the nurse."]
    assert "If a < b & c > d, ask the nurse." in shown.text


# ---------------------------------------------------------------- sanitising


def test_scripts_styles_iframes_event_handlers_and_javascript_urls_never_reach_the_feed():
    shown = notes.render(PASTED_HTML)
    for output in (shown.html, shown.description_html, shown.text):
        lowered = output.lower()
        for forbidden in (
            "<script",
            "<style",
            "<iframe",
            "onclick",
            "onerror",
            "javascript:",
            "tracking pixel",
        ):
            assert forbidden not in lowered, (forbidden, output)
        assert "ad text" not in lowered
    tree = html_tree(shown.html)
    assert tree.xpath("//b/text()") == ["repairs"]
    assert tree.xpath("//a/@href") == ["https://sleep.example.org/"]
    assert "Most adults need seven to nine hours." in paragraphs(shown.html)


def test_html_inside_markdown_is_sanitised_too():
    shown = notes.render("Hello <script>alert(1)</script> *there*\n", format="markdown")
    assert "script" not in shown.html and "alert" not in shown.html
    assert html_tree(shown.html).xpath("//em/text()") == ["there"]


# ---------------------------------------------------------------- the description


def long_article() -> str:
    sections = []
    for number in range(1, 13):
        sentences = " ".join(
            f"Sentence {n} of section {number} says something useful about sleep." for n in range(1, 10)
        )
        sections.append(f"Section {number}\n\n{sentences}\n\nA short closing line for section {number}.")
    return "\n\n".join(sections)


def test_a_long_article_is_cut_below_4000_bytes_at_a_sentence_with_a_link_to_the_full_notes():
    article = long_article()
    assert len(article.encode()) > 4000
    shown = notes.render(article, more_url="https://clinic.example.com/episodes/sleep")
    description = shown.description_html
    assert len(description.encode()) <= notes.DESCRIPTION_LIMIT
    tree = html_tree(description)
    last = tree.xpath("p")[-1]
    assert last.xpath("a/@href") == ["https://clinic.example.com/episodes/sleep"]
    assert last.text_content() == notes.MORE_LINK_TEXT
    kept = [" ".join(p.text_content().split()) for p in tree.xpath("p")[:-1]]
    # Every kept paragraph ends at a sentence end and is (the start of) a real paragraph.
    full = [" ".join(p.text_content().split()) for p in html_tree(shown.html).xpath("h2|p")]
    for text in kept:
        assert any(original.startswith(text) for original in full), text
    assert kept[-1].endswith(".")
    # The whole notes are still in content:encoded.
    assert headings(shown.html) == [f"Section {n}" for n in range(1, 13)]


def test_the_cut_falls_inside_a_paragraph_when_it_ends_at_a_sentence():
    paragraph = " ".join(f"This is sentence number {n} of one very long paragraph." for n in range(1, 120))
    shown = notes.render(paragraph, more_url="https://clinic.example.com/full")
    (first, more) = html_tree(shown.description_html).xpath("p")
    assert paragraph.startswith(first.text_content())
    assert first.text_content().endswith("paragraph.")
    assert len(shown.description_html.encode()) <= notes.DESCRIPTION_LIMIT
    assert more.xpath("a/@href") == ["https://clinic.example.com/full"]


def test_the_byte_limit_counts_multibyte_characters():
    paragraph = "ليلة هادئة في مختبر النوم تساعد الطبيب على الفهم. " * 200
    shown = notes.render(paragraph.strip(), more_url="https://clinic.example.com/ar")
    assert len(shown.description_html) < notes.DESCRIPTION_LIMIT < len(paragraph.encode())
    assert len(shown.description_html.encode()) <= notes.DESCRIPTION_LIMIT
    assert shown.description_html.endswith(
        f'<a href="https://clinic.example.com/ar">{notes.MORE_LINK_TEXT}</a></p>'
    )


def test_a_short_article_is_described_in_full_without_a_more_link():
    shown = notes.render(BLANK_LINES, more_url="https://clinic.example.com/full")
    assert "clinic.example.com/full" not in shown.description_html
    assert paragraphs(shown.description_html) == ["Why Sleep Matters"] + paragraphs(shown.html)[:2] + [
        "How Much Is Enough",
        paragraphs(shown.html)[2],
    ]


# ---------------------------------------------------------------- timestamps


def test_timestamp_lines_in_several_formats_become_chapters_and_stay_in_the_description():
    article = (
        "In This Episode\n\n"
        "We walk through a night in the lab.\n\n"
        "00:00 Intro\n"
        "(12:34) What the sensors record\n"
        "[15:00] Questions from listeners\n"
        "1:02:03 - Reading the results\n"
        "1:10:00: Goodbye\n"
    )
    shown = notes.render(article)
    assert [(c.start, c.title) for c in shown.chapters] == [
        (0.0, "Intro"),
        (12 * 60 + 34.0, "What the sensors record"),
        (15 * 60.0, "Questions from listeners"),
        (3600 + 2 * 60 + 3.0, "Reading the results"),
        (3600 + 10 * 60.0, "Goodbye"),
    ]
    described = paragraphs(shown.description_html)
    assert "00:00 Intro" in described and "1:02:03 - Reading the results" in described
    assert "(12:34) What the sensors record" in shown.text.splitlines()


def test_timestamps_in_a_markdown_list_become_chapters():
    shown = notes.render(
        "## Chapters\n\n- 00:00 Intro\n- 05:30 The lab\n- 20:00 Results\n", format="markdown"
    )
    assert [(c.start, c.title) for c in shown.chapters] == [
        (0.0, "Intro"),
        (330.0, "The lab"),
        (1200.0, "Results"),
    ]


@pytest.mark.parametrize(
    "article",
    [
        pytest.param("Check-in\n\n10:30 at the front desk, then the lab.\n", id="one-clock-time"),
        pytest.param("05:00 Second\n00:00 First\n", id="out-of-order"),
    ],
)
def test_lines_that_are_not_a_chapter_list_make_no_chapters(article):
    assert notes.render(article).chapters == ()


def test_a_clock_time_starting_a_wrapped_line_stays_in_its_paragraph():
    shown = notes.render("Check-in\n\nWe meet at the front desk at\n10:30 and then go up together.\n")
    assert shown.sections[0].paragraphs == ("We meet at the front desk at 10:30 and then go up together.",)


# ---------------------------------------------------------------- chapters from sections


def test_section_chapters_start_in_proportion_to_the_words_before_them():
    # Words: "One" (1) + 9, then "Two" (1) + 19: 30 in all; "Two" starts after 10 of them.
    article = "One\n\n" + " ".join(["word"] * 8) + " end.\n\nTwo\n\n" + " ".join(["word"] * 18) + " end.\n"
    shown = notes.render(article, chapters_from="sections", duration=300.0)
    assert [(c.start, c.title) for c in shown.chapters] == [(0.0, "One"), (100.0, "Two")]


def test_text_before_the_first_heading_gets_an_opening_chapter():
    article = "Welcome to the show, everyone.\n\nPart One\n\nA few words here.\n"
    shown = notes.render(article, chapters_from="sections", duration=90.0)
    assert [c.title for c in shown.chapters] == ["Introduction", "Part One"]
    assert shown.chapters[0].start == 0.0 and 0 < shown.chapters[1].start < 90


def test_section_chapters_need_the_duration_and_replace_timestamp_chapters():
    article = "One\n\nFirst words.\n\nTwo\n\nSecond words.\n\n00:00 A\n00:10 B\n"
    assert [c.title for c in notes.render(article, chapters_from="sections").chapters] == ["A", "B"]
    assert [c.title for c in notes.render(article, chapters_from="sections", duration=60).chapters] == [
        "One",
        "Two",
    ]


def test_the_example_episode_has_seven_sections_and_seven_section_chapters():
    shown = notes.render(example_article(), chapters_from="sections", duration=700.0)
    assert len(shown.sections) == 7
    assert headings(shown.html) == [s.heading for s in shown.sections]
    assert shown.sections[0].heading == "Understanding Ketamine's Role in Migraine Management"
    starts = [c.start for c in shown.chapters]
    assert len(starts) == 7 and starts[0] == 0.0 and starts == sorted(starts) and starts[-1] < 700


def test_html_from_an_editor_with_divs_and_double_line_breaks_keeps_its_paragraphs():
    pasted = (
        "<div>Before the study, avoid <b>caffeine</b> after noon.</div>"
        "<div>Bring the forms.</div>"
        "<div><h3>On the night</h3>Arrive by eight.<br><br>Your technician<br>will meet you.</div>"
    )
    shown = notes.render(pasted)
    assert [(s.heading, s.paragraphs) for s in shown.sections] == [
        (None, ("Before the study, avoid caffeine after noon.", "Bring the forms.")),
        ("On the night", ("Arrive by eight.", "Your technician\nwill meet you.")),
    ]
    assert "<div" not in shown.html
    assert "Your technician\nwill meet you." in shown.description_html


def test_the_readme_example_renders_as_the_readme_says():
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("For example, this article") : readme.index("### What goes into the feed")]
    article_part, html_part = section.split("has the title *Sleeping Well* and two sections, and becomes")

    def indented(text: str) -> str:
        lines = [line[4:] for line in text.splitlines() if line.startswith("    ") or not line.strip()]
        return "\n".join(lines).strip("\n") + "\n"

    shown = notes.render(indented(article_part))
    assert shown.title == "Sleeping Well"
    assert shown.html == indented(html_part).strip()


def test_plain_text_with_a_pasted_script_keeps_its_structure_and_loses_the_script():
    article = BLANK_LINES.replace(
        "Most adults need", '<script src="https://evil.example/x.js">steal()</script><b>Most</b> adults need'
    )
    shown = notes.render(article)
    assert headings(shown.html) == ["Why Sleep Matters", "How Much Is Enough"]
    assert shown.sections[1].paragraphs == ("Most adults need seven to nine hours a night.",)
    for output in (shown.html, shown.description_html, shown.text):
        assert "script" not in output and "steal" not in output and "evil" not in output


def test_a_long_list_is_cut_between_items():
    items = "\n".join(f"- Item {n}: a thing to bring to the sleep lab on the night" for n in range(1, 120))
    shown = notes.render("Checklist\n\n" + items + "\n", more_url="https://clinic.example.com/full")
    assert len(shown.description_html.encode()) <= notes.DESCRIPTION_LIMIT
    tree = html_tree(shown.description_html)
    kept = [li.text_content() for li in tree.xpath("ul/li")]
    assert 10 < len(kept) < 119
    assert kept == [
        f"Item {n}: a thing to bring to the sleep lab on the night" for n in range(1, len(kept) + 1)
    ]
    assert tree.xpath("p/a/@href")[-1] == "https://clinic.example.com/full"


def test_a_first_paragraph_with_no_sentence_end_in_reach_is_cut_at_a_word():
    words = " ".join(f"word{n}" for n in range(1, 1500))
    shown = notes.render(words, more_url="https://clinic.example.com/full")
    assert len(shown.description_html.encode()) <= notes.DESCRIPTION_LIMIT
    first = html_tree(shown.description_html).xpath("p")[0].text_content()
    assert first.endswith("…") and words.startswith(first[:-1]) and words[len(first) - 1] == " "


def test_a_heading_then_a_long_paragraph_without_sentence_ends_is_cut_at_a_word_under_the_heading():
    words = " ".join(f"word{n}" for n in range(1, 1500))
    shown = notes.render(f"Why it matters\n\n{words}\n", more_url="https://clinic.example.com/full")
    description = shown.description_html
    assert len(description.encode()) <= notes.DESCRIPTION_LIMIT
    kept = [p.text_content() for p in html_tree(description).xpath("p")]
    assert kept[0] == "Why it matters"
    assert kept[1].endswith("…") and words.startswith(kept[1][:-1]) and words[len(kept[1]) - 1] == " "
    assert len(kept[1]) > 3000  # the cut uses the room there is
    assert kept[-1] == notes.MORE_LINK_TEXT


def test_a_short_paragraph_then_a_long_one_without_sentence_ends_still_describes_the_long_one():
    words = " ".join(f"word{n}" for n in range(1, 1500))
    shown = notes.render(f"Hello.\n\n{words}\n", more_url="https://clinic.example.com/full")
    kept = [p.text_content() for p in html_tree(shown.description_html).xpath("p")]
    assert kept[0] == "Hello." and kept[1].startswith("word1 word2") and kept[1].endswith("…")


@pytest.mark.parametrize(
    "article",
    [
        "## " + "A very long heading " * 220 + "\n\nThe text under it.\n",
        "https://example.com/" + "x" * 5000 + "\n",
    ],
    ids=["heading-over-the-limit", "one-word-over-the-limit"],
)
def test_a_description_is_never_only_the_link_when_the_article_has_text(article):
    shown = notes.render(article, format="markdown", more_url="https://clinic.example.com/full")
    description = shown.description_html
    assert len(description.encode()) <= notes.DESCRIPTION_LIMIT
    texts = [p.text_content() for p in html_tree(description).xpath("p")]
    assert len(texts) >= 2 and texts[-1] == notes.MORE_LINK_TEXT
    assert texts[0].rstrip("…") and shown.text.startswith(texts[0].rstrip("…")[:20])


@pytest.mark.parametrize(
    ("url", "episode_page", "words"),
    [
        ("https://clinic.example.com/episodes/42", True, "Full show notes"),
        ("https://www.clinic.example.com/", False, "More at clinic.example.com"),
        ("https://cdn.example.com/show/", False, "More at cdn.example.com/show"),
    ],
)
def test_the_more_link_says_full_show_notes_only_for_the_episodes_own_page(url, episode_page, words):
    assert notes.more_link_text(url, episode_page=episode_page) == words
    shown = notes.render(long_article(), more_url=url, more_text=words)
    link = html_tree(shown.description_html).xpath("p/a")[-1]
    assert (link.get("href"), link.text_content()) == (url, words)


def test_a_markdown_blockquote_is_a_quote_in_the_notes_and_plain_paragraphs_in_the_description():
    article = (
        "Before it.\n\n> A quote that runs\n> over two lines.\n>\n> Its second paragraph.\n\nAfter it.\n"
    )
    shown = notes.render(article, format="markdown")
    assert html_tree(shown.html).xpath("blockquote/p/text()") == [
        "A quote that runs\nover two lines.",
        "Its second paragraph.",
    ]
    description = html_tree(shown.description_html)
    assert description.xpath("//p//p") == []  # no paragraph inside a paragraph
    assert [p.text_content() for p in description.xpath("p")] == [
        "Before it.",
        "A quote that runs\nover two lines.",
        "Its second paragraph.",
        "After it.",
    ]


def test_a_long_quote_is_cut_between_its_paragraphs_or_sentences():
    quote = "\n>\n".join(f"> Quoted paragraph {n} has a sentence. And another one." for n in range(200))
    shown = notes.render("Intro.\n\n" + quote + "\n", format="markdown", more_url="https://example.com/ep")
    description = shown.description_html
    assert len(description.encode()) <= notes.DESCRIPTION_LIMIT
    tree = html_tree(description)
    assert tree.xpath("//p//p") == []
    kept = [p.text_content() for p in tree.xpath("p")]
    assert kept[0] == "Intro." and kept[-1] == notes.MORE_LINK_TEXT
    assert 20 < len(kept) < 200
    assert all(k.startswith("Quoted paragraph") for k in kept[1:-1])


RELATIVE_LINKS = (
    'Read [the guide](/guides/sleep), [the next part](part-2 "Part 2"), [the top](#top),'
    ' <a href="#">this</a>, [the clinic](https://clinic.example.com/)'
    " and [us](mailto:desk@clinic.example.com).\n"
)


def link_targets(fragment: str) -> list[tuple[str, str | None]]:
    return [(a.text_content(), a.get("href")) for a in html_tree(fragment).iter("a")]


def test_without_an_episode_page_relative_and_fragment_links_keep_only_their_words():
    shown = notes.render(RELATIVE_LINKS, format="markdown")
    expected = [("the clinic", "https://clinic.example.com/"), ("us", "mailto:desk@clinic.example.com")]
    assert link_targets(shown.html) == expected
    assert link_targets(shown.description_html) == expected
    assert "Read the guide, the next part, the top, this, the clinic" in shown.text


def test_relative_links_are_resolved_against_the_episodes_page():
    shown = notes.render(RELATIVE_LINKS, format="markdown", page_url="https://clinic.example.com/episodes/42")
    expected = [
        ("the guide", "https://clinic.example.com/guides/sleep"),
        ("the next part", "https://clinic.example.com/episodes/part-2"),
        ("the clinic", "https://clinic.example.com/"),
        ("us", "mailto:desk@clinic.example.com"),
    ]
    assert link_targets(shown.html) == expected
    assert link_targets(shown.description_html) == expected
    assert 'title="Part 2"' in shown.html


def test_relative_links_in_pasted_html_are_treated_alike():
    shown = notes.render('<p>See <a href="/rel">one</a> and <a href="#">two</a>.</p>')
    assert shown.html == "<p>See one and two.</p>"


def test_a_title_line_alone_before_the_first_heading_gets_no_chapter_of_its_own():
    article = (
        "Sleeping Well\n\nWhy Sleep Matters\n\n"
        + "Sleep repairs the body. " * 20
        + "\n\nWhat to Bring\n\n- pyjamas\n"
    )
    shown = notes.render(article, title="Sleeping Well", chapters_from="sections", duration=120.0)
    assert shown.title == "Sleeping Well"
    assert [c.title for c in shown.chapters] == ["Why Sleep Matters", "What to Bring"]
    assert shown.chapters[0].start == 0.0 and 60 < shown.chapters[1].start < 120


TABLE = (
    "Opening hours:\n\n| Day | Hours |\n|:---|---:|\n| Monday | 9:00–17:00 |\n"
    "| Saturday | [call us](https://clinic.example.com/call) |\n"
)


def test_a_markdown_table_is_a_table_in_the_notes_and_a_paragraph_per_row_in_the_description():
    shown = notes.render(TABLE, format="markdown")
    tree = html_tree(shown.html)
    assert tree.xpath("table//th/text()") == ["Day", "Hours"]
    assert [row.xpath("td")[0].text_content() for row in tree.xpath("table//tr[td]")] == [
        "Monday",
        "Saturday",
    ]
    for output in (shown.html, shown.description_html, shown.text):
        assert "|" not in output and "---" not in output
    description = html_tree(shown.description_html)
    assert [p.text_content() for p in description.xpath("p")] == [
        "Opening hours:",
        "Day · Hours",
        "Monday · 9:00–17:00",
        "Saturday · call us",
    ]
    assert description.xpath("p/a/@href") == ["https://clinic.example.com/call"]
    assert "Saturday · call us (https://clinic.example.com/call)" in shown.text.splitlines()


def test_a_long_table_is_cut_between_rows():
    rows = "\n".join(f"| Night {n} | a long stay in the sleep lab with every sensor on |" for n in range(300))
    shown = notes.render(
        "| Night | Notes |\n|---|---|\n" + rows + "\n", format="markdown", more_url="https://x.example/"
    )
    assert len(shown.description_html.encode()) <= notes.DESCRIPTION_LIMIT
    kept = [p.text_content() for p in html_tree(shown.description_html).xpath("p")]
    assert kept[0] == "Night · Notes" and kept[-1] == notes.MORE_LINK_TEXT
    assert all(k.startswith("Night ") for k in kept[1:-1]) and 20 < len(kept) < 300


def test_a_link_no_url_reader_can_read_keeps_its_words_without_a_traceback(capfd, monkeypatch):
    """urljoin refuses brackets that hold no IPv6 host; nh3 calls us for each relative link and
    printed our exception to the terminal. Such a link loses its address, as a relative one
    with no page to resolve against does."""
    import sys

    from podcast.notes import sanitize

    unraisable = []  # what nh3 hands Python to print, as it did the traceback
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    html = sanitize('<p>See <a href="//[x/y">this</a> and <a href="/ok">that</a>.</p>', "https://ex.com/e/")
    assert html == '<p>See this and <a href="https://ex.com/ok">that</a>.</p>'
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out and "ValueError" not in captured.err
    assert unraisable == []
