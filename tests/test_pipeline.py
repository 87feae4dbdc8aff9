"""`build`: what goes into the feed, what stays out, and what a failed build leaves."""

from __future__ import annotations

import dataclasses
import gc
import pickle
import shutil
import time
import weakref
from datetime import UTC, datetime

import lxml.etree
import pytest
from conftest import copy_without_cache
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from podcast import pipeline
from podcast.cache import BuildCache
from podcast.config import read_show
from podcast.errors import PodcastError
from podcast.model import Episode
from podcast.uptodate import RACY_NS


def test_drafts_and_future_episodes_stay_out_and_are_listed(show):
    show.add("out-now", date="2025-01-01")
    show.add("unfinished", date="2025-01-02", extra="draft = true", audio=False)
    show.add("next-month", date="2025-02-01")
    result = pipeline.build(show.root, now=datetime(2025, 1, 15, tzinfo=UTC))
    catalog = result.catalog
    assert [e.slug for e in catalog.published] == ["out-now"]
    assert [e.slug for e in catalog.drafts] == ["unfinished"]
    assert [e.slug for e in catalog.scheduled] == ["next-month"]
    text = show.feed.read_text()
    assert "Out-Now" in text and "Next-Month" not in text and "Unfinished" not in text


def test_a_scheduled_episode_appears_once_its_date_has_come(show):
    show.add("next-month", date="2025-02-01")
    pipeline.build(show.root, now=datetime(2025, 1, 15, tzinfo=UTC))
    assert "Next-Month" not in show.feed.read_text()
    pipeline.build(show.root, now=datetime(2025, 2, 2, tzinfo=UTC))
    assert "Next-Month" in show.feed.read_text()


def test_a_broken_episode_stops_the_build_and_leaves_the_last_feed_untouched(show):
    show.add("good", date="2025-01-01")
    pipeline.build(show.root)
    before = show.feed.read_bytes()
    show.add("broken-audio", date="2025-01-02", audio=False, extra='audio = "nothing-here.mp3"')
    bad = show.add("not-audio", date="2025-01-03")
    (bad / "not-audio.mp3").write_bytes(b"this is a text file, not MPEG audio\n" * 50)
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    assert show.feed.read_bytes() == before
    reported = {p.path for p in caught.value.problems if p.severity == "error"}
    assert reported == {"episodes/broken-audio/episode.md", "episodes/not-audio/episode.md"}


def test_an_episode_without_guid_gets_a_stable_one_and_a_warning(show):
    folder = show.add("no-guid")
    text = (folder / "episode.md").read_text().replace('guid = "guid-no-guid-0000"\n', "")
    (folder / "episode.md").write_text(text)
    first = pipeline.build(show.root)
    guid = first.catalog.published[0].guid
    warning = [p for p in first.catalog.problems if p.field == "guid"]
    assert warning and warning[0].severity == "warning" and guid in warning[0].hint
    # Rebuilding, editing the title or moving the base URL keeps it.
    (folder / "episode.md").write_text(text.replace('title = "No-Guid"', 'title = "Renamed"'))
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text().replace("cdn.example.com", "media.example.org"))
    assert pipeline.build(show.root).catalog.published[0].guid == guid


def test_artwork_is_published_beside_the_feed(show):
    Image.new("RGB", (1400, 1400), "teal").save(show.root / "cover.png")
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text().replace('# artwork = "artwork.jpg"', 'artwork = "cover.png"'))
    show.add("one")
    pipeline.build(show.root)
    assert (show.root / "feeds" / "artwork.png").read_bytes() == (show.root / "cover.png").read_bytes()
    assert '<itunes:image href="https://cdn.example.com/show/artwork.png"/>' in show.feed.read_text()


SPOKEN = "One\n\n" + "word " * 8 + "end.\n\nTwo\n\n" + "word " * 18 + "end.\n\n00:00 A\n00:05 B\n"


def test_a_show_that_asks_for_section_chapters_gets_them_from_the_audio_duration(show):
    toml = show.root / "podcast.toml"
    toml.write_text('chapters = "sections"\n' + toml.read_text())
    show.add("read-aloud", date="2025-01-02", seconds=6, article=SPOKEN)
    show.add("own-marks", date="2025-01-01", seconds=6, article=SPOKEN, extra='chapters = "timestamps"')
    catalog = pipeline.read_catalog(show.root)
    episodes = {e.slug: e for e in catalog.published}
    read_aloud = episodes["read-aloud"]
    duration = read_aloud.info.duration
    words = 1 + 9 + 1 + 19 + 2 * 2  # the timestamp lines are read too
    assert [(c.start, c.title) for c in read_aloud.chapters] == [
        (0.0, "One"),
        (float(round(duration * 10 / words)), "Two"),
    ]
    assert [(c.start, c.title) for c in episodes["own-marks"].chapters] == [(0.0, "A"), (5.0, "B")]


