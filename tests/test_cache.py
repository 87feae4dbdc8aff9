"""The probe cache: a rebuild with nothing changed opens no audio file; a bad cache is rebuilt."""

from __future__ import annotations

import dataclasses
import os
import pickle
import sqlite3
import sys
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import copy_without_cache
from hypothesis import given, settings
from hypothesis import strategies as st

from podcast import cache, lint, notes, pipeline
from podcast.cache import CACHE_FILE, BuildCache, Prepared
from podcast.errors import PodcastError
from podcast.model import AudioInfo, Chapter, Episode, Section, ShowNotes, Transcript, replaced, unread_parts

OPENED: list[str] | None = None  # while a list, every file Python opens is recorded in it


def _record_opens(event: str, args: tuple) -> None:
    if OPENED is not None and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_record_opens)  # a real interpreter hook (PEP 578); it cannot be removed, so it is gated


def build_recording_opens(root) -> tuple[pipeline.BuildResult, list[str]]:
    """Build, and list the audio files Python opened while doing it."""
    global OPENED
    OPENED = []
    try:
        result = pipeline.build(root)
    finally:
        opened, OPENED = OPENED, None
    return result, sorted({Path(p).name for p in opened if p.endswith(".mp3")})


def test_a_rebuild_with_nothing_changed_opens_no_audio_file(show):
    folders = [show.add(f"ep{n}", date=f"2025-01-0{n}", seconds=2 + n) for n in range(1, 3)]
    folders.append(show.add("ep3", date="2025-01-03", seconds=5, extra='alternate_audio = ["ep3-low.mp3"]'))
    (folders[-1] / "ep3-low.mp3").write_bytes((folders[-1] / "ep3.mp3").read_bytes())
    first, opened = build_recording_opens(show.root)
    assert opened == ["ep1.mp3", "ep2.mp3", "ep3-low.mp3", "ep3.mp3"]  # the hook sees audio being read
    feed = show.feed.read_bytes()
    second, opened = build_recording_opens(show.root)
    assert opened == []
    assert show.feed.read_bytes() == feed
    assert [e.info for e in second.catalog.published] == [e.info for e in first.catalog.published]
    with BuildCache(show.root) as cache:
        for folder in folders:
            cache.read(folder / f"{folder.name}.mp3")
        assert cache.opened == 0


def test_a_file_replaced_keeping_its_size_and_mtime_is_read_again(show):
    """`cp -p` or `rsync -t` of garbage of the same size: only the change time and inode differ."""
    folder = show.add("ep", seconds=3)
    pipeline.build(show.root)
    mp3 = folder / "ep.mp3"
    stat = mp3.stat()
    mp3.write_bytes(b"\0" * stat.st_size)
    os.utime(mp3, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    assert any("ep.mp3" in p.message for p in caught.value.problems)


def test_a_changed_file_is_read_again(show):
    folder = show.add("ep", seconds=3)
    pipeline.build(show.root)
    mp3 = folder / "ep.mp3"
    mp3.write_bytes(b"\0" * mp3.stat().st_size)  # same size, new mtime
    os.utime(mp3, ns=(mp3.stat().st_atime_ns, mp3.stat().st_mtime_ns + 5_000_000_000))
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    assert any("ep.mp3" in p.message for p in caught.value.problems)


def test_a_longer_file_gets_its_new_duration(show, mp3_factory):
    folder = show.add("ep", seconds=3)
    assert round(pipeline.build(show.root).catalog.published[0].info.duration) == 3
    (folder / "ep.mp3").write_bytes(mp3_factory(6).read_bytes())
    assert round(pipeline.build(show.root).catalog.published[0].info.duration) == 6


@pytest.mark.parametrize("damage", ["garbage", "old-schema"])
def test_an_unreadable_cache_is_rebuilt_and_never_fatal(show, damage):
    show.add("ep", seconds=3)
    pipeline.build(show.root)
    cache_file = show.root / CACHE_FILE
    if damage == "garbage":
        cache_file.write_bytes(b"this is not a database" * 100)
    else:
        with sqlite3.connect(cache_file) as db:
            db.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    result = pipeline.build(show.root)
    assert result.catalog.published[0].info.duration == pytest.approx(3, abs=0.1)
    with BuildCache(show.root) as cache:
        cache.read(show.root / "episodes/ep/ep.mp3")
        assert cache.opened == 0  # filled again by the build above


def test_the_cache_lives_in_the_git_ignored_podcast_folder(show):
    show.add("ep")
    pipeline.build(show.root)
    assert (show.root / ".podcast" / "cache.sqlite").is_file()
    assert ".podcast/" in (show.root / ".gitignore").read_text()


# ---------------------------------------------------------------- rendered show notes

ARTICLE = "Why Sleep Matters\n\nThe body repairs itself at night.\n\n00:00 Intro\n00:02 Main part\n"


def test_cached_show_notes_are_exactly_what_rendering_gives(show):
    show.add("rested", article=ARTICLE, seconds=4)
    first = pipeline.build(show.root).catalog.published[0]
    again = pipeline.build(show.root).catalog.published[0]  # notes served from the cache
    assert (again.notes, again.chapters) == (first.notes, first.chapters)
    assert [c.title for c in again.chapters] == ["Intro", "Main part"]  # (made from the notes)


def test_an_edited_article_is_rendered_again(show):
    folder = show.add("rested", article=ARTICLE)
    pipeline.build(show.root)
    md = folder / "episode.md"
    md.write_text(md.read_text().replace("repairs itself", "mends itself"))
    pipeline.build(show.root)
    text = show.feed.read_text()
    assert "mends itself" in text and "repairs itself" not in text


def test_a_changed_show_link_changes_the_full_notes_link_despite_the_cache(show):
    long_article = "\n\n".join(f"Paragraph {i} says something worth hearing." * 8 for i in range(60))
    show.add("long", article=long_article)
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text() + "\n[pages]\nenabled = false\n")  # the notes link to the show's site
    pipeline.build(show.root)
    toml.write_text(
        toml.read_text().replace('link = "https://example.com/"', 'link = "https://example.org/"')
    )
    pipeline.build(show.root)
    assert '<a href="https://example.org/">More at example.org</a>' in show.feed.read_text()


