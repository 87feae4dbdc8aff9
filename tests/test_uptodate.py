"""podcast.uptodate: a build with nothing changed repeats its report without rebuilding,
and any change a build depends on makes the next build a full one."""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from datetime import UTC, datetime, timedelta

import pytest
from conftest import run

from podcast import pipeline, uptodate
from podcast.files import FolderListing

OPTIONS = {"strict": False, "force": False, "allow_removal": False}


def settle() -> None:
    """Let the file system's clock move past the last edit (a change within one tick is 'racy')."""
    time.sleep(uptodate.RACY_NS / 1e9 + 0.05)


def build_json(root, *args) -> dict:
    result = run("build", "--json", *args, str(root))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def built(show):
    show.add("one", date="2025-01-01")
    show.add("two", date="2025-02-01")
    settle()
    pipeline.build(show.root)
    return show


def test_nothing_changed_repeats_the_last_report(built):
    full = pipeline.build(built.root).to_dict()  # a full build, for comparison
    settle()
    pipeline.build(built.root)
    repeated = uptodate.unchanged_report(built.root, OPTIONS)
    assert repeated is not None
    assert repeated["published"] == full["published"] == ["one", "two"]
    assert repeated["problems"] == full["problems"]


def test_the_command_says_unchanged_and_repeats_the_warnings(built):
    first = run("build", str(built.root))
    settle()
    again = run("build", str(built.root))
    assert uptodate.unchanged_report(built.root, OPTIONS) is not None
    assert again.exit_code == 0
    assert again.stderr == first.stderr != ""  # the same warnings (no artwork), said again
    assert "unchanged: Test Show, 2 episode(s)" in again.stdout


def test_an_edited_article_is_rebuilt_even_with_its_size_and_time_kept(built):
    article = built.root / "episodes" / "one" / "episode.md"
    stat = article.stat()
    text = article.read_text("utf-8")
    article.write_text(text.replace("An episode.", "Bn episode."), "utf-8")  # same size
    os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old modification time
    assert uptodate.unchanged_report(built.root, OPTIONS) is None
    build_json(built.root)
    assert "Bn episode." in built.feed.read_text("utf-8")


def test_an_added_episode_is_built(built):
    built.add("three", date="2025-03-01")
    report = build_json(built.root)
    assert sorted(report["published"]) == ["one", "three", "two"]
    assert report["changed"] is True


def test_a_hand_edited_feed_is_rebuilt(built):
    built.feed.write_text("broken", "utf-8")
    assert uptodate.unchanged_report(built.root, OPTIONS) is None
    build_json(built.root)
    assert built.feed.read_text("utf-8").startswith("<?xml")


def test_other_options_build_again(built):
    assert uptodate.unchanged_report(built.root, {**OPTIONS, "strict": True}) is None


def test_a_scheduled_episode_coming_due_builds_again(show):
    show.add("now", date="2025-01-01")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    show.add("later", date=tomorrow)
    settle()
    report = build_json(show.root)
    assert [entry["slug"] for entry in report["scheduled"]] == ["later"]
    assert uptodate.unchanged_report(show.root, OPTIONS) is not None
    the_day_after = datetime.now(UTC) + timedelta(days=2)
    assert uptodate.unchanged_report(show.root, OPTIONS, now=the_day_after) is None


def test_a_failed_build_leaves_no_record(built):
    (built.root / "episodes" / "one" / "episode.md").write_text("+++\ntitle = \n+++\n", "utf-8")
    settle()
    result = run("build", str(built.root))
    assert result.exit_code == 1
    assert uptodate.unchanged_report(built.root, OPTIONS) is None


def test_a_build_right_after_an_edit_is_not_trusted_later(show):
    show.add("one")
    pipeline.build(show.root)  # within the racy window of the files just written
    assert uptodate.unchanged_report(show.root, OPTIONS) is None


def test_a_damaged_record_means_a_full_build(built):
    (built.root / uptodate.RECORD_FILE).write_text("{not json", "utf-8")
    assert uptodate.unchanged_report(built.root, OPTIONS) is None
    assert build_json(built.root)["published"] == ["one", "two"]


VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello.\n"


@pytest.fixture
def walked(built):
    """A show built twice, settled: the second build kept the listing of every folder."""
    settle()
    pipeline.build(built.root)
    settle()
    assert uptodate.unchanged_report(built.root, OPTIONS) is not None
    return built


def test_a_file_added_to_an_episode_folder_is_built(walked):
    """The folders' listings are taken from the last walk while a folder is unchanged: a file
    added to one changes it, and is seen."""
    (walked.root / "episodes" / "one" / "transcript.vtt").write_text(VTT, "utf-8")
    settle()
    assert uptodate.unchanged_report(walked.root, OPTIONS) is None
    build_json(walked.root)
    assert (walked.root / "feeds" / "transcripts" / "one.vtt").read_text("utf-8") == VTT


def test_a_file_put_into_feeds_by_hand_is_removed_by_the_next_build(walked):
    stray = walked.root / "feeds" / "transcripts" / "stray.vtt"
    stray.parent.mkdir(exist_ok=True)
    stray.write_text(VTT, "utf-8")
    settle()
    assert uptodate.unchanged_report(walked.root, OPTIONS) is None
    build_json(walked.root)
    assert not stray.exists()


def test_a_damaged_listing_record_means_folders_are_listed_again(walked):
    """A record of listings that lies (a folder's names not a list) is not believed."""
    path = walked.root / uptodate.LISTINGS_DIR / "inputs.json"
    kept = json.loads(path.read_bytes())
    for listing in kept["folders"].values():
        listing[3] = "episode.md"
    path.write_text(json.dumps(kept), "utf-8")
    assert uptodate.unchanged_report(walked.root, OPTIONS) is not None  # listed again: the same files
    (walked.root / "episodes" / "two" / "transcript.vtt").write_text(VTT, "utf-8")
    settle()
    assert uptodate.unchanged_report(walked.root, OPTIONS) is None
    broken = json.dumps({"version": uptodate.LISTINGS_VERSION, "folders": {"episodes/two/": 7}}).encode()
    for damaged in (broken, broken[:-3], b"[1, 2", b"\0" * 100):
        path.write_bytes(damaged)
        assert uptodate.unchanged_report(walked.root, OPTIONS) is None
    assert build_json(walked.root)["published"] == ["one", "two"]
    assert (walked.root / "feeds" / "transcripts" / "two.vtt").is_file()


def test_a_build_takes_the_folder_fingerprints_its_check_took(built, tmp_path):
    """The walk of the up-to-date check fingerprints every episode folder as
    `folder_fingerprint` does, so that a build (which takes them) and `podcast lint` (which
    walks each folder) keep and find the same records; a folder too fresh, or holding a link,
    is vouched for by neither."""
    (built.root / "episodes" / "two" / "notes").symlink_to(tmp_path)
    fresh = built.add("fresh", date="2025-03-01") / "episode.md"
    settle()
    soon = time.time_ns() + 60 * 10**9  # changed "now", however long the test takes
    os.utime(fresh, ns=(soon, soon))
    snapshot = uptodate.Snapshot.take(built.root, OPTIONS)
    folders = {name: built.root / "episodes" / name for name in ("one", "two", "fresh")}
    walked = {name: uptodate.folder_fingerprint(folder) for name, folder in folders.items()}
    with uptodate.reading(snapshot):
        taken = {name: uptodate.folder_fingerprint(folder) for name, folder in folders.items()}
    assert taken == walked
    assert walked["one"] is not None and walked["two"] is None and walked["fresh"] is None