def test_a_markdown_episode_is_read_as_markdown(show):
    show.add("md", extra='format = "markdown"', article="## Heading\n\nSome *emphasis* here.\n")
    (episode,) = pipeline.read_catalog(show.root).published
    assert episode.notes.html == "<h2>Heading</h2>\n<p>Some <em>emphasis</em> here.</p>"


def test_timestamp_chapters_past_the_end_of_the_audio_are_left_out_with_a_warning(show):
    article = "Notes.\n\n00:00 Welcome\n00:02 The point\n04:10 A typo for 0:04\n1:00:00 Far away\n"
    show.set_show_keys("simple_chapters = true")
    show.add("ep", seconds=3, article=article)
    result = pipeline.build(show.root)
    (episode,) = result.catalog.published
    assert [c.title for c in episode.chapters] == ["Welcome", "The point"]
    warnings = [p for p in result.catalog.problems if "end of the audio" in p.message]
    assert [p.severity for p in warnings] == ["warning", "warning"]
    assert all(p.path.endswith("episodes/ep/episode.md") for p in warnings)
    assert "4:10 'A typo for 0:04'" in warnings[0].message and "1:00:00 'Far away'" in warnings[1].message
    assert f"(0:03, {episode.info.duration:.1f} s)" in warnings[0].message
    published = (show.root / "feeds" / "chapters" / "ep.json").read_text()
    assert "The point" in published and "typo" not in published and "Far away" not in published
    psc = lxml.etree.parse(str(show.feed)).xpath(
        "//psc:chapter/@title", namespaces={"psc": "http://podlove.org/simple-chapters"}
    )
    assert psc == ["Welcome", "The point"]


def _psc_titles(show) -> list[str]:
    return lxml.etree.parse(str(show.feed)).xpath(
        "//psc:chapter/@title", namespaces={"psc": "http://podlove.org/simple-chapters"}
    )


def test_when_every_chapter_is_past_the_end_no_format_of_chapters_is_published(show):
    show.set_show_keys("simple_chapters = true")
    show.add("ep", seconds=3, article="Notes.\n\n00:10 Later\n00:20 Much later\n")
    pipeline.build(show.root)
    assert _psc_titles(show) == []
    assert "podcast:chapters" not in show.feed.read_text()


def test_an_empty_chapters_json_means_no_chapters_in_any_format(show):
    show.set_show_keys("simple_chapters = true")
    folder = show.add("ep", seconds=3, article="Notes.\n\n00:00 Start\n00:01 Then\n")
    (folder / "chapters.json").write_text('{"version": "1.2.0", "chapters": []}')
    pipeline.build(show.root)
    assert _psc_titles(show) == []
    assert "podcast:chapters" not in show.feed.read_text()


def test_a_chapter_in_chapters_json_past_the_end_is_reported_against_that_file(show):
    folder = show.add("ep", seconds=3)
    (folder / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "In"},'
        ' {"startTime": 3.5, "title": "Out"}]}'
    )
    result = pipeline.build(show.root)
    (episode,) = result.catalog.published
    assert [c.title for c in episode.chapters] == ["In"]
    (warning,) = [p for p in result.catalog.problems if "end of the audio" in p.message]
    assert warning.path == "episodes/ep/chapters.json" and warning.severity == "warning"


def test_an_episode_with_a_front_matter_error_still_has_its_files_checked(show):
    folder = show.add("ep", extra='season = "one"')
    (folder / "transcript.vtt").write_text("not a transcript\n")
    (folder / "chapters.json").write_text('{"chapters": [{"title": "no start"}]}')
    broken = show.add("broken")
    (broken / "broken.mp3").write_bytes(b"")  # an audio file that cannot be read
    (broken / "transcript.srt").write_text("1\n1.5 --> 2.9\nHello\n")
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    found = {(p.path, p.field) for p in caught.value.problems}
    assert ("episodes/ep/episode.md", "season") in found
    assert ("episodes/ep/transcript.vtt", None) in found
    assert ("episodes/ep/chapters.json", "chapters[1]") in found
    assert ("episodes/broken/transcript.srt", None) in found


def test_transcript_cues_past_the_end_of_the_audio_are_a_warning(show):
    folder = show.add("ep", seconds=3)
    (folder / "transcript.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello.\n\n00:00:02.000 --> 00:00:09.000\nStill talking.\n"
    )
    result = pipeline.build(show.root)
    (cue,) = [p for p in result.catalog.problems if p.path == "episodes/ep/transcript.vtt"]
    assert cue.severity == "warning" and cue.line == 6 and cue.message.startswith("cue 2 ends at 9.0 s")


