"""Crash safety: a build killed at any point leaves the old feed or the new one, whole,
with every file it links to; two builds at once are safe.

The kill points are found, not guessed: a child process runs `podcast build` with an
audit hook (sys.addaudithook) that counts every write-side file operation inside the
show (opening a file for writing, replace, rename, remove, mkdir, chmod) and sends
itself SIGKILL at the N-th. One run without a kill counts them; then the build is
killed at each in turn, each time on a fresh copy of the show.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree

BASE = "https://cdn.example.com/show/"

KILLED_BUILD = r"""
import os, signal, sys
root, kill_at = os.path.realpath(sys.argv[1]), int(sys.argv[2])
WRITES = {"os.replace", "os.rename", "os.remove", "os.unlink", "os.rmdir", "os.mkdir", "os.chmod"}
seen = 0

def inside(path):
    try:
        return os.path.realpath(os.fsdecode(path)).startswith(root + os.sep)
    except (TypeError, ValueError):
        return False

def hook(event, args):
    global seen
    writing = event == "open" and args[2] is not None and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
    if (writing or event in WRITES) and args and inside(args[0]):
        seen += 1
        if seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

sys.addaudithook(hook)
sys.argv = ["podcast", "build", "--quiet", root]
try:
    from podcast.cli import main
    main()
finally:
    sys.stderr.write(f"\nwrite-points {seen}\n")
"""


def killed_build(root: Path, kill_at: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, str(root), str(kill_at)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def linked_files(feed: bytes, root: Path) -> list[Path]:
    """The files under feeds/ that a feed links to (chapters, transcripts, images, artwork)."""
    tree = etree.fromstring(feed)
    urls = [
        v for e in tree.iter() for k, v in e.attrib.items() if k in ("url", "href") and v.startswith(BASE)
    ]
    found = []
    for url in urls:
        relative = urlsplit(url).path.removeprefix(urlsplit(BASE).path)
        if not relative.startswith("media/") and relative != "feed.xml":
            found.append(root / "feeds" / relative)
    return found


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory, mp3_factory):
    """A built show (`before`) and the same show after edits (`after`), plus the feed each builds."""
    from conftest import ShowDir

    from podcast import scaffold

    base = tmp_path_factory.mktemp("crash")
    show = ShowDir(base / "before", mp3_factory)
    scaffold.init_show(show.root, title="Crash", author="Ann", owner_email="a@example.com", base_url=BASE)
    for number in (1, 2):
        folder = show.add(f"ep{number}", date=f"2025-01-0{number}", article="00:00 Start\n00:01 Middle\n")
        (folder / "transcript.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello\n")
    assert killed_build(show.root, 0).returncode == 0
    old = show.feed.read_bytes()
    after = base / "after"
    shutil.copytree(show.root, after, symlinks=True)
    edited = ShowDir(after, mp3_factory)
    edited.add("ep3", date="2025-01-03", article="00:00 Start\n00:01 End\n")
    (after / "episodes" / "ep1" / "transcript.vtt").unlink()  # its published copy must go
    episode = after / "episodes" / "ep2" / "episode.md"
    episode.write_text(episode.read_text().replace('title = "Ep2"', 'title = "Ep2, retitled"'))
    reference = base / "reference"
    shutil.copytree(after, reference, symlinks=True)
    counted = killed_build(reference, 0)
    assert counted.returncode == 0, counted.stderr
    points = int(counted.stderr.rsplit("write-points ", 1)[1])
    return after, old, (reference / "feeds" / "feed.xml").read_bytes(), points


def test_a_build_killed_at_every_write_leaves_the_old_or_the_new_feed_whole(before_and_after, tmp_path):
    after, old, new, points = before_and_after
    assert points >= 8  # temp files, renames, chmods, removals of the feed and its sidecars
    outcomes = []
    for kill_at in range(1, points + 1):
        root = tmp_path / f"kill-{kill_at}"
        shutil.copytree(after, root, symlinks=True)
        result = killed_build(root, kill_at)
        assert result.returncode == -9, f"kill point {kill_at} was not reached: {result.stderr}"
        feed = (root / "feeds" / "feed.xml").read_bytes()
        assert feed in (old, new), f"kill point {kill_at}: feed.xml is neither the old nor the new one"
        assert not feedparser.parse(feed).bozo
        missing = [str(p) for p in linked_files(feed, root) if not p.is_file()]
        assert not missing, f"kill point {kill_at}: the feed links to files that are gone: {missing}"
        outcomes.append("new" if feed == new else "old")
        # The next build recovers: it writes the new feed and prunes what the kill left behind.
        assert killed_build(root, 0).returncode == 0
        assert (root / "feeds" / "feed.xml").read_bytes() == new
        assert not (root / "feeds" / "transcripts" / "ep1.vtt").exists()
    assert "old" in outcomes and "new" in outcomes
    print(json.dumps({"kill points": points, "old": outcomes.count("old"), "new": outcomes.count("new")}))


def test_two_builds_at_once_both_succeed_and_agree(before_and_after, tmp_path):
    after, _, new, _ = before_and_after
    root = tmp_path / "twice"
    shutil.copytree(after, root, symlinks=True)
    command = [sys.executable, "-c", "from podcast.cli import main; main()", "build", "--quiet", str(root)]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=60)
        assert run.returncode == 0, stderr
    assert (root / "feeds" / "feed.xml").read_bytes() == new
    leftovers = [p.name for p in (root / "feeds").rglob(".*.tmp")]
    assert leftovers == []