def test_a_racy_snapshot_taken_again_looks_again_at_what_had_just_changed(built):
    """The check's snapshot, taken right after an edit, is racy; the build takes it again by
    looking only at what had just changed. It must say what a whole new walk says, and an edit
    made meanwhile to a file that had just changed (even one keeping its size) must show."""
    article = built.root / "episodes" / "one" / "episode.md"
    settings = built.root / "podcast.toml"
    article.write_text(article.read_text("utf-8") + "\nMore.\n", "utf-8")
    settings.write_text(settings.read_text("utf-8") + "\n", "utf-8")
    first = uptodate.Snapshot.take(built.root, OPTIONS)
    assert first.racy
    settings.write_text(settings.read_text("utf-8")[:-1] + "#", "utf-8")  # same size, again
    settle()
    again = first.refreshed()
    whole = uptodate.Snapshot.take(built.root, OPTIONS)  # (none kept: a whole walk)
    assert again is not None and not again.racy
    assert again.inputs == whole.inputs != first.inputs
    assert again.episodes == whole.episodes
    assert again.episodes["one"] is not None  # settled now: the build may trust it
    pipeline.build(built.root)
    settle()
    assert uptodate.unchanged_report(built.root, OPTIONS) is not None


def _recorded_outputs(root) -> str:
    return json.loads((root / uptodate.RECORD_FILE).read_text("utf-8"))["outputs"]


def test_the_record_after_a_build_fingerprints_feeds_as_a_whole_walk_does(built):
    """`record` believes the stat lines kept for a folder of feeds/ the build wrote nothing into:
    after builds that add, edit, remove and page episodes, what it records is what a walk that
    states every file finds (the check's and the long way's), so the next check is unchanged."""
    rng = random.Random(12)
    names = ["one", "two"]
    for step in range(8):
        settle()
        choice = rng.choice(["add", "edit", "remove", "transcript", "pages"] if len(names) > 1 else ["add"])
        if choice == "add":
            names.append(f"ep-{step}")
            built.add(names[-1], date=f"2025-03-{step + 1:02d}")
        elif choice == "edit":
            article = built.root / "episodes" / rng.choice(names) / "episode.md"
            article.write_text(article.read_text("utf-8") + f"\nEdit {step}.\n", "utf-8")
        elif choice == "remove":
            name = names.pop(rng.randrange(len(names)))
            shutil.rmtree(built.root / "episodes" / name)
        elif choice == "transcript":
            (built.root / "episodes" / rng.choice(names) / "transcript.vtt").write_text(VTT, "utf-8")
        else:
            toml = built.root / "podcast.toml"
            lines = toml.read_text("utf-8").splitlines()
            toml.write_text(
                "".join(f"{line}\n" for line in lines if not line.startswith("feed_items")), "utf-8"
            )
            built.set_show_keys(f"feed_items = {rng.choice([1, 2])}")
        settle()
        assert build_json(built.root, "--allow-removal")["published"]
        assert _recorded_outputs(built.root) == uptodate.outputs_fingerprint(built.root), choice
        settle()
        assert uptodate.unchanged_report(built.root, {**OPTIONS, "allow_removal": True}) is not None