def _varied_show(show, count: int) -> None:
    """Episodes of every kind a build meets: warnings of reading and of making ready, chapters from
    the notes and from chapters.json, a transcript, a draft and a scheduled episode."""
    for number in range(count):
        show.add(
            f"ep{number:02d}",
            date=f"2025-01-{number % 28 + 1:02d}",
            seconds=1 + number % 3,
            article=f"Episode {number}.\n\n00:00 Start\n00:01 Middle\n\n## A heading\n\nMore for {number}.\n",
        )
    show.write("no-guid", 'title = "No GUID"\ndate = 2025-01-03\naudio = "ep01.mp3"')
    shutil.copy(show.root / "episodes/ep01/ep01.mp3", show.root / "episodes/no-guid/ep01.mp3")
    (show.root / "episodes/ep02/transcript.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello.\n\n00:00:01.000 --> 00:00:09.000\nToo long.\n"
    )
    (show.root / "episodes/ep03/chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "One"},'
        ' {"startTime": 99, "title": "Late"}]}'
    )
    show.add("unfinished", date="2025-01-02", extra="draft = true", audio=False)
    show.add("next-year", date="2099-01-01")


def _outcome(root, progress=None) -> tuple[dict[str, bytes], list[dict]]:
    """feeds/ as a build writes it, and every problem it reports (also when it stops)."""
    try:
        problems = pipeline.build(root, progress=progress).catalog.problems
    except PodcastError as exc:
        problems = exc.problems
    feeds = root / "feeds"
    tree = {str(p.relative_to(feeds)): p.read_bytes() for p in sorted(feeds.rglob("*")) if p.is_file()}
    return tree, [p.to_dict() for p in problems]


def _labels() -> tuple[list[str], object]:
    """A progress callback that notes the work it is shown."""
    seen: list[str] = []

    def progress(items, label):
        seen.append(label)
        return items

    return seen, progress


def test_a_cold_build_on_every_core_writes_and_reports_what_one_process_does(show, tmp_path, monkeypatch):
    from podcast import parallel

    _varied_show(show, 12)
    alone = tmp_path / "alone"
    shutil.copytree(show.root, alone)
    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, "3")
    seen, progress = _labels()
    in_parallel = _outcome(show.root, progress)
    assert "Reading episodes" in seen  # the folders were read and made ready by worker processes
    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, str(10**9))  # one process only
    seen, progress = _labels()
    assert _outcome(alone, progress) == in_parallel
    assert "Reading episodes" not in seen
    feed, problems = in_parallel
    assert feed["feed.xml"].count(b"<item>") == 13
    assert {(p["path"], p["severity"]) for p in problems} >= {
        ("episodes/no-guid/episode.md", "warning"),
        ("episodes/ep02/transcript.vtt", "warning"),
        ("episodes/ep03/chapters.json", "warning"),
    }
    # Built again, every record comes from the build cache: the same feed and the same report.
    assert _outcome(show.root) == in_parallel


def test_new_folders_read_by_workers_among_kept_records_build_as_a_cold_build_does(
    show, tmp_path, monkeypatch
):
    import time

    from podcast import parallel
    from podcast.uptodate import RACY_NS

    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, "3")
    _varied_show(show, 6)
    pipeline.build(show.root)
    time.sleep(RACY_NS / 1e9 + 0.05)  # the files' time stamps are trusted from now on
    pipeline.build(show.root)  # every folder's record kept
    for number in range(6, 12):
        show.add(
            f"ep{number:02d}", date=f"2025-02-{number:02d}", article=f"New {number}.\n\n00:00 A\n00:01 B\n"
        )
    show.write("new-no-guid", 'title = "New, no GUID"\ndate = 2025-02-20\naudio = "a.mp3"')
    shutil.copy(show.root / "episodes/ep01/ep01.mp3", show.root / "episodes/new-no-guid/a.mp3")
    cold = tmp_path / "cold"
    copy_without_cache(show.root, cold)
    seen, progress = _labels()
    mixed = _outcome(show.root, progress)
    assert "Reading episodes" in seen  # the new folders went to the workers, the others were kept
    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, str(10**9))
    assert _outcome(cold) == mixed
    assert mixed[0]["feed.xml"].count(b"<item>") == 14


