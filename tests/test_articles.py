"""Reading article files for `podcast notes`: episode.md, bare articles, saved pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from podcast import articles
from podcast.errors import PodcastError

DATA = Path(__file__).resolve().parent / "data"
ARTICLE = "One\n\nFirst part, eight words in all here.\n\nTwo\n\nSecond part with a few words.\n"


def test_an_episode_md_gives_its_front_matter_facts(show):
    folder = show.add(
        "ep", title="Sleep Study", extra='hosts = ["Ann", "Bo"]\nlink = "https://example.com/ep"'
    )
    article = articles.read_article(folder / "episode.md")
    assert (article.title, article.date, article.host, article.link) == (
        "Sleep Study",
        date(2025, 1, 1),
        "Ann, Bo",
        "https://example.com/ep",
    )


def test_section_chapters_in_a_preview_use_the_show_setting_and_the_real_audio(show):
    toml = show.root / "podcast.toml"
    toml.write_text('chapters = "sections"\n' + toml.read_text())
    folder = show.add("ep", seconds=8, article=ARTICLE)
    preview = articles.preview(folder / "episode.md")
    assert [c["title"] for c in preview["chapters"]] == ["One", "Two"]
    assert 0 < preview["chapters"][1]["start"] < 8


def test_a_bare_md_file_is_markdown_and_a_txt_file_is_text(tmp_path):
    (tmp_path / "a.md").write_text("## Heading\n\n*Hi* there.\n")
    (tmp_path / "a.txt").write_text("## Heading\n\n*Hi* there.\n")
    assert articles.preview(tmp_path / "a.md")["html"] == "<h2>Heading</h2>\n<p><em>Hi</em> there.</p>"
    assert "<em>" not in articles.preview(tmp_path / "a.txt")["html"]


def test_a_saved_page_gives_its_facts_and_article():
    preview = articles.preview(DATA / "saved-page.txt", from_page=True)
    assert (preview["title"], preview["date"], preview["host"]) == (
        "What Happens During an Overnight Sleep Study",
        "2025-05-14",
        "Dana Whitfield",
    )
    assert "Soundwise" not in preview["text"]


def test_an_unreadable_front_matter_names_the_file(tmp_path):
    bad = tmp_path / "episode.md"
    bad.write_text('+++\ntitle = "unclosed\n+++\nText.\n')
    with pytest.raises(PodcastError) as caught:
        articles.read_article(bad)
    assert "episode.md" in str(caught.value) and "TOML" in str(caught.value)
    (problem,) = caught.value.problems
    assert problem.line == 2  # the line of the file, not of the front matter


def test_a_preview_links_where_the_build_does_its_page_its_own_link_or_the_show_site(show):
    long = "\n\n".join(f"Paragraph {i} says something worth hearing. " * 8 for i in range(40))
    without = show.add("without", article=long)
    with_page = show.add("with", article=long, extra='link = "https://example.com/episodes/with"')
    assert articles.preview(without / "episode.md")["description_html"].endswith(
        '<p><a href="https://cdn.example.com/show/episodes/without/">Full show notes</a></p>'
    )
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text() + "\n[pages]\nenabled = false\n")
    assert articles.preview(without / "episode.md")["description_html"].endswith(
        '<p><a href="https://example.com/">More at example.com</a></p>'
    )
    assert articles.preview(with_page / "episode.md")["description_html"].endswith(
        '<p><a href="https://example.com/episodes/with">Full show notes</a></p>'
    )


def test_front_matter_outside_a_show_is_checked_by_the_schema_as_the_build_checks_it(tmp_path):
    draft = tmp_path / "draft.md"
    draft.write_text('+++\ntitle = "Sleep"\ndate = 2025-01-01\nhost = "Ann"\n+++\nText.\n')
    with pytest.raises(PodcastError) as caught:
        articles.read_article(draft)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.field) == (str(draft), 4, "host")
    assert problem.hint == "did you mean 'hosts'?"


def test_a_preview_in_a_show_whose_podcast_toml_the_build_refuses_is_refused_too(show):
    folder = show.add("ep")
    show.set_show_keys('language = "not a language!"')
    with pytest.raises(PodcastError) as caught:
        articles.preview(folder / "episode.md")
    assert [(p.path, p.field) for p in caught.value.problems if p.severity == "error"] == [
        ("podcast.toml", "language")
    ]
