"""Writing the pages: many at once in several processes, as one process writes them, and nothing
written when a show's template fails."""

from __future__ import annotations

import functools
import os
import shutil
import time
from pathlib import Path

import pytest

from podcast import pipeline
from podcast.errors import PageError, PodcastError
from podcast.web import ahead, forked, pagefiles, site

EPISODES = 24  # with PAGES_PER_PROCESS at 5 below: 25 pages, split between 3 processes


@pytest.fixture
def many(show):
    for n in range(1, EPISODES + 1):
        show.add(f"ep{n:02d}", title=f"Episode {n} <&>", date=f"2025-04-{n:02d}", seconds=1,
                 article=f"What episode {n} is about: *this*.\n")  # fmt: skip
    return show


@pytest.fixture
def in_processes(monkeypatch):
    """The build's pages written by three processes, whatever the machine's cores."""
    monkeypatch.setattr(site, "PAGES_PER_PROCESS", 5)
    monkeypatch.setattr(site, "PROCESSES", 3)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def forking():
    if not forked.can_fork():
        pytest.skip("no fork here (not POSIX, or Python 3.12+ with other threads running)")


def test_slices_are_worked_in_other_processes_and_come_back_in_order(forking):
    results = forked.map_slices(lambda part: (os.getpid(), list(part)), list(range(10)), 3)
    assert [items for _, items in results] == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]
    assert results[0][0] == os.getpid()
    assert len({pid for pid, _ in results}) == 3


def test_an_error_in_another_process_is_raised_here_as_itself(forking):
    def work(part):
        part = list(part)
        if 1 in part:
            raise FileNotFoundError(2, "No such file or directory", f"/nowhere/{part[0]}")
        return part

    with pytest.raises(FileNotFoundError) as caught:
        forked.map_slices(work, [0, 1], 2)
    assert caught.value.filename == "/nowhere/1"


def test_a_process_that_dies_without_its_result_is_reported_not_a_traceback(forking):
    def work(part):
        part = list(part)
        if 1 in part:
            os._exit(3)
        return part

    with pytest.raises(PodcastError, match="exit status 3"):
        forked.map_slices(work, [0, 1], 2)


def test_pages_written_by_several_processes_are_those_one_process_writes(many, in_processes, tmp_path):
    serial = tmp_path / "serial"
    shutil.copytree(many.root, serial)
    with pytest.MonkeyPatch.context() as one:
        one.setattr(site, "PROCESSES", 1)
        pipeline.build(serial)

    result = pipeline.build(many.root)

    assert files_of(many.root / "feeds") == files_of(serial / "feeds")
    assert len(result.pages) == EPISODES + 1
    # What the record kept of each page is true: the next build renders and writes none.
    catalog = pipeline.read_catalog(many.root)
    assert site.render(catalog.show, catalog.published, many.root / "feeds").due == []
    assert pipeline.build(many.root).pages == ()


def test_pages_changed_by_hand_are_written_again_by_the_processes(many, in_processes):
    pipeline.build(many.root)
    feeds = many.root / "feeds"
    (feeds / "episodes/ep03/index.html").write_text("edited by hand")
    (feeds / "episodes/ep04/index.html").unlink()
    expected = {"episodes/ep03/index.html", "episodes/ep04/index.html"}
    assert set(pipeline.build(many.root).pages) == expected
    assert "Episode 3 &lt;&amp;&gt;" in (feeds / "episodes/ep03/index.html").read_text()


def test_a_failing_show_template_writes_no_page_even_with_many_due(many, in_processes):
    pipeline.build(many.root)
    before = files_of(many.root / "feeds")
    templates = many.root / "templates"
    templates.mkdir()
    # Fails on one episode only, the oldest: every other page renders before it.
    (templates / "episode.html").write_text(
        '{% extends "base.html" %}{% block main %}\n{{ 1 // (episode.slug != "ep01") }}\n{% endblock %}'
    )
    with pytest.raises(PageError) as caught:
        pipeline.build(many.root)
    assert "templates/episode.html:2" in str(caught.value)
    assert files_of(many.root / "feeds") == before