def test_an_error_found_by_a_worker_process_names_its_file_and_line(show, tmp_path, monkeypatch):
    from podcast import parallel

    _varied_show(show, 8)
    show.write("bad-date", 'title = "Bad"\ndate = "2 April"\nguid = "guid-bad"\naudio = "x.mp3"')
    show.add("long-bite", seconds=2, extra="[[soundbite]]\nstart = 1.0\nduration = 15.0\n")
    alone = tmp_path / "alone"
    shutil.copytree(show.root, alone)
    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, "2")
    feed, problems = _outcome(show.root)
    assert "feed.xml" not in feed  # the build stopped
    errors = {(p["path"], p["field"], p["line"]) for p in problems if p["severity"] == "error"}
    assert ("episodes/bad-date/episode.md", "date", 3) in errors
    assert ("episodes/long-bite/episode.md", "soundbite", 6) in errors
    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, str(10**9))
    assert _outcome(alone) == (feed, problems)


def test_a_feeds_path_that_is_a_file_is_a_problem_not_a_crash(show):
    import json
    import subprocess
    import sys

    show.add("ep")
    (show.root / "feeds").rmdir()
    (show.root / "feeds").write_text("not a folder")
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    (problem,) = caught.value.problems
    assert (problem.path, problem.message) == ("feeds", "is a file where a folder is needed")
    assert "move or rename" in problem.hint
    done = subprocess.run(
        [sys.executable, "-c", "from podcast.cli import main; main()", "build", "--json", str(show.root)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "internal error" not in done.stderr
    assert json.loads(done.stdout)["problems"][0]["path"] == "feeds"


def test_a_feed_that_cannot_be_written_is_named_and_the_old_feed_stays(show):
    show.add("ep")
    pipeline.build(show.root)
    before = show.feed.read_bytes()
    (show.root / "feeds" / "transcripts").write_text("a file where the build wants a folder")
    folder = show.add("second", date="2025-02-01")
    (folder / "transcript.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n")
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    (problem,) = caught.value.problems
    assert (problem.path, problem.message) == ("feeds/transcripts", "is a file where a folder is needed")
    assert show.feed.read_bytes() == before


class _Cycle:
    """Garbage only the cyclic collector frees: it refers to itself."""

    def __init__(self) -> None:
        self.me = self


def test_a_process_that_reads_the_catalog_again_does_not_keep_garbage_for_ever(show):
    """read_catalog leaves the loaded catalog out of later collector passes (gc.freeze); the
    preview server reads it again and again, and what was garbage at the first read is freed
    by the next one, not kept as long as the process runs."""
    show.add("one", date="2025-01-01")
    gc.collect()
    gc.disable()  # no pass frees it before the first read: it is still there when the catalog is frozen
    try:
        garbage = _Cycle()
        gone = weakref.ref(garbage)
        del garbage  # unreachable, but only a collector pass frees it
        pipeline.read_catalog(show.root)
    finally:
        gc.enable()
    pipeline.read_catalog(show.root)
    assert gone() is None


def _feeds(root) -> dict[str, bytes]:
    folder = root / "feeds"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _kept_records(root) -> dict[str, dict[str, str]]:
    """The records the build cache of `root` keeps, by slug: each field's repr (its episodes', field
    by field), the show's folder in it written as ROOT."""

    def shown(value: object) -> str:
        return repr(value).replace(str(root), "ROOT")

    with BuildCache(root) as cache:
        assert cache.db is not None
        rows = cache.db.execute("SELECT slug, value FROM episode").fetchall()
    found = {}
    for slug, value in rows:
        record = pickle.loads(value)
        fields = {}
        for field in dataclasses.fields(record):
            value = getattr(record, field.name)
            fields[field.name] = shown(value)
            if isinstance(value, Episode):
                fields.update(
                    {
                        f"{field.name}.{f.name}": shown(getattr(value, f.name))
                        for f in dataclasses.fields(value)
                    }
                )
        found[slug] = fields
    return found


def _built(root) -> tuple[dict[str, bytes], list[dict]]:
    """feeds/ and the problems a build of `root` reports (an error that stops it included)."""
    try:
        problems = pipeline.build(root).catalog.problems
    except PodcastError as exc:
        problems = exc.problems
    return _feeds(root), [p.to_dict() for p in problems]


# Settings only the items read, changed one after another: each build remakes the items from the
# records kept by the one before, and must write and report what a build from nothing does.
ITEM_SETTINGS = [
    ('author = "Ann Host"', 'author = "Bea Host & Co <the hosts>"'),
    ("explicit = false", "explicit = true"),
    ('type = "episodic"', 'type = "serial"'),  # A122 on the episodes without a number: an error
    ('type = "serial"', 'type = "episodic"'),
    ("explicit = true", 'explicit = true\nenclosure_prefix = "https://op3.dev/e/"'),
    ("explicit = true", 'explicit = true\nlicense = "CC-BY-4.0"\nsimple_chapters = true'),
    ("explicit = true", 'explicit = true\nperson = [{ name = "Ann Host", role = "host" }]'),
    ("explicit = true", 'explicit = true\nlocation = [{ name = "Austin, TX" }]'),
    ('author = "Bea Host & Co <the hosts>"', 'author = "Ann Host"'),
]


@pytest.mark.parametrize("parallel_min", ["1", "1000"], ids=["workers", "one process"])
def test_settings_only_items_read_remake_the_items_as_a_cold_build_makes_them(
    show, tmp_path, monkeypatch, parallel_min
):
    monkeypatch.setenv("PODCAST_PARALLEL_MIN", parallel_min)
    long_notes = "\n\n".join(f"Part {n}\n\n" + "Words of the part, and more words. " * 30 for n in range(8))
    show.add("one", date="2025-01-01", article="Intro\n\n00:00 Start\n00:01 Middle\n")
    show.add("two", date="2025-01-02", article=long_notes, extra="episode = 2")
    show.add("three", date="2025-01-03", extra='hosts = ["Cy Guest"]')
    show.add("draft", date="2025-01-04", extra="draft = true", audio=False)
    (show.root / "episodes/one/transcript.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHi.\n")
    pipeline.build(show.root)
    time.sleep(RACY_NS / 1e9 + 0.05)  # the folders' files old enough for their records to be kept
    pipeline.build(show.root)
    for number, (old, new) in enumerate(ITEM_SETTINGS):
        toml = show.root / "podcast.toml"
        assert old in toml.read_text()
        toml.write_text(toml.read_text().replace(old, new, 1))
        cold = tmp_path / f"cold-{number}"
        copy_without_cache(show.root, cold)
        assert _built(show.root) == _built(cold), new
        # Every published episode's kept record was remade with the settings now, and reads back
        # as the record a build from nothing keeps, field by field.
        time.sleep(RACY_NS / 1e9 + 0.05)  # (the copy's files are new: kept by a second build)
        _built(cold)
        remade, made = _kept_records(show.root), _kept_records(cold)
        made_with = {record["item_key"] for record in remade.values() if record["ready"] != "None"}
        assert made_with == {repr(pipeline.item_key(read_show(show.root)[0]))}, new
        assert remade.keys() == made.keys(), new
        for slug, record in remade.items():
            for name, value in record.items():
                if name != "page_key":  # (it covers the transcript by its stat: the copy's is its own)
                    assert value == made[slug][name], (new, slug, name)
    text = show.feed.read_text()
    assert "<itunes:author>Ann Host</itunes:author>" in text and "op3.dev/e/" in text and "Austin, TX" in text


@pytest.mark.parametrize("parallel_min", ["1", "1000"], ids=["workers", "one process"])
def test_an_item_setting_changed_reads_a_folder_again_whose_notes_the_cache_lost(
    show, tmp_path, monkeypatch, parallel_min
):
    monkeypatch.setenv("PODCAST_PARALLEL_MIN", parallel_min)
    show.add("one", date="2025-01-01", article="Intro\n\nWords of one, with a <b>tag</b>.\n")
    show.add("two", date="2025-01-02", article="Two\n\nMore of two.\n")
    pipeline.build(show.root)
    time.sleep(RACY_NS / 1e9 + 0.05)
    pipeline.build(show.root)
    with BuildCache(show.root) as cache:
        assert cache.db is not None
        cache.db.execute("DELETE FROM notes")
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text().replace('author = "Ann Host"', 'author = "Bea Host"'))
    cold = tmp_path / "cold"
    copy_without_cache(show.root, cold)
    assert _built(show.root) == _built(cold)
    assert "Words of one" in show.feed.read_text() and "Bea Host" in show.feed.read_text()


@pytest.mark.parametrize("tail", [0, 4])
def test_a_build_by_worker_processes_keeps_every_episode_in_the_build_cache(show, monkeypatch, tail):
    import sqlite3
    import time

    from podcast import parallel
    from podcast.cache import CACHE_FILE
    from podcast.uptodate import RACY_NS

    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, "3")
    monkeypatch.setattr(pipeline, "FOLDER_BATCH", 4)  # several batches a worker
    monkeypatch.setattr(pipeline, "FOLDER_TAIL", tail)  # and at the end small ones, stored one by one
    monkeypatch.setattr(pipeline, "SAVE_EVERY", 6)  # else stored along the way, the rest as they exit
    for number in range(24):
        show.add(f"ep{number:02d}", date=f"2025-01-{number + 1:02d}", article=f"Episode {number}.\n")
    time.sleep(RACY_NS / 1e9 + 0.05)  # the files' time stamps are trusted from now on
    seen, progress = _labels()
    cold = _outcome(show.root, progress)
    assert "Reading episodes" in seen
    with sqlite3.connect(show.root / CACHE_FILE) as db:
        tables = ("episode", "probe", "notes")
        counts = [db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables]
    assert counts == [24, 24, 24]
    seen.clear()
    assert _outcome(show.root, progress) == cold  # every record kept: no folder read again
    assert "Reading episodes" not in seen