# ---------------------------------------------------------------- podcast lint FEED.xml


def lint_feed_recording_opens(feed: Path) -> tuple[list, list[str]]:
    """`podcast lint FEED.xml`'s checks, and the audio files Python opened while doing them."""
    global OPENED
    OPENED = []
    try:
        problems = lint.check_feed_file(feed)
    finally:
        opened, OPENED = OPENED, None
    return problems, sorted({Path(p).name for p in opened if p.endswith(".mp3")})


def test_linting_the_built_feed_again_opens_no_audio_file(show):
    for n in range(1, 3):
        show.add(f"ep{n}", date=f"2025-01-0{n}", seconds=2 + n)
    pipeline.build(show.root)
    # A file changed since the build is read once, then found in the cache like the others.
    ep2 = show.root / "episodes/ep2/ep2.mp3"
    os.utime(ep2, ns=(ep2.stat().st_atime_ns, ep2.stat().st_mtime_ns + 5_000_000_000))
    first, opened = lint_feed_recording_opens(show.feed)
    assert opened == ["ep2.mp3"]
    second, opened = lint_feed_recording_opens(show.feed)
    assert opened == []
    assert first == second
    assert not [p for p in first if p.code in ("M103", "M104")]  # the feed agrees with its files
    # Lint still judges the files: a size the feed does not declare is M103, cache or not.
    with ep2.open("ab") as grown:
        grown.write(b"\0" * 100)
    (problem,) = [p for p in lint.check_feed_file(show.feed) if p.code in ("M103", "M104")]
    assert problem.code == "M103" and problem.message.startswith('"Ep2": ')
    assert problem.message.endswith(f"the file has {ep2.stat().st_size} bytes")


def test_linting_a_feed_creates_no_cache_in_a_show_without_one(show):
    show.add("ep", seconds=3)
    pipeline.build(show.root)
    (show.root / CACHE_FILE).unlink()
    _, opened = lint_feed_recording_opens(show.feed)
    assert opened == ["ep.mp3"]  # read directly, as before there was a cache
    assert not (show.root / CACHE_FILE).exists()


# ---------------------------------------------------------------- episode records, worker copies


def _kept_fingerprints(root) -> dict[str, str]:
    with BuildCache(root) as cache:
        assert cache.db is not None
        return dict(cache.db.execute("SELECT slug, fingerprint FROM episode"))


def test_kept_records_come_back_in_one_query_only_while_their_fingerprint_holds(show):
    import time

    from podcast.uptodate import RACY_NS

    for number in range(3):
        show.add(f"ep{number}", date=f"2025-01-0{number + 1}")
    pipeline.build(show.root)
    time.sleep(RACY_NS / 1e9 + 0.05)  # the files' time stamps are trusted from now on
    pipeline.build(show.root)
    fingerprints = _kept_fingerprints(show.root)
    assert sorted(fingerprints) == ["ep0", "ep1", "ep2"]
    with BuildCache(show.root) as cache:
        records = cache.kept(fingerprints)
        assert sorted(records) == ["ep0", "ep1", "ep2"]
        assert records["ep1"].ready is not None and b"<title>Ep1</title>" in records["ep1"].item
        changed = dict(fingerprints, ep1="another fingerprint", gone="whatever")
        assert sorted(cache.kept(changed)) == ["ep0", "ep2"]