def test_a_file_in_the_way_of_pages_another_process_writes_is_named(many, in_processes):
    pipeline.build(many.root)
    feeds = many.root / "feeds"
    shutil.rmtree(feeds / "episodes")
    (feeds / "episodes").write_text("not a folder")
    before = (feeds / "feed.xml").read_bytes()
    with pytest.raises(PodcastError) as caught:
        pipeline.build(many.root)
    assert "feeds/episodes" in str(caught.value) and "Traceback" not in str(caught.value)
    assert (feeds / "feed.xml").read_bytes() == before


def children() -> set[int]:
    """This process's children, running or ended and not waited for (Linux's /proc)."""
    found = set()
    for listing in Path("/proc/self/task").glob("*/children"):
        found |= {int(pid) for pid in listing.read_text().split()}
    return found


@pytest.fixture
def no_child_left():
    """Whether this test left no child of this process behind (others' may run meanwhile)."""
    if not list(Path("/proc/self/task").glob("*/children")):
        pytest.skip("no /proc/<pid>/task/<tid>/children here")
    before = children()
    return lambda: children() <= before


def test_pages_rendered_ahead_and_found_in_feeds_as_they_should_be_are_left_alone(
    many, in_processes, no_child_left
):
    pipeline.build(many.root)
    feeds = many.root / "feeds"
    before = {p: p.stat().st_mtime_ns for p in feeds.rglob("*.html")}
    shutil.rmtree(many.root / ".podcast")  # a cold build: no record of the pages, feeds/ as it was

    assert pipeline.build(many.root).pages == ()

    assert {p: p.stat().st_mtime_ns for p in feeds.rglob("*.html")} == before
    catalog = pipeline.read_catalog(many.root)  # and the record now vouches for every page
    assert site.render(catalog.show, catalog.published, feeds).due == []
    assert no_child_left()


def test_pages_rendered_ahead_beyond_what_may_be_held_are_written_as_one_process_writes_them(
    many, in_processes, tmp_path, monkeypatch, no_child_left
):
    serial = tmp_path / "serial"
    shutil.copytree(many.root, serial)
    with pytest.MonkeyPatch.context() as one:
        one.setattr(site, "PROCESSES", 1)
        pipeline.build(serial)
    monkeypatch.setattr(ahead, "HELD_MAX_BYTES", 1)  # the process keeps one page, then waits for go

    result = pipeline.build(many.root)

    assert files_of(many.root / "feeds") == files_of(serial / "feeds")
    assert len(result.pages) == EPISODES + 1
    assert no_child_left()


def test_a_build_stopped_after_pages_began_rendering_ahead_writes_none_and_leaves_no_process(
    many, in_processes, no_child_left
):
    pipeline.build(many.root)
    feeds = many.root / "feeds"
    shutil.rmtree(feeds / "episodes")
    shutil.rmtree(many.root / "episodes/ep05")  # a published episode gone: the build stops before writing
    with pytest.raises(PodcastError, match="dropped"):
        pipeline.build(many.root)
    assert not (feeds / "episodes").exists()
    assert no_child_left()


def test_pages_rendered_ahead_are_each_written_once_by_one_of_two_processes(
    forking, tmp_path, monkeypatch, no_child_left
):
    monkeypatch.setattr(ahead, "HELD_MAX_BYTES", 1)  # the other process keeps one page, then waits for go
    out = tmp_path / "out"
    out.mkdir()
    items = [
        (f"episodes/e{n:03d}/index.html", lambda n=n: f"<p>{n} {os.getpid()}</p>".encode())
        for n in range(300)
    ]
    started = ahead.Ahead(out, items)
    folders: dict[str, bool] = {}
    for rel, _ in items:
        pagefiles.ensure_folder(out, rel.rpartition("/")[0], folders)

    written = started.finish(folders, lambda part: part)

    assert sorted(rel for rel, *_ in written) == sorted(rel for rel, _ in items)
    assert all(fresh for _, fresh, *_ in written)
    writers = {(out / rel).read_text().split()[1].removesuffix("</p>") for rel, _ in items}
    assert str(os.getpid()) in writers and len(writers) == 2  # this process did a part, the other the rest
    started.cancel()  # as the build does once it has written its pages: the process waited for
    assert no_child_left()