def test_a_batch_of_folders_made_ready_together_gives_each_the_record_it_gets_alone(show):
    """A worker makes its batch ready a step at a time over all of it (_read_and_ready); every
    record, with its problems in order, is the one the folder gives when it is the only one:
    broken audio, a transcript past the audio's end, chapters.json, a draft, a scheduled one."""
    import os
    from datetime import UTC, datetime

    from podcast.cache import BuildCache
    from podcast.config import episode_folders, read_show

    _varied_show(show, 5)
    show.write("broken", 'title = "Broken"\ndate = 2025-01-04\nguid = "g-broken"\naudio = "b.mp3"')
    (show.root / "episodes/broken/b.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x10 not audio at all")
    (show.root / "episodes/broken/transcript.vtt").write_text("not webvtt")
    (show.root / "episodes/ep04/chapters.json").write_text('{"chapters": "none"}')
    current, _ = read_show(show.root)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    paths = episode_folders(current.root)
    real_root = os.path.realpath(current.root)
    with BuildCache(current.root) as cache:
        together = pipeline._read_and_ready(
            current, now, cache, pipeline._Finisher(current, now), paths, real_root
        )
    with BuildCache(current.root) as cache:
        alone = [
            pipeline._read_and_ready(
                current, now, cache, pipeline._Finisher(current, now), [path], real_root
            )[0]
            for path in paths
        ]
    assert together == alone
    assert [r.ready is not None for r in together].count(True) >= 6  # made ready, not all dropped
    broken = together[[p.name for p in paths].index("broken")]
    assert broken.ready is None and [p.path for p in broken.ready_problems] == [
        "episodes/broken/episode.md",
        "episodes/broken/transcript.vtt",
    ]