def test_a_worker_copy_of_the_cache_hands_its_entries_to_the_build_to_store(show):
    folder = show.add("ep", seconds=3)
    audio = folder / "ep.mp3"
    with BuildCache(show.root) as cache:
        worker = cache.for_worker()
        found = worker.read(audio)
        assert worker.opened == 1
        entries = worker.take_pending()
        assert len(entries) == 1 and worker.take_pending() == []
        assert cache.db is not None
        assert cache.db.execute("SELECT COUNT(*) FROM probe").fetchone() == (0,)  # the worker stored nothing
        cache.store(entries)
        assert cache.read(audio) == found
        assert cache.opened == 0  # taken from what the worker found, the file not opened again


# ---------------------------------------------------------------- the notes' entries

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_ARTICLE = (
    (REPO / "episodes/ketamine-for-chronic-migraine/episode.md").read_text("utf-8").split("+++")[2]
)
VARIED_ARTICLES = {
    "text": (EXAMPLE_ARTICLE, {}),
    "markdown": (
        "# Title\n\nSome *words* and [a link](https://example.com/).\n\n## Part\n\n- one\n- two\n",
        {},
    ),
    "plain markdown": ('# Heading\n\nWords "quoted"\nacross lines.\n\n## Next\n\nMore words.', {}),
    "html": (
        '<h2>Links</h2><p>See <a href="/guide">the guide</a> &amp; more.</p><ul><li>a</li></ul>'
        "<blockquote><p>quoted</p><p>twice</p></blockquote><table><tr><td>x</td><td>y</td></tr></table><hr>",
        {"page_url": "https://example.com/episodes/one/"},
    ),
    "unicode": ("Überschrift\n\n中文的段落。 مرحبا بالعالم 😀 —\u00a0no-break\n\n00:00 Début\n12:34 Fin", {}),
    "timestamps": ("Chapters\n\n00:00 Intro\n01:30 Main part\n1:02:03 The end", {}),
    "sections": (
        "Intro words here.\n\nPart one\n\nWords of part one.\n\nPart two\n\nWords of part two.",
        {"chapters_from": "sections", "duration": 1800.0},
    ),  # fmt: skip
    "huge": ("\n\n".join([EXAMPLE_ARTICLE] * 45), {"more_url": "https://example.com/full"}),
    "empty": ("", {}),
    "html with empty blocks": ('<p>a</p><p></p><hr><ol start="3"><li>x</li></ol>', {}),
}


@pytest.mark.parametrize("name", list(VARIED_ARTICLES))
def test_a_notes_entry_read_back_gives_the_notes_rendering_gives(tmp_path, name):
    article, options = VARIED_ARTICLES[name]
    rendered = notes.render(article, title="Title", **options)
    assert cache.decode_notes(cache.encode_notes(rendered)) == rendered
    inputs = {"article": article, "title": "Title", **options}
    renders: list[ShowNotes] = []

    def render() -> ShowNotes:
        renders.append(notes.render(article, title="Title", **options))
        return renders[-1]

    with BuildCache(tmp_path) as first:
        assert first.notes(inputs, render) == rendered
    with BuildCache(tmp_path) as again:
        assert again.notes(inputs, render) == rendered  # from the entry
    assert len(renders) == 1


TEXTS = st.text(max_size=20)  # any character, line feeds and spaces and digits among them
SECONDS = st.one_of(st.integers(0, 10**6), st.floats(0, 1e7, allow_nan=False), st.floats(-1e3, 0))
CHAPTERS = st.builds(
    Chapter, start=SECONDS, title=TEXTS, end=st.one_of(st.none(), SECONDS),
    url=st.one_of(st.none(), TEXTS), image=st.one_of(st.none(), TEXTS),
)  # fmt: skip
SECTIONS = st.builds(
    Section, heading=st.one_of(st.none(), TEXTS), paragraphs=st.lists(TEXTS, max_size=4).map(tuple)
)


@st.composite
def any_notes(draw) -> ShowNotes:
    sections = tuple(draw(st.lists(SECTIONS, max_size=4)))
    made = [
        part for s in sections for part in ([s.heading] if s.heading is not None else []) + list(s.paragraphs)
    ]
    text = draw(st.one_of(st.just("\n\n".join(made)), TEXTS))  # as rendering makes it, or not
    return ShowNotes(
        sections=sections,
        html=draw(TEXTS),
        description_html=draw(TEXTS),
        text=text,
        title=draw(st.one_of(st.none(), TEXTS)),
        chapters=tuple(draw(st.lists(CHAPTERS, max_size=3))),
    )


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(shown=any_notes())
def test_any_notes_read_back_from_their_entry_are_the_same(shown):
    value = cache.encode_notes(shown)
    assert value is not None
    back = cache.decode_notes(value)
    assert back == shown
    assert [type(c.start) for c in back.chapters] == [type(c.start) for c in shown.chapters]