def test_pages_rendered_ahead_then_cancelled_are_not_written(forking, tmp_path, no_child_left):
    out = tmp_path / "out"
    out.mkdir()
    items = [(f"e{n}.html", lambda n=n: f"{n}".encode()) for n in range(300)]
    started = ahead.Ahead(out, items)
    started.cancel()
    started.cancel()  # once is enough; again does nothing
    assert list(out.iterdir()) == []
    assert no_child_left()


def test_page_folders_found_by_listing_are_as_looking_at_each_finds_them(tmp_path):
    out = tmp_path / "out"
    episodes = out / "episodes"
    episodes.mkdir(parents=True)
    names = [f"ep{n:03d}" for n in range(pagefiles.LISTED_FROM + 10)]
    for name in names:
        (episodes / name).mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (episodes / "linked").symlink_to(elsewhere, target_is_directory=True)
    (episodes / "a-file").write_text("not a folder")
    items = [(f"episodes/{name}/index.html", b"") for name in [*names, "linked", "a-file", "new"]]

    listed = pagefiles.folders_there(out, items)

    assert {f"episodes/{name}" for name in names} <= listed.keys()
    _assert_folders_as_found_one_by_one(out, items, listed)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("rendering", ["ahead", "at write"])
def test_list_rows_rendered_by_other_processes_are_kept_for_the_next_build(
    many, in_processes, forking, monkeypatch, rendering
):
    """The rows a page process renders come back to the build, which keeps them all
    (web/keptrows.py): the next episode added makes its list pages of them."""
    from podcast.web import pages, urls
    from podcast.web.keptrows import KeptRows
    from podcast.web.record import PageRecord

    monkeypatch.setattr(urls, "PER_PAGE", 2)  # 12 list pages, rendered among the 24 episode pages
    catalog = pipeline.read_catalog(many.root)
    show, episodes, out = catalog.show, catalog.published, many.root / "feeds"
    planned = site.plan(show, episodes, out, catalog.page_keys, ahead=rendering == "ahead")
    assert (planned.ahead is not None) == (rendering == "ahead")
    site.write(out, site.render(show, episodes, out, planned=planned))

    plan = pages.SitePlan(show, episodes, catalog.page_keys)
    slot = plan.list_rows()
    assert slot is not None and len(slot.listed) == EPISODES
    rows = KeptRows.load(PageRecord.load(many.root, out).file, slot.code, slot.store, slot.listed)
    assert {key[-1] for key in rows.loaded} == slot.listed  # every episode's row, whoever rendered it
    kept_pages = {page.path: page.make() for page in plan.pages(plan.list_paths)}
    assert kept_pages == {path: (out / path).read_bytes() for path in plan.list_paths}


def test_page_folders_of_a_parent_holding_few_pages_are_as_looking_at_each_finds_them(tmp_path):
    # An episode added: a list page for every 50 episodes shifts, one page goes into episodes/.
    out = tmp_path / "out"
    for name in ("ep1", "ep2"):
        (out / "episodes" / name).mkdir(parents=True)
    (out / "episodes" / "a-file").write_text("not a folder")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "episodes" / "linked").symlink_to(elsewhere, target_is_directory=True)
    numbers = range(2, pagefiles.LISTED_FROM + 2)
    for number in numbers:
        (out / "page" / str(number)).mkdir(parents=True)
    items = [
        *((f"page/{number}/index.html", b"") for number in numbers),
        *((f"episodes/{name}/index.html", b"") for name in ("ep1", "new", "a-file", "linked")),
    ]

    listed = pagefiles.folders_there(out, items)

    assert {f"page/{number}" for number in numbers} <= listed.keys()
    _assert_folders_as_found_one_by_one(out, items, listed)
    assert list(elsewhere.iterdir()) == []


