"""Files of the show are bounded before they are read: size per kind, JSON depth."""

from __future__ import annotations

import pytest
from bounded import run_podcast

DEEP = 100_000


@pytest.mark.parametrize("name", ["chapters.json", "transcript.json"])
def test_json_nested_100000_deep_is_refused_with_a_clear_message(show, name):
    folder = show.add("ep1")
    (folder / name).write_text("[" * DEEP + "]" * DEEP)
    outcome = run_podcast("build", show.root, timeout=30)
    assert outcome.returncode == 1
    assert "internal error" not in outcome.output
    assert f"episodes/ep1/{name}" in outcome.stderr and "levels deep" in outcome.stderr
    assert not show.feed.exists()


@pytest.mark.parametrize("name", ["chapters.json", "transcript.vtt"])
def test_a_200_mb_file_is_refused_by_its_size_without_being_read(show, name):
    folder = show.add("ep1")
    with open(folder / name, "wb") as handle:
        handle.truncate(200_000_000)  # sparse: costs no disk, but a reader would hold 200 MB
    outcome = run_podcast("build", show.root, memory_mib=150, timeout=30)
    assert outcome.returncode == 1
    assert "internal error" not in outcome.output
    assert f"episodes/ep1/{name}" in outcome.stderr and "200,000,000 bytes; at most" in outcome.stderr


def test_an_episode_md_of_200_mb_is_refused_by_its_size(show):
    folder = show.add("ep1")
    with open(folder / "episode.md", "r+b") as handle:
        handle.truncate(200_000_000)
    outcome = run_podcast("build", show.root, memory_mib=150, timeout=30)
    assert outcome.returncode == 1
    assert "episodes/ep1/episode.md" in outcome.stderr and "bytes" in outcome.stderr


@pytest.mark.parametrize(
    "record", ["last-build.json", "last-feed.json", "last-feed.xml", "listings", "pages"]
)
def test_a_build_record_linked_to_an_endless_file_is_taken_as_missing(show, record):
    """A show copied from elsewhere may bring a .podcast/ whose records are links to /dev/zero:
    the build reads them bounded, takes them for missing, and builds as from scratch."""
    show.add("ep1")
    assert run_podcast("build", show.root, timeout=60).returncode == 0
    state = show.root / ".podcast"
    targets = sorted((state / record).glob("*.*")) if record in ("listings", "pages") else [state / record]
    assert targets and all(t.exists() for t in targets)
    for target in targets:
        target.unlink()
        target.symlink_to("/dev/zero")
    show.add("ep2")  # so the build does not stop early as up to date
    outcome = run_podcast("build", show.root, memory_mib=600, timeout=60)
    assert outcome.returncode == 0, outcome.output
    assert "internal error" not in outcome.output
    assert "ep2" in show.feed.read_text("utf-8")