def _damaged(value: str) -> dict[str, object]:
    line, _, rest = value.partition("\n")
    lengths, _, body = rest.partition("\n")
    numbers = line.split(" ")
    return {
        "cut short": value[: len(value) // 2],
        "a character changed": value[:-5] + ("x" if value[-5] != "x" else "y") + value[-4:],
        "a length changed": f"{line}\n{lengths.replace(' ', ' 1', 1)}\n{body}",
        "a negative length": f"{line}\n-{lengths}\n{body}",
        "more sections than strings": " ".join([*numbers[:4], "1000000000000", *numbers[5:]]) + "\n" + rest,
        "another mark": value.replace("n2", "n9", 1),
        "nothing after the numbers": line,
        "empty": "",
        "bytes": value.encode(),
        "a number": 7,
        "JSON, as entries were": '{"sections": [], "html": "<p>x</p>"}',
    }


def test_a_damaged_or_made_up_notes_entry_is_rendered_again_not_trusted(tmp_path):
    article, options = VARIED_ARTICLES["html"]
    rendered = notes.render(article, title="Title", **options)
    inputs = {"article": article, "title": "Title", **options}
    with BuildCache(tmp_path) as built:
        built.notes(inputs, lambda: rendered)
        key, value = built.db.execute("SELECT key, value FROM notes").fetchone()
    for name, bad in _damaged(value).items():
        with pytest.raises(ValueError):
            cache.decode_notes(bad)
        db = sqlite3.connect(tmp_path / CACHE_FILE)
        db.execute("UPDATE notes SET value = ? WHERE key = ?", (bad, key))
        db.commit()
        db.close()
        renders: list[ShowNotes] = []

        def render(renders=renders) -> ShowNotes:
            renders.append(notes.render(article, title="Title", **options))
            return renders[-1]

        with BuildCache(tmp_path) as again:
            found = again.notes(inputs, render)
        assert found == rendered and len(renders) == 1, name
        with BuildCache(tmp_path) as mended:  # and the entry is a good one again
            assert mended.notes(inputs, lambda: pytest.fail("rendered again")) == rendered


def test_notes_keys_differ_whenever_an_input_does():
    inputs = {"article": "a b", "title": "T", "duration": None, "format": "text"}
    changed = [
        {**inputs, "article": "a  b"},
        {**inputs, "title": None},
        {**inputs, "title": "None"},
        {**inputs, "duration": 0.0},
        {**inputs, "duration": 0},
        {**inputs, "format": "markdown"},
        {**inputs, "article": "a b\ntitle s1:T"},  # an article that spells out what follows it
        {key: value for key, value in inputs.items() if key != "duration"},
    ]
    keys = {cache.notes_key("renderer", found) for found in [inputs, *changed]}
    assert len(keys) == len(changed) + 1
    assert cache.notes_key("renderer", inputs) == cache.notes_key("renderer", dict(reversed(inputs.items())))
    assert cache.notes_key("other renderer", inputs) != cache.notes_key("renderer", inputs)


def test_a_worker_copy_stores_what_it_made_itself_and_the_build_finds_it(show):
    folder = show.add("ep", seconds=3)
    audio = folder / "ep.mp3"
    with BuildCache(show.root) as cache:
        worker = cache.for_worker()
        found = worker.read(audio)
        worker.keep_pickled([("ep", "a fingerprint", b"a record")])
        assert worker.save_pending()  # in a transaction of its own, while the build's process reads on
        assert worker.take_pending() == []  # nothing left to hand over
        assert cache.read(audio) == found
        assert cache.opened == 0  # what the worker stored, the file not opened again
        assert cache.db is not None
        kept = cache.db.execute("SELECT fingerprint FROM episode WHERE slug = 'ep'").fetchone()
        assert kept == ("a fingerprint",)


def test_a_worker_that_cannot_store_hands_what_it_made_to_the_build(show, monkeypatch):
    from podcast import cache as cache_module

    monkeypatch.setattr(cache_module, "WORKER_WAIT", 0.1)
    folder = show.add("ep", seconds=3)
    audio = folder / "ep.mp3"
    with BuildCache(show.root) as cache:
        worker = cache.for_worker()
        found = worker.read(audio)
        assert cache.db is not None
        cache.db.execute("BEGIN IMMEDIATE")  # the cache locked for writing by another
        assert not worker.save_pending()
        entries = worker.take_pending()
        assert len(entries) == 1
        cache.commit()
        cache.store(entries)
        assert cache.read(audio) == found and cache.opened == 0


def test_a_cache_closed_in_the_background_is_whole_for_whoever_opens_it_next(show):
    import threading

    folder = show.add("ep", seconds=3)
    audio = folder / "ep.mp3"
    cache = BuildCache(show.root)
    found = cache.read(audio)
    cache.close(wait=False)
    with BuildCache(show.root) as again:  # at once, while the first may still be closing
        assert again.read(audio) == found and again.opened == 0
    for thread in threading.enumerate():
        if thread.name == "build cache closing":
            thread.join()
    assert not (show.root / (CACHE_FILE + "-wal")).exists()  # its log copied into the file, and removed
    with BuildCache(show.root) as last:
        assert last.read(audio) == found and last.opened == 0


def test_a_probe_entry_holds_what_a_build_reads_of_the_audio_and_none_of_its_tags(show, tmp_path):
    """The stream's facts and the chapters, chapter images with their bytes (the build publishes
    them); not a 3 KB comment or the cover art, which no build reads."""
    from media import cover
    from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TIT2, CTOCFlags

    from podcast import audio as audio_files
    from podcast.cache import from_json, to_json

    folder = show.add("ep", seconds=3)
    path = folder / "ep.mp3"
    png = cover(tmp_path / "c.png", (32, 24), "teal").read_bytes()
    tags = ID3()
    tags.add(COMM(encoding=1, lang="eng", desc="", text="Long notes. " * 250))
    tags.add(APIC(encoding=0, mime="image/png", type=3, desc="", data=png))
    for number in range(2):
        sub = [TIT2(encoding=1, text=f"Part {number}")]
        if number:
            sub.append(APIC(encoding=0, mime="image/png", type=0, desc="", data=png))
        tags.add(
            CHAP(
                element_id=f"c{number}",
                start_time=number * 1000,
                end_time=number * 1000 + 1000,
                sub_frames=sub,
            )
        )
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL, child_element_ids=["c0", "c1"], sub_frames=[]))
    tags.save(path, v2_version=3)
    found = audio_files.read(path, with_tags=False)
    entry = to_json(found)
    assert from_json(path, entry) == found
    assert found.chapters[1].picture is not None and found.chapters[1].picture.data == png
    assert (
        "Long notes" not in entry and len(entry) < 1000
    )  # the picture's 1/3 more as base64, and little else
    assert audio_files.read(path).tags.comment is not None  # the file does have them
    with BuildCache(show.root) as cache:
        assert cache.read(path) == found  # read, and kept
        assert cache.opened == 1
    with BuildCache(show.root) as cache:
        assert cache.read(path) == found  # from the entry
        assert cache.opened == 0


