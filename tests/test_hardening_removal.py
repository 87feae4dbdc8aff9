"""No silent shrinking: episodes the live feed publishes leave it only when the producer says so."""

from __future__ import annotations

import shutil

import feedparser
import pytest
from conftest import run


@pytest.fixture
def built(show):
    for number in range(1, 4):
        folder = show.add(f"ep{number}", date=f"2025-01-0{number}")
        (folder / "transcript.txt").write_text(f"Words of episode {number}.\n")
    result = run("build", show.root)
    assert result.exit_code == 0, result.stderr
    return show


def items(show) -> list[str]:
    return [entry.title for entry in feedparser.parse(show.feed.read_bytes()).entries]


@pytest.mark.parametrize("mistake", ["deleted", "emptied"])
def test_a_missing_episodes_folder_never_empties_the_live_feed(built, mistake):
    before = built.feed.read_bytes()
    episodes = built.root / "episodes"
    shutil.rmtree(episodes)
    if mistake == "emptied":
        episodes.mkdir()
    result = run("build", built.root)
    assert result.exit_code == 1
    assert "3 published episode(s) would be dropped" in result.stderr
    for title in ("Ep1", "Ep2", "Ep3"):
        assert f"the published episode '{title}'" in result.stderr
    assert built.feed.read_bytes() == before
    assert len(list((built.root / "feeds" / "transcripts").iterdir())) == 3  # nothing withdrawn


def test_a_deleted_folder_is_named_and_the_build_stops(built):
    shutil.rmtree(built.root / "episodes" / "ep2")
    result = run("build", built.root)
    assert result.exit_code == 1
    assert "feeds/feed.xml" in result.stderr and "'Ep2' (guid guid-ep2-0000)" in result.stderr
    assert "--allow-removal" in result.stderr
    assert items(built) == ["Ep3", "Ep2", "Ep1"]


def test_allow_removal_lets_it_go_and_withdraws_its_files(built):
    shutil.rmtree(built.root / "episodes" / "ep2")
    result = run("build", built.root, "--allow-removal")
    assert result.exit_code == 0, result.stderr
    assert items(built) == ["Ep3", "Ep1"]
    assert sorted(p.name for p in (built.root / "feeds" / "transcripts").iterdir()) == ["ep1.txt", "ep3.txt"]


def test_an_episode_marked_removed_leaves_the_feed_without_a_flag(built):
    episode = built.root / "episodes" / "ep2" / "episode.md"
    episode.write_text(episode.read_text().replace("+++\n", "+++\nremoved = true\n", 1))
    (built.root / "episodes" / "ep2" / "ep2.mp3").unlink()  # its audio may go too
    result = run("build", built.root)
    assert result.exit_code == 0, result.stderr
    assert "left out (removed): ep2" in result.stdout
    assert items(built) == ["Ep3", "Ep1"]


def test_an_episode_turned_draft_is_named_as_such(built):
    episode = built.root / "episodes" / "ep1" / "episode.md"
    episode.write_text(episode.read_text().replace("+++\n", "+++\ndraft = true\n", 1))
    result = run("build", built.root)
    assert result.exit_code == 1
    assert "'Ep1' (guid guid-ep1-0000) would be dropped from the feed: it is now a draft" in result.stderr


def test_a_changed_guid_stops_the_build_even_with_force(built):
    before = built.feed.read_bytes()
    episode = built.root / "episodes" / "ep3" / "episode.md"
    episode.write_text(episode.read_text().replace("guid-ep3-0000", "a-new-guid"))
    result = run("build", built.root, "--force")
    assert result.exit_code == 1
    assert "'Ep3' (guid guid-ep3-0000) would be dropped" in result.stderr
    assert built.feed.read_bytes() == before