# Prints, after a real build of the show at argv[1], every module the build's process imported.
_BUILD_THEN_LIST_MODULES = """
import json, sys
from podcast import pipeline
pipeline.build(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""
# What a build imports only to read audio, open an image or render an article (~60 ms together).
_READERS_AND_RENDERERS = {"mutagen", "PIL", "markdown_it", "linkify_it", "nh3"}


def _packages_a_build_imports(root) -> set[str]:
    """The top-level packages a whole `build` of `root` imports, in a process of its own."""
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _BUILD_THEN_LIST_MODULES, str(root)],
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {name.partition(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_a_build_that_reads_no_audio_and_renders_no_article_does_not_import_their_libraries(show):
    """After the author changes (every item is made again, from the notes the cache keeps) a
    build reads no audio file and renders no article: it loads neither mutagen nor Pillow nor
    the Markdown renderer, and its feed says what a build from an empty cache says."""
    article = "See [the notes](https://example.com/notes) and **more** at www.example.com.\n"
    for number in range(3):
        show.add(f"ep{number}", date=f"2025-01-0{number + 1}", extra='format = "markdown"', article=article)
    first = _packages_a_build_imports(show.root)
    assert {"mutagen", "markdown_it", "linkify_it", "nh3"} <= first  # the audio read, the articles rendered
    time.sleep(RACY_NS / 1e9 + 0.05)  # (the folders' stats are old enough to be trusted)
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text("utf-8").replace('author = "Ann Host"', 'author = "Bea Host"'), "utf-8")
    again = _packages_a_build_imports(show.root)
    assert not again & _READERS_AND_RENDERERS
    written = show.feed.read_bytes()
    assert b"Bea Host" in written and b'<a href="https://example.com/notes">the notes</a>' in written
    shutil.rmtree(show.root / ".podcast")
    pipeline.build(show.root)
    assert show.feed.read_bytes() == written


def test_items_remade_by_workers_are_kept_by_them_and_built_as_a_cold_build_builds(
    show, tmp_path, monkeypatch
):
    """Workers that make the items again after an item setting changed store the records
    themselves, several batches between stores and the rest as they exit, and send back only the
    new parts: the build writes and reports what a build from nothing does, and the next build
    finds every record made with the settings now (no item made again, no folder read)."""
    import sqlite3

    from podcast import parallel
    from podcast.cache import CACHE_FILE

    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, "3")
    monkeypatch.setattr(pipeline, "ITEM_BATCH", 4)  # several batches a worker
    monkeypatch.setattr(pipeline, "SAVE_EVERY", 6)  # stored along the way, the rest as they exit
    for number in range(24):
        show.add(f"ep{number:02d}", date=f"2025-01-{number + 1:02d}", article=f"Episode {number}.\n")
    time.sleep(RACY_NS / 1e9 + 0.05)  # the files' time stamps are trusted from now on
    pipeline.build(show.root)
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text().replace('author = "Ann Host"', 'author = "Bea Host"'))
    cold = tmp_path / "cold"
    copy_without_cache(show.root, cold)
    seen, progress = _labels()
    remade = _outcome(show.root, progress)
    assert "Making items" in seen and "Reading episodes" not in seen
    assert remade == _outcome(cold)
    assert "<itunes:author>Bea Host</itunes:author>" in show.feed.read_text()
    with sqlite3.connect(show.root / CACHE_FILE) as db:
        rows = db.execute("SELECT value FROM episode").fetchall()
    now = pipeline.item_key(read_show(show.root)[0])
    assert len(rows) == 24 and {pickle.loads(value).item_key for (value,) in rows} == {now}
    seen.clear()
    assert _outcome(show.root, progress) == remade
    assert "Making items" not in seen and "Reading episodes" not in seen


def _batches_seen() -> tuple[dict[str, int], object]:
    """A progress callback that counts the batches of work it is shown, by label."""
    seen: dict[str, int] = {}

    def progress(items, label):
        seen[label] = seen.get(label, 0) + len(items)
        return items

    return seen, progress


@pytest.mark.parametrize("parallel_min", ["3", "1000"], ids=["workers", "one process"])
def test_a_cold_build_whose_readers_fingerprint_the_folders_is_recorded_as_a_whole_walk_is(
    show, monkeypatch, parallel_min
):
    """A build with no build cache has its folders fingerprinted by whoever reads them (the
    workers, or this process): the next build finds nothing changed and repeats the report, and
    after one article is edited, the build after reads that folder alone."""
    import json

    from podcast import parallel, uptodate

    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, parallel_min)
    monkeypatch.setattr(pipeline, "FOLDER_BATCH", 4)
    monkeypatch.setattr(pipeline, "FOLDER_TAIL", 0)
    for number in range(12):
        show.add(f"ep{number:02d}", date=f"2025-01-{number + 1:02d}", article=f"Episode {number}.\n")
    (show.root / "episodes" / "ep03" / "extra").mkdir()  # (walked, not read)
    (show.root / "episodes" / "_unread").mkdir()
    time.sleep(RACY_NS / 1e9 + 0.05)  # the files' time stamps are trusted from now on
    seen, progress = _batches_seen()
    cold = _outcome(show.root, progress)
    assert seen.get("Reading episodes", 0) == (3 if parallel_min == "3" else 0)
    options = {"strict": False, "force": False, "allow_removal": False}
    recorded = json.loads((show.root / uptodate.RECORD_FILE).read_text("utf-8"))
    assert recorded["inputs"] == uptodate.Snapshot.take(show.root, options).inputs
    assert uptodate.unchanged_report(show.root, options) == recorded["report"]
    article = show.root / "episodes" / "ep05" / "episode.md"
    article.write_text(article.read_text("utf-8").replace("Episode 5.", "Episode V."), "utf-8")
    time.sleep(RACY_NS / 1e9 + 0.05)
    assert uptodate.unchanged_report(show.root, options) is None  # (as the command, before it builds)
    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, "1")  # every folder read goes to a worker,
    monkeypatch.setattr(pipeline, "FOLDER_BATCH", 1)  # one a batch: the batches count them
    seen.clear()
    again = _outcome(show.root, progress)
    assert again[1] == cold[1] and b"Episode V." in again[0]["feed.xml"]
    assert seen["Reading episodes"] == 1


def test_a_file_changed_while_a_cold_build_reads_the_folders_is_read_by_the_next_build(show, monkeypatch):
    """The snapshot a cold build records has each folder's fingerprint from before its reader read
    it: articles edited (their size kept) while the folders are read, before, while or after their
    own folder is, are seen by the next build, which reads them again; the build after that is
    unchanged."""
    from podcast import parallel, uptodate

    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, "3")
    monkeypatch.setattr(pipeline, "FOLDER_BATCH", 2)
    monkeypatch.setattr(pipeline, "FOLDER_TAIL", 0)
    for number in range(24):
        show.add(f"ep{number:02d}", date=f"2025-01-{number + 1:02d}")
    time.sleep(RACY_NS / 1e9 + 0.05)

    def retitle(slug: str) -> None:
        article = show.root / "episodes" / slug / "episode.md"
        article.write_text(article.read_text("utf-8").replace(f"Ep{slug[2:]}", f"Zz{slug[2:]}"), "utf-8")

    def progress(batches, label):
        for index in batches:
            if index == 3:  # batches 0 to 2 are read, the next ones may be being read, the last are not
                for number in range(24):
                    retitle(f"ep{number:02d}")
            yield index

    pipeline.build(show.root, progress=progress)
    assert b"<title>Ep00</title>" in show.feed.read_bytes()  # read before the edit
    time.sleep(RACY_NS / 1e9 + 0.05)
    options = {"strict": False, "force": False, "allow_removal": False}
    assert uptodate.unchanged_report(show.root, options) is None
    pipeline.build(show.root)
    feed = show.feed.read_bytes()
    assert feed.count(b"<title>Zz") == 24 and b"<title>Ep" not in feed
    time.sleep(RACY_NS / 1e9 + 0.05)
    assert uptodate.unchanged_report(show.root, options) is not None


def test_a_cold_build_over_its_own_pages_is_followed_by_a_warm_one_and_hand_edits_are_found(
    show, monkeypatch
):
    """A cold build (no build cache, feeds/ as the last build left it) finds every page holding
    its bytes; the two processes writing pages state each page's folder as they leave it, and
    the record takes those (no folder of them walked again): the build right after is warm
    (reported from the record, nothing written), and a page edited by hand or a file put into a
    page's folder by hand after it are found by the next check."""
    from podcast import uptodate
    from podcast.web import forked, site

    if not forked.can_fork():
        pytest.skip("no fork here")
    monkeypatch.setattr(site, "PAGES_PER_PROCESS", 5)  # a page process rendering ahead
    monkeypatch.setattr(site, "PROCESSES", 2)
    for number in range(24):
        show.add(f"ep{number:02d}", date=f"2025-01-{number + 1:02d}", article=f"Episode {number}.\n")
    time.sleep(RACY_NS / 1e9 + 0.05)
    pipeline.build(show.root)
    shutil.rmtree(show.root / ".podcast")
    time.sleep(RACY_NS / 1e9 + 0.05)  # the pages as the last build left them, settled
    handed: list[dict] = []
    record = uptodate.record

    def recording(*args, stated=None, **keywords):
        handed.append(dict(stated or {}))
        record(*args, stated=stated, **keywords)

    monkeypatch.setattr(uptodate, "record", recording)
    assert pipeline.build(show.root).pages == ()
    assert {f"episodes/ep{number:02d}/" for number in range(24)} <= handed[0].keys()
    options = {"strict": False, "force": False, "allow_removal": False}
    time.sleep(RACY_NS / 1e9 + 0.05)
    assert uptodate.unchanged_report(show.root, options) is not None
    page = show.root / "feeds" / "episodes" / "ep03" / "index.html"
    written = page.read_bytes()
    page.write_bytes(written.replace(b"Episode", b"Edisode", 1))  # same size
    assert uptodate.unchanged_report(show.root, options) is None
    assert pipeline.build(show.root).pages == ("episodes/ep03/index.html",)
    assert page.read_bytes() == written
    time.sleep(RACY_NS / 1e9 + 0.05)
    assert uptodate.unchanged_report(show.root, options) is not None
    (page.parent / "by-hand.txt").write_text("put here by hand", "utf-8")
    assert uptodate.unchanged_report(show.root, options) is None


PATH_PARTS = st.sampled_from(["a.mp3", "..", ".", "", "sub", "ep-1", "/", "x..y", "...", "ep-10"])


@given(parts=st.lists(PATH_PARTS, max_size=4))
@example(parts=["..", "ep-1", "a.mp3"])
@example(parts=["a.mp3"])
@example(parts=[])
def test_a_file_is_in_the_episode_folder_as_its_normal_path_says(parts):
    # A record is kept only when every file it read is in its folder; a plain name there is
    # taken as it is, any other path as os.path.normpath has it.
    import os

    folder = "/show/episodes/ep-1/"
    path = "/show/episodes/ep-1/" + "/".join(parts)
    assert pipeline._below(folder, path) == os.path.normpath(path).startswith(folder)
    assert pipeline._below(folder, "/show/episodes/" + "/".join(parts)) == os.path.normpath(
        "/show/episodes/" + "/".join(parts)
    ).startswith(folder)
