"""Pages are rendered again only when what they show changed, and come out as a full build makes them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from podcast import pipeline
from podcast.errors import PodcastError
from podcast.web import site
from podcast.web.record import RECORD_DIR

EPISODES = 52  # two pages of the episode list: the newest 50, then 2


@pytest.fixture
def catalog(show):
    for n in range(1, EPISODES + 1):
        show.add(f"ep{n:02d}", title=f"Episode {n}", date=f"2025-03-{1 + n // 2:02d}T{n % 2 * 12:02d}:00:00Z",
                 article=f"What episode {n} is about.\n")  # fmt: skip
    pipeline.build(show.root)
    return show


def to_render(show) -> set[str]:
    """The pages a build of the show now would render (and nothing else)."""
    catalog = pipeline.read_catalog(show.root)
    return set(site.render(catalog.show, catalog.published, show.root / "feeds").due)


def pages_of(root: Path) -> dict[str, bytes]:
    feeds = root / "feeds"
    return {str(p.relative_to(feeds)): p.read_bytes() for p in sorted(feeds.rglob("*.html"))}


def from_scratch(show, tmp_path) -> dict[str, bytes]:
    """The pages a build makes of the same show with no build cache, no record and no feeds/."""
    copy = tmp_path / "scratch"
    shutil.copytree(show.root, copy, ignore=shutil.ignore_patterns(".podcast", "feeds"))
    pipeline.build(copy, allow_removal=True)
    return pages_of(copy)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_a_build_with_nothing_changed_renders_no_page_and_writes_none(catalog):
    stats = {p: p.stat().st_mtime_ns for p in (catalog.root / "feeds").rglob("*.html")}
    assert to_render(catalog) == set()
    assert pipeline.build(catalog.root).pages == ()
    assert {p: p.stat().st_mtime_ns for p in (catalog.root / "feeds").rglob("*.html")} == stats


def test_an_edited_article_renders_its_page_and_the_list_page_it_is_on(catalog, tmp_path):
    edit(catalog.root / "episodes/ep01/episode.md", "What episode 1 is about.", "A new first sentence.")
    assert to_render(catalog) == {"episodes/ep01/index.html", "page/2/index.html"}  # the oldest: page 2
    result = pipeline.build(catalog.root)
    assert set(result.pages) == {"episodes/ep01/index.html", "page/2/index.html"}
    assert "A new first sentence." in (catalog.root / "feeds/episodes/ep01/index.html").read_text()
    assert pages_of(catalog.root) == from_scratch(catalog, tmp_path)


def test_an_added_episode_renders_its_page_and_the_list_pages_but_no_other_episode_page(catalog, tmp_path):
    catalog.add("new", title="Brand New", date="2025-04-01")
    rendered = to_render(catalog)
    assert rendered == {"episodes/new/index.html", "index.html", "page/2/index.html"}  # the list shifts
    pipeline.build(catalog.root)
    assert pages_of(catalog.root) == from_scratch(catalog, tmp_path)


def test_a_show_setting_every_page_shows_renders_them_all(catalog, tmp_path):
    edit(catalog.root / "podcast.toml", 'title = "Test Show"', 'title = "Renamed Show"')
    assert len(to_render(catalog)) == EPISODES + 2
    pipeline.build(catalog.root)
    assert pages_of(catalog.root) == from_scratch(catalog, tmp_path)


def test_a_page_deleted_or_edited_by_hand_in_feeds_is_written_again(catalog, tmp_path):
    feeds = catalog.root / "feeds"
    (feeds / "episodes/ep10/index.html").unlink()
    edited = feeds / "episodes/ep20/index.html"
    edited.write_text(edited.read_text().replace("Episode 20", "Episode XX"))
    assert to_render(catalog) == {"episodes/ep10/index.html", "episodes/ep20/index.html"}
    result = pipeline.build(catalog.root)
    assert set(result.pages) == {"episodes/ep10/index.html", "episodes/ep20/index.html"}
    assert pages_of(catalog.root) == from_scratch(catalog, tmp_path)


def test_an_edited_transcript_renders_its_page_again(catalog):
    transcript = catalog.root / "episodes/ep05/transcript.txt"
    transcript.write_text("First words.\n")
    pipeline.build(catalog.root)
    transcript.write_text("Other words, of the same length.\n")
    assert to_render(catalog) == {"episodes/ep05/index.html", "index.html"}  # and the list it is on
    pipeline.build(catalog.root)
    assert "Other words" in (catalog.root / "feeds/episodes/ep05/index.html").read_text()


def test_a_show_template_renders_the_pages_that_use_it_and_taking_it_away_restores_them(catalog):
    before = pages_of(catalog.root)
    (catalog.root / "templates").mkdir()
    (catalog.root / "templates" / "index.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Mine: {{ show.title }}</h1>{% endblock %}'
    )
    assert to_render(catalog) == {"index.html", "page/2/index.html"}  # episode pages do not use it
    pipeline.build(catalog.root)
    assert "Mine: Test Show" in (catalog.root / "feeds/index.html").read_text()
    shutil.rmtree(catalog.root / "templates")
    pipeline.build(catalog.root)
    assert pages_of(catalog.root) == before


@pytest.mark.parametrize("name", ["player.html", "subscribe.html", "style.css"])
def test_a_template_a_packaged_page_includes_is_still_sandboxed(catalog, name):
    # Episode pages start from the packaged episode.html, but it includes this one: the show's.
    (catalog.root / "templates").mkdir()
    (catalog.root / "templates" / name).write_text("{{ show.__class__.__init__.__globals__ }}")
    with pytest.raises(PodcastError) as caught:
        pipeline.build(catalog.root)
    assert f"templates/{name}:1" in str(caught.value) and "unsafe" in str(caught.value)


def test_a_failed_build_keeps_the_record_so_the_next_one_renders_what_changed(catalog, tmp_path):
    edit(catalog.root / "episodes/ep02/episode.md", "What episode 2", "Still episode 2")
    (catalog.root / "templates").mkdir()
    (catalog.root / "templates" / "episode.html").write_text("{% if %}")
    with pytest.raises(PodcastError):
        pipeline.build(catalog.root)
    shutil.rmtree(catalog.root / "templates")
    assert to_render(catalog) == {"episodes/ep02/index.html", "page/2/index.html"}
    pipeline.build(catalog.root)
    assert pages_of(catalog.root) == from_scratch(catalog, tmp_path)


def test_a_lost_or_broken_record_only_costs_time(catalog, tmp_path):
    records = list((catalog.root / RECORD_DIR).iterdir())
    assert records
    records[0].write_text("{not json")
    assert len(to_render(catalog)) == EPISODES + 2
    assert pipeline.build(catalog.root).pages == ()  # every page rendered, compared, none rewritten
    shutil.rmtree(catalog.root / ".podcast")
    assert pipeline.build(catalog.root).pages == ()
    assert pages_of(catalog.root) == from_scratch(catalog, tmp_path)


def test_the_preview_and_the_build_keep_their_own_records(catalog):
    preview = catalog.root / ".podcast" / "preview"
    pipeline.build(catalog.root, out=preview, base_url="http://127.0.0.1:8123/", force=True)
    preview_page = (preview / "episodes/ep01/index.html").read_text()
    assert "http://127.0.0.1:8123/episodes/ep01/" in preview_page
    assert to_render(catalog) == set()  # feeds/ is still current: the preview did not disturb its record
    published = (catalog.root / "feeds/episodes/ep01/index.html").read_text()
    assert "https://cdn.example.com/show/episodes/ep01/" in published and "8123" not in published
    # A preview at another address renders every page again; at the same, none.
    catalog_read = pipeline.read_catalog(catalog.root, base_url="http://127.0.0.1:8123/")
    assert site.render(catalog_read.show, catalog_read.published, preview).due == []
    catalog_read = pipeline.read_catalog(catalog.root, base_url="http://127.0.0.1:9999/")
    assert len(site.render(catalog_read.show, catalog_read.published, preview).due) == EPISODES + 2


def test_pages_switched_off_and_on_again_come_back_as_they_were(catalog):
    before = pages_of(catalog.root)
    toml = catalog.root / "podcast.toml"
    original = toml.read_text()
    toml.write_text(original + "\n[pages]\nenabled = false\n")
    pipeline.build(catalog.root)
    assert pages_of(catalog.root) == {}
    toml.write_text(original)
    assert len(pipeline.build(catalog.root).pages) == EPISODES + 2
    assert pages_of(catalog.root) == before


def test_rendering_and_writing_pages_are_shown_as_progress(show):
    labels = []

    def progress(items, label):
        labels.append(label)
        yield from items

    show.add("one")
    pipeline.build(show.root, progress=progress)
    assert {"Rendering pages", "Writing pages"} <= set(labels)


@pytest.mark.parametrize("processes", [1, 3])
def test_episodes_added_to_many_list_pages_leave_every_page_as_a_build_from_scratch_makes_it(
    catalog, tmp_path, monkeypatch, processes
):
    """An added episode shifts every list page: they are made of the rows the build before kept
    (web/keptrows.py), rendered by one process or several, and come out as a full build's."""
    from podcast.web import keptrows, urls

    monkeypatch.setattr(urls, "PER_PAGE", 5)  # 52 episodes: 11 list pages
    monkeypatch.setattr(site, "PROCESSES", processes)
    monkeypatch.setattr(site, "PAGES_PER_PROCESS", 2)  # with 3 processes, every slice in its own
    monkeypatch.setattr(keptrows, "SAVE_FROM", 1)  # kept again after each build: a new row is enough
    pipeline.build(catalog.root)  # the list pages at 5 a page, their rows kept
    (rows_file,) = (catalog.root / RECORD_DIR).glob("*.rows")
    edit(catalog.root / "episodes/ep30/episode.md", "What episode 30 is about.", "Rewritten <b>")
    pipeline.build(catalog.root)  # one list page renders: the rows are left as they were
    added = ((53, "2025-04-01"), (54, "2025-03-10T06:00:00Z"), (55, "2025-04-02"))  # newest, among, newest
    for n, date in added:
        catalog.add(
            f"added{n}", title=f"Added <{n}> & “more”", date=date, article=f"Episode {n} *is* here.\n"
        )
        before = rows_file.stat().st_mtime_ns
        built = pipeline.build(catalog.root)
        assert {"page/10/index.html", "page/11/index.html", f"episodes/added{n}/index.html"} <= set(
            built.pages
        )
        assert rows_file.stat().st_mtime_ns != before  # the new episode's row kept for the next build
        assert pages_of(catalog.root) == from_scratch(catalog, tmp_path / str(n))


def test_a_show_setting_the_list_pages_show_leaves_them_as_a_build_from_scratch_makes_them(
    catalog, tmp_path, monkeypatch
):
    """A row reads nothing of the show: the rows kept before the show's title and author changed
    make list pages that show the new ones, as a full build does."""
    from podcast.web import urls

    monkeypatch.setattr(urls, "PER_PAGE", 5)  # 52 episodes: 11 list pages
    pipeline.build(catalog.root)
    toml = catalog.root / "podcast.toml"
    edit(toml, 'title = "Test Show"', 'title = "Renamed <Show>"')
    edit(toml, 'author = "Ann Host"', 'author = "New & Host"')
    built = pipeline.build(catalog.root)
    assert {f"page/{n}/index.html" for n in range(2, 12)} <= set(built.pages)
    assert "Renamed &lt;Show&gt;" in (catalog.root / "feeds/page/11/index.html").read_text()
    assert pages_of(catalog.root) == from_scratch(catalog, tmp_path)