ZONES = st.sampled_from(
    [
        None,
        UTC,
        timezone(timedelta(hours=5, minutes=30), "IST"),
        timezone(-timedelta(hours=3, microseconds=7)),
        ZoneInfo("Europe/Berlin"),
        ZoneInfo("America/New_York"),
    ]
)


@st.composite
def any_records(draw) -> Prepared:
    """A ready record as a build keeps it, with every kind of value an episode's fields take."""
    moment = draw(st.datetimes(timezones=ZONES, allow_imaginary=False))
    if draw(st.booleans()):
        moment = moment.replace(fold=1)
    info = draw(
        st.one_of(
            st.none(),
            st.builds(AudioInfo, size=st.integers(0, 2**40), mime=TEXTS, duration=st.floats(0, 1e6)),
        )
    )
    folder = f"/show/episodes/{draw(st.text('abc-é', min_size=1, max_size=8))}"
    episode = Episode(
        slug=draw(TEXTS),
        source=draw(TEXTS),
        title=draw(TEXTS),
        date=moment,
        guid=draw(TEXTS),
        audio=draw(st.one_of(st.none(), st.just(Path(folder, "a b.mp3")))),
        season=draw(st.one_of(st.none(), st.integers())),
        episode_type=draw(st.sampled_from(["full", "trailer", "bonus"])),
        explicit=draw(st.one_of(st.none(), st.booleans())),
        hosts=tuple(draw(st.lists(TEXTS, max_size=2))),
        draft=draw(st.booleans()),
        removed=draw(st.booleans()),
        image=draw(st.one_of(st.none(), TEXTS)),
        lines={"title": draw(st.integers(1, 99))},
        info=info,
        notes=draw(st.one_of(st.none(), any_notes())),
        transcripts=tuple(
            Transcript(Path(folder, name), "text/vtt") for name in draw(st.lists(TEXTS, max_size=2))
        ),
        audio_chapters=tuple(draw(st.lists(CHAPTERS, max_size=2))),
        chapters=tuple(draw(st.lists(CHAPTERS, max_size=2))),
    )
    return Prepared(
        episode,
        (),
        ready=episode,
        item=draw(st.binary(max_size=30)),
        digest=draw(st.one_of(st.none(), st.binary(max_size=8))),
        page_key=b"k" * 16,
        item_key=draw(TEXTS),
    )


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(record=any_records(), first=st.sampled_from([None, *dataclasses.fields(Episode)]))
def test_a_kept_record_reads_back_as_the_record_it_was_made_of(record, first):
    """Whichever field of a kept episode is read first (most never are: they are unpickled when
    first read), every field reads as the episode had it, and so do its date's zone and fold."""
    back = pickle.loads(cache.pickle_record(record))
    episode, original = back.ready, record.ready
    assert back.episode is episode  # one episode, as the record had it
    if first is not None:
        assert getattr(episode, first.name) == getattr(original, first.name)
    for field in dataclasses.fields(Episode):
        value, made = getattr(episode, field.name), getattr(original, field.name)
        assert value == made and type(value) is type(made), field.name
    assert episode.date.tzinfo == original.date.tzinfo and episode.date.fold == original.date.fold
    assert episode.date.utcoffset() == original.date.utcoffset()
    assert back == record and repr(back) == repr(record) and hash(episode) == hash(original)
    assert pickle.loads(cache.pickle_record(back)) == record  # kept again as it was read


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    record=any_records(),
    read=st.sampled_from([(), ("title",), ("source",), ("title", "source")]),
    item=st.binary(max_size=30),
    digest=st.binary(max_size=8),
)
def test_a_kept_record_with_a_new_item_is_stored_as_one_made_anew(record, read, item, digest):
    """A kept record whose item was made again (and whatever of its episode was read to make it),
    stored with the parts its episode was loaded from, reads back field by field as the record
    made with that item from nothing, and as the long way (its groups pickled again) stores it.
    (Not the same bytes: pickle writes equal strings apart or as one by their identity, which
    unpickling and Path do not keep.)"""
    back = pickle.loads(cache.pickle_record(record))
    parts = unread_parts(back.ready)
    assert parts is not None
    for name in read:  # (title: the listed group, source: the other)
        getattr(back.ready, name)
    assert (unread_parts(back.ready) is None) == bool(read)  # a part read is let go
    remade = replaced(back, item=item, digest=digest, item_key="now")
    made = replaced(record, item=item, digest=digest, item_key="now")
    long_way = pickle.loads(cache.pickle_record(remade))
    again = pickle.loads(cache.pickle_record(remade, parts))
    assert again == made == long_way and again.ready is again.episode
    for field in dataclasses.fields(Prepared):
        assert getattr(again, field.name) == getattr(made, field.name), field.name
    for field in dataclasses.fields(Episode):
        value, original = getattr(again.ready, field.name), getattr(record.ready, field.name)
        assert value == original and type(value) is type(original), field.name
        assert value == getattr(long_way.ready, field.name), field.name
    # Parts are an episode's own: another episode in the record is pickled the long way.
    other = replaced(record.ready, title=record.ready.title + "!")
    mixed = pickle.loads(cache.pickle_record(replaced(remade, episode=other), parts))
    assert mixed.episode == other and mixed.ready == record.ready
    assert unread_parts(replaced(back.ready, title="x")) is None  # made otherwise


