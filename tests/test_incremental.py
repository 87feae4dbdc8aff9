"""A rebuild reads only the episode folders that changed, and writes what a full build writes."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import copy_without_cache

from podcast import feed, lastfeed, lint, pipeline
from podcast.cache import CACHE_FILE, BuildCache
from podcast.errors import PodcastError
from podcast.uptodate import RACY_NS, folder_fingerprint


def _settle() -> None:
    """Let the files just written age past the window in which their time stamps are not trusted."""
    time.sleep(RACY_NS / 1e9 + 0.05)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _cold_build(root: Path, elsewhere: Path) -> dict[str, bytes]:
    """feeds/ as a build of a copy of the show with no build cache writes it."""
    copy_without_cache(root, elsewhere)
    pipeline.build(elsewhere)
    return _tree(elsewhere / "feeds")


def _kept(root: Path) -> int:
    """How many episode records the build cache holds."""
    with BuildCache(root) as cache:
        assert cache.db is not None
        return cache.db.execute("SELECT COUNT(*) FROM episode").fetchone()[0]


CHAPTERS = {
    "version": "1.2.0",
    "chapters": [{"startTime": 0, "title": "Start"}, {"startTime": 1, "title": "Next"}],
}
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello.\n"


def test_every_kind_of_edit_builds_what_a_cold_build_builds(show, tmp_path, mp3_factory):
    show.set_show_keys('chapters = "sections"')
    show.add("one", date="2025-01-01", article="Intro\n\n00:00 Start\n00:01 Middle\n")
    show.add("two", date="2025-01-02", article="Two\n\nMore of two.\n\nThird\n\nAnd more.\n")
    show.add("three", date="2025-01-03")
    show.add("four", date="2025-01-04")
    pipeline.build(show.root)
    _settle()
    pipeline.build(show.root)  # keeps a record of every folder, now that none is fresh
    assert _kept(show.root) == 4

    edits = {
        "article edited": lambda: (show.root / "episodes/two/episode.md").write_text(
            (show.root / "episodes/two/episode.md").read_text().replace("More of two.", "Two, edited."),
        ),
        "episode added": lambda: show.add("five", date="2025-01-05"),
        "episode removed": lambda: (show.root / "episodes/three/episode.md").write_text(
            (show.root / "episodes/three/episode.md").read_text().replace("+++\nAn", "removed = true\n+++\nA")
            + "n",
        ),
        "audio replaced": lambda: (show.root / "episodes/four/four.mp3").write_bytes(
            mp3_factory(5.0).read_bytes()
        ),
        "chapters.json added": lambda: (show.root / "episodes/four/chapters.json").write_text(
            json.dumps(CHAPTERS)
        ),
        "show setting changed": lambda: (show.root / "podcast.toml").write_text(
            (show.root / "podcast.toml").read_text().replace("explicit = false", "explicit = true")
        ),
        "channel setting changed": lambda: (show.root / "podcast.toml").write_text(
            (show.root / "podcast.toml").read_text().replace("for tests.", "for tests, renamed.")
        ),
        "feed paged": lambda: show.set_show_keys("feed_items = 2"),
        "transcript added": lambda: (show.root / "episodes/one/transcript.vtt").write_text(VTT),
    }
    for number, (kind, edit) in enumerate(edits.items()):
        edit()
        pipeline.build(show.root)
        built = _tree(show.root / "feeds")
        assert built == _cold_build(show.root, tmp_path / f"cold-{number}"), kind
        _settle()
    text = "".join(page.read_text() for page in sorted((show.root / "feeds").glob("feed*.xml")))
    assert "Two, edited." in text and "Five" in text and "Three" not in text
    assert "<itunes:explicit>false" not in text
    assert (show.root / "feeds/feed-2.xml").is_file()
    assert "transcripts/one.vtt" in text and "chapters/four.json" in text


def test_warnings_of_an_unchanged_episode_are_reported_again(show):
    folder = show.add("no-guid")
    text = (folder / "episode.md").read_text().replace('guid = "guid-no-guid-0000"\n', "")
    (folder / "episode.md").write_text(text)
    show.add("other", date="2025-01-02")
    _settle()
    first = pipeline.build(show.root)
    show.add("added", date="2025-01-03")
    again = pipeline.build(show.root)
    warned = [p for p in again.catalog.problems if p.field == "guid"]
    assert warned == [p for p in first.catalog.problems if p.field == "guid"]
    assert warned and warned[0].path == "episodes/no-guid/episode.md"


def test_an_error_still_stops_the_build_after_a_kept_build(show):
    show.add("good", date="2025-01-01")
    _settle()
    pipeline.build(show.root)
    (show.root / "episodes/good/good.mp3").write_bytes(b"not audio at all\n" * 100)
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    assert [p.path for p in caught.value.problems if p.severity == "error"] == ["episodes/good/episode.md"]


def test_a_damaged_build_cache_is_read_again_not_fatal(show):
    show.add("one")
    _settle()
    pipeline.build(show.root)
    before = show.feed.read_bytes()
    with BuildCache(show.root) as cache:
        assert cache.db is not None
        cache.db.execute("UPDATE episode SET value = x'00ff00'")
    show.add("two", date="2025-01-02")
    pipeline.build(show.root)
    assert show.feed.read_bytes() != before and "One" in show.feed.read_text()
    (show.root / CACHE_FILE).write_bytes(b"this is not SQLite")
    show.add("three", date="2025-01-03")
    result = pipeline.build(show.root)
    assert sorted(e.slug for e in result.catalog.published) == ["one", "three", "two"]
    assert "Three" in show.feed.read_text()


def test_a_folder_with_a_link_or_a_fresh_file_is_not_vouched_for(show, tmp_path):
    folder = show.add("one")
    assert folder_fingerprint(folder) is None  # just written: its time stamps are not trusted yet
    _settle()
    first = folder_fingerprint(folder)
    assert first is not None and folder_fingerprint(folder) == first
    (folder / "notes.txt").symlink_to(tmp_path)
    assert folder_fingerprint(folder) is None


@pytest.mark.parametrize("kind", ["episodic", "serial"])
def test_lint_item_by_item_finds_what_lint_of_the_whole_feed_finds(show, kind):
    """The build lints each item once (kept with it) and the feed through a digest; a show with
    findings of every kind gets the same findings, in the same order, as linting the whole feed."""
    toml = show.root / "podcast.toml"
    text = toml.read_text().replace("https://cdn.example.com/show/", "http://cdn.example.com/show/")
    toml.write_text(text.replace('type = "episodic"', f'type = "{kind}"'))
    long_title = "A title that goes on " * 14
    show.add("long", date="2025-01-01", title=long_title.strip(), article="Word. " * 900)
    show.add("plain-link", date="2025-01-02", extra='link = "http://example.com/plain"')
    show.add("same-a", date="2025-01-03", title="Twice")
    show.add("same-b", date="2025-01-04", title="Twice")
    show.add("trailer", date="2025-01-05", extra='episode_type = "trailer"')
    _settle()
    pipeline.build(show.root, force=True)
    show.add("fresh", date="2025-01-06", title="Twice")
    catalog = pipeline.read_catalog(show.root)
    rendered = feed.assemble(catalog.show, catalog.published, catalog.items)
    now = datetime.now(UTC)
    itemwise = pipeline.lint_rendered(catalog, rendered, now=now, published_bytes=rendered.size)
    whole = lint.check_show(
        catalog.show,
        catalog.published,
        rendered.document,
        previous=show.feed.read_bytes(),
        now=now,
        ordered=feed.newest_first(catalog.published),
        published_bytes=rendered.size,
    )
    assert {p.code for p in whole} >= {"A106", "A113", "U101", "U102", "G102"}
    assert ("A122" in {p.code for p in whole}) == (kind == "serial")
    assert itemwise == whole


def _dropped(show) -> list[tuple[str, int | None, str]]:
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    return [(p.path, p.line, p.message) for p in caught.value.problems if "dropped" in p.message]


def test_a_dropped_episode_is_named_at_its_line_of_feed_xml_from_the_kept_digest(show):
    for number in range(1, 4):
        show.add(f"ep-{number}", date=f"2025-01-0{number}")
    pipeline.build(show.root)
    assert (show.root / lastfeed.RECORD_FILE).is_file()
    shutil.rmtree(show.root / "episodes/ep-2")
    from_digest = _dropped(show)
    lastfeed.forget(show.root)
    from_feed = _dropped(show)  # feed.xml itself parsed
    assert from_digest == from_feed
    ((path, line, message),) = from_digest
    assert path == "feeds/feed.xml" and "Ep-2" in message
    assert show.feed.read_text().splitlines()[line - 1].strip() == "<item>"


def test_a_hand_edited_feed_is_read_itself_not_its_digest(show):
    show.add("ep-1", date="2025-01-01")
    pipeline.build(show.root)
    text = show.feed.read_text()
    extra = "<item><title>Old one</title><guid>old-guid</guid></item>\n  </channel>"
    show.feed.write_text(text.replace("  </channel>", "    " + extra))
    ((_, _, message),) = _dropped(show)
    assert "'Old one' (guid old-guid)" in message


def test_episodes_moved_outside_behind_a_link_are_refused_though_kept(show, tmp_path):
    show.add("one")
    _settle()
    pipeline.build(show.root)
    elsewhere = tmp_path / "elsewhere"
    (show.root / "episodes").rename(elsewhere)  # the folders keep their stats
    (show.root / "episodes").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    assert any("outside the show directory" in p.message for p in caught.value.problems)


def test_a_kept_scheduled_episode_is_published_when_it_comes_due(show, tmp_path):
    show.add("out-now", date="2025-01-01")
    show.add("next-month", date="2025-02-01")
    _settle()
    pipeline.build(show.root, now=datetime(2025, 1, 15, tzinfo=UTC))
    assert _kept(show.root) == 2 and "Next-Month" not in show.feed.read_text()
    result = pipeline.build(show.root, now=datetime(2025, 2, 2, tzinfo=UTC))
    assert sorted(e.slug for e in result.catalog.published) == ["next-month", "out-now"]
    copy_without_cache(show.root, tmp_path / "cold")
    pipeline.build(tmp_path / "cold", now=datetime(2025, 2, 2, tzinfo=UTC))
    assert _tree(show.root / "feeds") == _tree(tmp_path / "cold" / "feeds")


def test_the_kept_digest_of_the_feed_holds_only_what_the_feed_rules_read(show):
    """Each build parses the digest of the last feed and of its own (10,000 items: an attribute
    is 8 MB of parsed tree): enclosures keep their URL alone, guids no isPermaLink; and a GUID
    changed since is still found against it."""
    show.add("ep-1", date="2025-01-01")
    pipeline.build(show.root)
    digest = (show.root / lastfeed.DIGEST_FILE).read_text()
    assert '<enclosure url="https://' in digest and "length=" not in digest and "isPermaLink" not in digest
    episode_md = show.root / "episodes/ep-1/episode.md"
    episode_md.write_text(episode_md.read_text().replace('guid = "', 'guid = "changed-'))
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    assert "G103" in {p.code for p in caught.value.problems}


def test_kept_chapters_and_page_keys_follow_the_base_url_and_the_episode(show, tmp_path):
    """A kept record gives the chapters JSON and the page key made with its item: a moved base
    URL (which every chapter image's URL holds) and an edited episode make them again, and the
    files written are what a cold build writes."""
    chapters_json = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Start", "img": "c.png"}]}
    for slug in ("one", "two"):
        folder = show.add(slug, date="2025-01-01" if slug == "one" else "2025-01-02")
        (folder / "chapters.json").write_text(json.dumps(chapters_json))
    pipeline.build(show.root)
    _settle()
    pipeline.build(show.root)
    assert _kept(show.root) == 2

    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text().replace("https://cdn.example.com/show/", "https://moved.example.org/"))
    pipeline.build(show.root)
    assert "https://moved.example.org/" in (show.root / "feeds/chapters/one.json").read_text()
    assert _tree(show.root / "feeds") == _cold_build(show.root, tmp_path / "cold-moved")
    _settle()
    pipeline.build(show.root)  # kept again, under the new address

    episode = show.root / "episodes/two/episode.md"
    episode.write_text(episode.read_text().replace('title = "', 'title = "Renamed '))
    pipeline.build(show.root)
    assert "Renamed " in (show.root / "feeds/episodes/two/index.html").read_text()
    assert _tree(show.root / "feeds") == _cold_build(show.root, tmp_path / "cold-renamed")


def test_a_record_whose_episode_has_another_shape_is_read_again_from_its_folder(show, caplog):
    """Records keep an episode as its fields' values alone: one written by a version with other
    fields is not taken for an episode; the folder is read again and the feed is the same."""
    import copyreg
    import io
    import pickle

    from podcast import cache
    from podcast.model import Episode

    show.add("one", date="2025-01-01")
    show.add("two", date="2025-01-02")
    pipeline.build(show.root)
    _settle()
    pipeline.build(show.root)
    before = show.feed.read_bytes()

    def shorter(episode: Episode):  # as a version whose Episode had one field fewer wrote it
        kept, (form, eager, parts) = cache._episode_parts(episode)
        return kept, ("other", eager[:-1], parts)

    with BuildCache(show.root) as kept:
        assert kept.db is not None
        rows = kept.db.execute("SELECT slug, fingerprint, value FROM episode").fetchall()
        assert len(rows) == 2
        redone = []
        for slug, fingerprint, value in rows:
            out = io.BytesIO()
            pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dispatch_table = {**copyreg.dispatch_table, Episode: shorter}
            pickler.dump(pickle.loads(value))
            redone.append((slug, fingerprint, out.getvalue()))
        kept.keep_pickled(redone)
    show.feed.unlink()
    with caplog.at_level("WARNING"):
        pipeline.build(show.root)
    assert "episode record one unreadable" in caplog.text
    assert show.feed.read_bytes() == before


def test_a_last_feed_too_large_to_read_without_its_digest_is_a_warning_not_silence(show, monkeypatch):
    """Without the kept digest, a feed.xml over what a build parses cannot be compared with:
    the build says so, rather than skipping the check for dropped episodes quietly."""
    for number in range(1, 3):
        show.add(f"ep-{number}", date=f"2025-01-0{number}")
    pipeline.build(show.root)
    monkeypatch.setattr(lastfeed, "FEED_MAX_BYTES", 200)  # a small cap stands for a 50 MB feed
    shutil.rmtree(show.root / "episodes/ep-2")
    lastfeed.forget(show.root)
    result = pipeline.build(show.root)  # the dropped episode went unnoticed: the warning says why
    (warning,) = [p for p in result.catalog.problems if "not checked against it" in p.message]
    assert warning.path == "feeds/feed.xml" and warning.severity == "warning"
    assert "feed_items" in (warning.hint or "")
    monkeypatch.setattr(lastfeed, "FEED_MAX_BYTES", 50_000_000)
    show.add("ep-3", date="2025-01-03")
    result = pipeline.build(show.root)  # read from the digest the last build kept: no warning
    assert not [p for p in result.catalog.problems if "not checked against it" in p.message]


def test_what_kept_records_load_only_when_read_builds_what_a_cold_build_builds(show, tmp_path):
    """A kept record's episode is loaded with only what every build reads; the rest (its notes,
    title, audio, ...) comes when first read: by a page rendered again for a kept episode, the
    list pages, an item made again after the author changed. Each writes what a cold build
    writes, and reports the same."""
    show.add("one", date="2025-01-01", article="One.\n\n00:00 Start\n00:01 Next\n")
    show.add("two", date="2025-01-02", article="Two *notes*.\n")
    show.add("three", date="2025-01-03", extra='image = "https://example.com/three.jpg"')
    pipeline.build(show.root)
    _settle()
    pipeline.build(show.root)  # keeps a record of every folder
    assert _kept(show.root) == 3

    def cold_report(number: int) -> dict:
        copy_without_cache(show.root, tmp_path / f"report-{number}")
        return pipeline.build(tmp_path / f"report-{number}").to_dict()

    page = show.root / "feeds/episodes/one/index.html"
    edits = {
        "a kept episode's page deleted": page.unlink,
        "an episode added (the list pages)": lambda: show.add("four", date="2025-01-04"),
        "the author changed (every item)": lambda: (show.root / "podcast.toml").write_text(
            (show.root / "podcast.toml").read_text().replace('"Ann Host"', '"Bo Host"')
        ),
        "one article edited": lambda: (show.root / "episodes/two/episode.md").write_text(
            (show.root / "episodes/two/episode.md").read_text().replace("*notes*", "*new notes*")
        ),
    }
    for number, (kind, edit) in enumerate(edits.items()):
        edit()
        report = pipeline.build(show.root).to_dict()
        assert _tree(show.root / "feeds") == _cold_build(show.root, tmp_path / f"cold-{number}"), kind
        cold = cold_report(number)
        same = {"feed": "", "changed": None, "pages": None}  # (where, and what it wrote: not the same)
        assert {**report, **same} == {**cold, **same}, kind
        _settle()
        pipeline.build(show.root)  # kept again
    text = show.feed.read_text()
    assert sorted(report["published"]) == ["four", "one", "three", "two"]
    assert "Bo Host" in text and "new notes" in text and "Four" in text
    assert "One." in page.read_text()