def _assert_folders_as_found_one_by_one(out, items, listed) -> None:
    """Each page's folder, made (or refused) with the folders `listed` found, as it is when each
    folder is checked on its own (an empty map)."""
    for rel, _ in items:
        folder = rel.rpartition("/")[0]
        outcomes = []
        for folders in (dict(listed), {}):
            try:
                outcomes.append(pagefiles.ensure_folder(out, folder, folders))
            except (PodcastError, OSError) as exc:
                outcomes.append(type(exc))
            if folder.endswith("new"):
                (out / folder).rmdir()  # made: made again the other way
        assert outcomes[0] == outcomes[1], folder


@pytest.mark.parametrize("slower", ["this process", "the other"])
def test_the_two_processes_writing_pages_each_take_what_the_other_has_not_until_they_meet(
    forking, tmp_path, slower, no_child_left
):
    """After go the build takes pages from the first up and the page process from the last down
    until they meet: every page is written exactly once, and the quicker process writes more,
    however the two are slowed."""
    out = tmp_path / "out"
    out.mkdir()
    parent = os.getpid()

    def render(number: int) -> bytes:
        if (os.getpid() == parent) == (slower == "this process"):
            time.sleep(0.004)
        return f"<p>{number} {os.getpid()}</p>".encode()

    items = [(f"episodes/e{n:03d}/index.html", functools.partial(render, n)) for n in range(240)]
    started = ahead.Ahead(out, items)
    folders: dict[str, bool] = {}
    for rel, _ in items:
        pagefiles.ensure_folder(out, rel.rpartition("/")[0], folders)

    written = started.finish(folders, lambda part: part)
    started.cancel()

    assert sorted(rel for rel, *_ in written) == [rel for rel, _ in items]  # each once
    writers = [(out / rel).read_text().split()[1].removesuffix("</p>") for rel, _ in items]
    mine = writers.count(str(parent))
    assert writers == [str(parent)] * mine + [writers[-1]] * (len(items) - mine)  # first up; last down
    assert (mine > len(items) / 2) == (slower == "the other")
    assert no_child_left()


def test_pages_taken_by_a_page_process_killed_before_go_are_written_by_the_build(
    forking, tmp_path, no_child_left
):
    """A page process that ended before go (killed) wrote nothing: the build writes every page,
    those it had taken to render ahead too."""
    import signal

    out = tmp_path / "out"
    out.mkdir()
    items = [(f"episodes/e{n:03d}/index.html", lambda n=n: f"<p>{n}</p>".encode()) for n in range(200)]
    started = ahead.Ahead(out, items)
    time.sleep(0.2)  # it takes and renders some
    os.kill(started._pid, signal.SIGKILL)
    folders: dict[str, bool] = {}
    for rel, _ in items:
        pagefiles.ensure_folder(out, rel.rpartition("/")[0], folders)

    written = started.finish(folders, lambda part: part)
    started.cancel()

    assert sorted(rel for rel, *_ in written) == [rel for rel, _ in items]
    assert all((out / rel).read_text() == f"<p>{n}</p>" for n, (rel, _) in enumerate(items))
    assert no_child_left()


def test_a_page_process_killed_holding_the_shared_lock_leaves_the_build_going_alone(monkeypatch):
    """The build and the page process share out pages under one lock. A page process killed
    while it holds it (the OOM killer, a kill -9) never gives it back: the build sees the
    process has ended and goes on alone, instead of waiting for the lock for ever."""
    import signal

    monkeypatch.setattr(ahead, "LOCK_WATCH_SECONDS", 0.05)
    claims = ahead._Claims(10)
    assert claims.last() == 9  # (the page process's first, from the last down)
    pid = os.fork()
    if pid == 0:  # a page process, killed holding the lock
        claims._lock.acquire()
        os.kill(os.getpid(), signal.SIGKILL)
    claims.other = pid
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # until it has died (still to be waited for)
    try:
        assert [claims.first(index) for index in range(10)] == [True] * 9 + [False]
        assert claims.high() == 9
    finally:
        os.waitpid(pid, 0)