def test_dates_in_equal_zones_of_other_names_are_stored_each_with_its_own():
    """Zones of one offset compare equal whatever their names: each date keeps its own."""
    east, west = timezone(timedelta(hours=1), "East"), timezone(timedelta(hours=1), "West")
    for zone in (east, west, east):
        record = Prepared(
            episode := Episode(
                slug="one", source="s", title="t", date=datetime(2025, 1, 1, tzinfo=zone), guid="g"
            ),
            (),
            ready=episode,
        )
        assert pickle.loads(cache.pickle_record(record)).ready.date.tzname() == zone.tzname(None)


def test_a_kept_episode_copied_or_compared_before_any_of_its_fields_was_read_is_whole():
    record = Prepared(
        episode := Episode(
            slug="one",
            source="episodes/one/episode.md",
            title="One",
            date=datetime(2025, 1, 1, tzinfo=UTC),
            guid="g",
            audio=Path("/show/episodes/one/one.mp3"),
            notes=ShowNotes(sections=(), html="<p>x</p>", description_html="", text="x"),
        ),
        (),
        ready=episode,
    )
    assert replaced(pickle.loads(cache.pickle_record(record)).ready, title="Two") == replaced(
        episode, title="Two"
    )
    assert pickle.loads(cache.pickle_record(record)).ready == episode
    assert pickle.loads(pickle.dumps(pickle.loads(cache.pickle_record(record)).ready)) == episode
    with pytest.raises(AttributeError):
        pickle.loads(cache.pickle_record(record)).ready.no_such_field  # noqa: B018


def test_a_record_of_another_form_is_read_as_none_and_said(caplog):
    """A record written by code with other fields in it, or other groups, is not read as this one."""
    record = Prepared(
        episode := Episode(
            slug="one", source="s", title="t", date=datetime(2025, 1, 1, tzinfo=UTC), guid="g"
        ),
        (),
        ready=episode,
    )
    other = cache.pickle_record(record).replace(cache.RECORD_FORM.encode(), b"0" * len(cache.RECORD_FORM))
    with caplog.at_level("WARNING"):
        assert cache._unpickled("one", "f", other, cache.record_checksum("one", "f", other)) is None
    assert "episode record one unreadable" in caplog.text
    value = cache.pickle_record(record)
    assert cache._unpickled("one", "f", value, cache.record_checksum("one", "f", value)) == record