def test_a_file_of_feeds_changed_in_place_after_a_build_is_seen_and_the_builds_agree_again(walked):
    """A file of feeds/ edited in place leaves its folder's time stamps as they were: the check
    (which states every file) sees it even with its size and time kept, and builds; a file only
    touched is not written again by the build, so the one after must agree with what the check
    found, not rebuild for ever. Also when an input changed too (the check then stops early)."""
    (walked.root / "episodes" / "one" / "transcript.vtt").write_text(VTT, "utf-8")
    settle()
    build_json(walked.root)
    published = walked.root / "feeds" / "transcripts" / "one.vtt"
    settle()
    assert uptodate.unchanged_report(walked.root, OPTIONS) is not None
    stat = published.stat()
    published.write_text(VTT.replace("Hello", "Jello"), "utf-8")  # same size
    os.utime(published, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old time
    assert uptodate.unchanged_report(walked.root, OPTIONS) is None
    build_json(walked.root)
    assert published.read_text("utf-8") == VTT
    for input_changed_too in (False, True):
        settle()
        (walked.root / uptodate.LISTINGS_DIR / "outputs.json").unlink()  # kept again, as it is now
        assert uptodate.unchanged_report(walked.root, OPTIONS) is not None
        os.utime(published)  # touched: the same bytes, a new time
        if input_changed_too:
            article = walked.root / "episodes" / "two" / "episode.md"
            article.write_text(article.read_text("utf-8") + "\nMore.\n", "utf-8")
        assert uptodate.unchanged_report(walked.root, OPTIONS) is None
        for _ in range(2):  # at most one build more than it takes
            settle()
            build_json(walked.root)
            settle()
            if uptodate.unchanged_report(walked.root, OPTIONS) is not None:
                break
        else:
            raise AssertionError("every build finds feeds/ changed")


def test_kept_lines_that_lie_or_are_not_lines_are_not_believed(walked):
    """The stat lines kept of feeds/' files are believed only for a folder still as it was when
    they were kept, and only when they are lines: a line that lies only makes the next check
    build (which keeps what it found, so the build after it agrees); a record of lines of
    another version, or of another moment of the folder, or not text, is not taken."""
    path = walked.root / uptodate.LISTINGS_DIR / "outputs-lines.json"
    kept = json.loads(path.read_bytes())
    assert kept["folders"]

    def lines_kept(folders: dict, version: int = kept["version"]) -> str:
        path.write_text(json.dumps({"version": version, "folders": folders}), "utf-8")
        return uptodate.outputs_fingerprint(walked.root, listed=True, after_build=True)

    whole = uptodate.outputs_fingerprint(walked.root)
    stamps = {rel: text.split("//")[0] for rel, text in kept["folders"].items()}
    assert lines_kept(kept["folders"]) == whole
    assert lines_kept({rel: f"{stamp}//feed.xml/1/2/3/4" for rel, stamp in stamps.items()}) != whole
    pipeline.build(walked.root)  # whose record believes the lie
    settle()
    assert uptodate.unchanged_report(walked.root, OPTIONS) is None  # which keeps what it found
    pipeline.build(walked.root)
    settle()
    assert uptodate.unchanged_report(walked.root, OPTIONS) is not None
    for folders in (
        {rel: 7 for rel in stamps},
        {rel: ["feed.xml/1/2/3/4"] for rel in stamps},
        {rel: "" for rel in stamps},
        {rel: f"1/{stamp}//feed.xml/1/2/3/4" for rel, stamp in stamps.items()},
    ):
        assert lines_kept(folders) == whole
    assert lines_kept({rel: f"{stamp}//feed.xml/1/2/3/4" for rel, stamp in stamps.items()}, 0) == whole


def _varied_folders(show, tmp_path) -> None:
    """Episode folders of every kind a snapshot's walk meets: plain ones, one with a subfolder,
    one holding a symbolic link, one over FOLDER_MAX_FILES, one holding an entry that cannot be
    stated, one that cannot be listed (unless run as root), one just changed (racy), and folders
    the build does not read (a dot-folder, one starting with "_", __pycache__), all settled but
    the racy one."""
    for number in range(6):
        show.add(f"ep{number}", date=f"2025-01-{number + 1:02d}")
    (show.root / "episodes" / "ep1" / "extra").mkdir()
    (show.root / "episodes" / "ep1" / "extra" / "notes.txt").write_text("Notes.\n", "utf-8")
    (show.root / "episodes" / "ep2" / "elsewhere").symlink_to(tmp_path)
    for number in range(uptodate.FOLDER_MAX_FILES + 1):
        (show.root / "episodes" / "ep3" / f"take-{number}.txt").write_text(f"{number}\n", "utf-8")
    (show.root / "episodes" / "ep4" / "gone.vtt").symlink_to(tmp_path / "missing.vtt")
    locked = show.root / "episodes" / "ep5" / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("Inside.\n", "utf-8")
    locked.chmod(0)
    for other in (".hidden", "_private", "__pycache__"):
        (show.root / "episodes" / other).mkdir()
        (show.root / "episodes" / other / "file.txt").write_text(other, "utf-8")
    (show.root / "templates").mkdir(exist_ok=True)
    (show.root / "templates" / "page.html").write_text("<p>{{ episode.title }}</p>\n", "utf-8")
    racy = show.add("racy", date="2025-02-01") / "episode.md"
    (show.root / uptodate.LISTINGS_DIR).mkdir(parents=True)  # (made later, it would change the top's times)
    settle()
    soon = time.time_ns() + 60 * 10**9  # changed "now", however long the test takes
    os.utime(racy, ns=(soon, soon))


def _saved_listings(root) -> dict:
    return json.loads((root / uptodate.LISTINGS_DIR / "inputs.json").read_bytes())["folders"]


def _fingerprinted_elsewhere(start: uptodate.SnapshotStart, batches: list[list[str]]) -> list:
    """The parts of the folders of each batch as a forked worker process takes them, sent back
    pickled."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.map(start.walk, batches)


@pytest.mark.parametrize("kept", [False, True], ids=["no listings kept", "listings kept"])
def test_a_snapshot_begun_and_completed_by_the_readers_is_the_one_taken_whole(show, tmp_path, kept):
    """A cold build's snapshot is walked but for the episode folders, which the workers fingerprint
    as they read them (some in another process, some here, the rest as it completes): it must be
    the snapshot a whole walk takes, and keep the same listings for the next walk."""
    _varied_folders(show, tmp_path)
    if kept:  # the listings of an earlier walk, all but one folder's unchanged since
        uptodate.Snapshot.take(show.root, OPTIONS)
        (show.root / "episodes" / "ep0" / "transcript.vtt").write_text(VTT, "utf-8")
        settle()
    listings = show.root / uptodate.LISTINGS_DIR
    saved_before = listings.exists() and {p.name: p.read_bytes() for p in listings.iterdir()}
    whole = uptodate.Snapshot.take(show.root, OPTIONS)
    saved_whole = _saved_listings(show.root)
    if saved_before:
        for name, data in saved_before.items():
            (listings / name).write_bytes(data)
    else:
        shutil.rmtree(listings)
    start = uptodate.Snapshot.begin(show.root, OPTIONS)
    assert isinstance(start, uptodate.SnapshotStart)
    assert start.names == {f"ep{n}" for n in range(6)} | {"racy", ".hidden", "_private"}
    for prints in _fingerprinted_elsewhere(start, [["ep0", "ep2"], ["racy", "_private", "not-there"]]):
        start.add(prints)
    names = ["ep1", "ep3", "ep4"]  # with the listing their reader made
    listings = [FolderListing(show.root, show.root / "episodes" / name).entries() for name in names]
    start.add(start.walk(names, [entries.values() if entries is not None else None for entries in listings]))
    assert None not in listings
    start.add(start.walk(["ep0", "ep3", "ep5"]))  # a folder read again (ep0, ep3): the first part counts
    begun = start.completed()  # .hidden walked now
    assert begun.inputs == whole.inputs
    assert begun.newest_ns == whole.newest_ns
    assert begun.episodes == whole.episodes
    assert begun.build == whole.build
    assert begun.racy and whole.racy
    assert begun.episodes["ep0"] is not None and begun.episodes["ep1"] is not None
    assert {name for name, found in begun.episodes.items() if found is None} >= {"ep2", "ep3", "ep4", "racy"}
    assert _saved_listings(show.root) == saved_whole
    assert begun.taken_ns < start.taken_ns + 10**9 and begun.taken_ns == start.taken_ns


def test_a_snapshot_begun_walks_no_episode_folder_and_sees_a_folder_added_or_removed(show, tmp_path):
    """What the begun walk leaves out is only the insides of the folders: a folder added or
    removed, or a file of the show's top changed, changes the completed snapshot as it changes
    a whole one."""
    _varied_folders(show, tmp_path)
    settle()
    first = uptodate.Snapshot.begin(show.root, OPTIONS).completed()
    shutil.rmtree(show.root / "episodes" / "_private")
    show.add("ep9", date="2025-03-01")
    (show.root / "podcast.toml").write_text((show.root / "podcast.toml").read_text("utf-8") + "\n", "utf-8")
    settle()
    again = uptodate.Snapshot.begin(show.root, OPTIONS).completed()
    assert again.inputs != first.inputs
    assert again.inputs == uptodate.Snapshot.take(show.root, OPTIONS).inputs
    assert "ep9" in again.episodes and "_private" not in again.episodes


def _kept_outputs(root) -> tuple[dict, dict]:
    """The listings and the stat lines the last walk of feeds/ kept."""
    folder = root / uptodate.LISTINGS_DIR
    return tuple(json.loads((folder / name).read_bytes()) for name in ("outputs.json", "outputs-lines.json"))


def test_folders_stated_by_their_writers_give_the_record_what_a_whole_walk_gives(tmp_path):
    """`record` takes the folders of feeds/ the build's writers stated (`folder_stated`) instead
    of listing them and stating their files: over folders of every kind (a page alone, beside
    other files, a dot-file, a subfolder or a link; empty), settled or just written, some
    changed by hand after they were stated (a name added, removed, renamed), what it records and
    keeps is what a walk that lists and states everything finds and keeps."""
    rng = random.Random(5)
    root = tmp_path / "show"
    for trial in range(4):
        shutil.rmtree(root, ignore_errors=True)
        folders = []
        for number in range(40):
            folder = root / "feeds" / "episodes" / f"ep{number}"
            folder.mkdir(parents=True)
            (folder / "index.html").write_text(f"page {number}" * rng.randint(1, 9), "utf-8")
            kind = rng.choice(["page", "page", "page", "beside", "dot", "folder", "link", "empty"])
            if kind == "beside":
                (folder / "notes.txt").write_text("notes", "utf-8")
            elif kind == "dot":
                (folder / ".partial.html").write_text("partial", "utf-8")
            elif kind == "folder":
                (folder / "inner").mkdir()
                (folder / "inner" / "a.txt").write_text("a", "utf-8")
            elif kind == "link":
                (folder / "also.html").symlink_to(folder / "index.html")
            elif kind == "empty":
                (folder / "index.html").unlink()
            folders.append(folder)
        settle()
        just_written = rng.sample(folders, 5)  # changed within RACY_NS of being stated: not taken
        for folder in just_written:
            (folder / "fresh.html").write_text("fresh", "utf-8")
        stated = {}
        for folder in folders:
            found = uptodate.folder_stated(str(folder))
            if found is not None:
                stated[f"episodes/{folder.name}/"] = found
        assert 10 < len(stated) < len(folders) - len(just_written)
        assert not {f"episodes/{folder.name}/" for folder in just_written} & stated.keys()
        pages = [root / "feeds" / rel for rel in stated if (root / "feeds" / rel / "index.html").exists()]
        added, removed, renamed = rng.sample(pages, 3)
        (added / "by-hand.html").write_text("by hand", "utf-8")
        (removed / "index.html").unlink()
        (renamed / "index.html").rename(renamed / "other.html")
        settle()
        taken = uptodate.outputs_fingerprint(root, listed=True, after_build=True, stated=stated)
        kept_taken = _kept_outputs(root)
        shutil.rmtree(root / uptodate.LISTINGS_DIR)
        walked = uptodate.outputs_fingerprint(root, listed=True, after_build=True)
        assert taken == walked == uptodate.outputs_fingerprint(root), trial
        assert kept_taken == _kept_outputs(root), trial


def test_a_folder_stated_then_changed_in_place_is_found_by_the_next_check(tmp_path):
    """A page edited in place after its writer stated it (its folder's stamps unchanged) makes
    the record differ from feeds/: the check before the next build, which states every file,
    finds it (as it finds a file edited after any build)."""
    root = tmp_path / "show"
    page = root / "feeds" / "episodes" / "one" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>one</p>", "utf-8")
    settle()
    stated = {"episodes/one/": uptodate.folder_stated(str(page.parent))}
    assert stated["episodes/one/"] is not None
    taken = uptodate.outputs_fingerprint(root, listed=True, after_build=True, stated=stated)
    assert taken == uptodate.outputs_fingerprint(root, listed=True, expected=taken)
    page.write_text("<p>One, edited</p>", "utf-8")
    taken = uptodate.outputs_fingerprint(root, listed=True, after_build=True, stated=stated)
    assert taken != uptodate.outputs_fingerprint(root, listed=True, expected=taken)