def test_the_record_of_a_folder_gone_is_forgotten_by_the_next_build(show):
    """Every build reads the whole table of records: one of a folder renamed or deleted would be
    read by every build after it, for nothing."""
    import shutil
    import time

    from podcast.uptodate import RACY_NS

    for number in range(3):
        show.add(f"ep{number}", date=f"2025-01-0{number + 1}")
    pipeline.build(show.root)
    time.sleep(RACY_NS / 1e9 + 0.05)
    pipeline.build(show.root)
    assert sorted(_kept_fingerprints(show.root)) == ["ep0", "ep1", "ep2"]
    shutil.rmtree(show.root / "episodes/ep1")
    (show.root / "episodes/ep2").rename(show.root / "episodes/ep3")
    pipeline.build(show.root, allow_removal=True)
    assert sorted(_kept_fingerprints(show.root)) == ["ep0", "ep3"]  # (ep3's files are not fresh)


def _html_or_refused(decode, value) -> object:
    try:
        return decode(value)
    except ValueError:
        return ValueError


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    shown=any_notes(), at=st.integers(0, 10**6), put=st.sampled_from(["", "0", "1", " ", "-", "\n", "x", "9"])
)
def test_the_html_of_a_notes_entry_is_read_as_the_whole_entry_reads_it(shown, at, put):
    """decode_notes_html gives decode_notes' html and description_html, and refuses what it
    refuses: for any notes, the entry damaged anywhere, and the damage of _damaged."""
    value = cache.encode_notes(shown)
    assert value is not None
    where = at % (len(value) + 1)
    for entry in (value, value[:where] + put + value[where + 1 :], value[:where], *_damaged(value).values()):
        whole = _html_or_refused(cache.decode_notes, entry)
        expected = whole if whole is ValueError else (whole.html, whole.description_html)
        assert _html_or_refused(cache.decode_notes_html, entry) == expected
    assert cache.decode_notes_html(value) == (shown.html, shown.description_html)


def _record_damaged(values: dict[str, bytes], damage: str) -> dict[str, bytes]:
    if damage == "a title's letter flipped":
        return {**values, "ep0": values["ep0"].replace(b"Title Alpha", b"Title Alphz")}
    if damage == "cut short":
        return {**values, "ep0": values["ep0"][: len(values["ep0"]) // 2]}
    return {**values, "ep0": values["ep1"], "ep1": values["ep0"]}  # swapped


@pytest.mark.parametrize("damage", ["a title's letter flipped", "cut short", "swapped"])
def test_a_kept_record_damaged_or_another_folders_is_read_again_from_its_folder(
    show, tmp_path, caplog, damage
):
    """A record's episode reads most fields only when first read, deep in the build: a record not
    the one the cache wrote for that folder must not be taken at all, or the feed would publish
    its damage (a title misspelt, an episode twice and another missing) as if it were the show."""
    import shutil
    import sqlite3
    import time

    from podcast.uptodate import RACY_NS

    show.add("ep0", title="Title Alpha", date="2025-01-01")
    show.add("ep1", title="Title Beta", date="2025-01-02")
    show.add("ep2", title="Title Gamma", date="2025-01-03")
    pipeline.build(show.root)
    time.sleep(RACY_NS / 1e9 + 0.05)
    pipeline.build(show.root)
    with sqlite3.connect(show.root / CACHE_FILE) as db:
        values = dict(db.execute("SELECT slug, value FROM episode"))
        assert b"Title Alpha" in values["ep0"]
        for slug, value in _record_damaged(values, damage).items():
            db.execute("UPDATE episode SET value = ? WHERE slug = ?", (value, slug))
    db.close()
    article = show.root / "episodes/ep2/episode.md"
    article.write_text(article.read_text().replace("An episode.", "An episode, edited."))
    with caplog.at_level("WARNING"):
        pipeline.build(show.root)
    cold = tmp_path / "cold"
    copy_without_cache(show.root, cold)
    shutil.rmtree(cold / "feeds")
    pipeline.build(cold)
    text = show.feed.read_text()
    assert "Title Alphz" not in text and text.count("Title Alpha") == text.count("Title Beta") > 0
    assert text == (cold / "feeds/feed.xml").read_text()
    assert "episode record ep0" in caplog.text  # said, and read again from its folder


def test_records_kept_are_read_while_another_build_holds_the_cache_to_write(show):
    """Forgetting the records of folders gone writes to the cache; while another build writes
    (two at once), that waits and gives up: the records read are still this build's, not a
    reason to read every folder again."""
    import sqlite3
    import time

    from podcast.uptodate import RACY_NS

    for number in range(3):
        show.add(f"ep{number}", date=f"2025-01-0{number + 1}")
    pipeline.build(show.root)
    time.sleep(RACY_NS / 1e9 + 0.05)
    pipeline.build(show.root)
    fingerprints = _kept_fingerprints(show.root)
    del fingerprints["ep2"]  # (its folder gone)
    other = sqlite3.connect(show.root / CACHE_FILE, isolation_level=None)
    with BuildCache(show.root) as kept:
        other.execute("BEGIN IMMEDIATE")
        try:
            assert sorted(kept.kept(fingerprints)) == ["ep0", "ep1"]
        finally:
            other.execute("ROLLBACK")
            other.close()
    with BuildCache(show.root) as kept:
        assert sorted(kept.kept(fingerprints)) == ["ep0", "ep1"]
    assert sorted(_kept_fingerprints(show.root)) == ["ep0", "ep1"]  # forgotten once it could be


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(record=any_records())
def test_a_records_episode_is_stored_in_the_bytes_the_records_own_pickler_would_write(record):
    """Each group of an episode's fields is pickled on its own, without the record's pickler: what
    is stored (and what its checksum covers) is byte for byte what that pickler writes of it."""
    import copyreg
    import io

    from podcast.model import deferred_values

    def nested(value: object) -> tuple:
        raise AssertionError(f"a group of an episode's fields holds a {type(value).__name__}")

    stored = cache.pickle_record(record)
    for values in deferred_values:
        out = io.BytesIO()
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = {**copyreg.dispatch_table, Episode: nested, Prepared: nested}
        pickler.dump(values(record.ready))
        assert out.getvalue() in stored


def test_a_probe_is_keyed_and_stamped_as_the_file_s_real_path_and_stat_say(show, tmp_path):
    """`read` finds a file's stat and key with one lstat when it is no link: the same as its
    stat and the real path below the show, for a plain file, a file that is a link, a file in
    a folder that is a link (inside the show and outside it), and a path through '..'."""
    folder = show.add("ep", seconds=2)
    audio = folder / "ep.mp3"
    (folder / "linked.mp3").symlink_to(audio)
    (show.root / "episodes" / "other").symlink_to(folder)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "far.mp3").write_bytes(audio.read_bytes())
    (folder / "far.mp3").symlink_to(outside / "far.mp3")
    (show.root / "episodes" / "away").symlink_to(outside)
    paths = [
        audio,
        folder / "linked.mp3",
        show.root / "episodes" / "other" / "ep.mp3",
        folder / "far.mp3",
        show.root / "episodes" / "away" / "far.mp3",
        folder / ".." / "ep" / "ep.mp3",
    ]
    with BuildCache(show.root) as build_cache:
        for path in paths:
            facts, key = build_cache._stat_and_key(path)
            assert key == build_cache._key(path), path
            assert cache._stamp(facts) == cache._stamp(path.stat()), path
        assert build_cache._stat_and_key(folder / "ep.mp3")[1] == "episodes/ep/ep.mp3"
        with pytest.raises(OSError):
            build_cache._stat_and_key(folder / "missing.mp3")
        found = build_cache.read(folder / "linked.mp3")
        assert build_cache.read(audio) == dataclasses.replace(found, path=audio)
        assert build_cache.opened == 1  # the link and its target are one file to the cache


def test_a_worker_whose_snapshot_holds_no_probe_reads_each_file_and_one_with_probes_finds_them(show):
    """A worker's copy made while the cache holds no probe (a cold build) reads every file, and
    what it reads is what a worker finds once the probes are stored."""
    folders = [show.add(f"ep{n}", date=f"2025-01-0{n}", seconds=1 + n) for n in range(1, 4)]
    audios = [folder / f"{folder.name}.mp3" for folder in folders]
    with BuildCache(show.root) as build_cache:
        build_cache.commit()
        cold = build_cache.for_worker()
        assert cold.no_probes
        found = [cold.read(audio) for audio in audios]
        assert cold.opened == 3
        assert cold.save_pending()
        assert cold.read(audios[0]) == found[0]  # its snapshot still holds none: the file is read
        assert cold.opened == 4
        warm = build_cache.for_worker()
        assert not warm.no_probes
        assert [warm.read(audio) for audio in audios] == found
        assert warm.opened == 0


def test_a_cache_closed_without_waiting_is_closed_once_wait_closed_returns(tmp_path):
    """`close(wait=False)` copies the cache's log into its file in a thread (the build goes on
    meanwhile); `wait_closed` (which `pipeline.build` calls before it returns) waits for it, so
    that a copy or a removal of the show right after finds no file vanishing under it."""
    with BuildCache(tmp_path) as opened:
        assert opened.db is not None and opened.shared  # a log (WAL) to copy
        opened.db.execute("CREATE TABLE filler (data BLOB)")
        opened.db.executemany("INSERT INTO filler VALUES (?)", [(os.urandom(1 << 20),) for _ in range(24)])
        opened.close(wait=False)
        log_file = tmp_path / f"{CACHE_FILE}-wal"
        cache.wait_closed()
        assert not log_file.exists()  # copied in, and removed by the last connection closing
    assert "build cache closing" not in {thread.name for thread in threading.enumerate()}
