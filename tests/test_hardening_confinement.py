"""Nothing from outside the show directory is read into the feed or copied to feeds/.

Every way a path can lead out is tried: `..`, an absolute path, and a symlink (to a
file, to a folder, to /dev/zero), for every file the build reads or publishes. The
"secret" is a file beside the show that must never appear in feeds/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run
from media import cover

SECRET = "top secret: not for publishing\n"


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "elsewhere" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def published_bytes(root: Path) -> bytes:
    """Everything under feeds/, concatenated: what a publish would upload."""
    feeds = root / "feeds"
    return b"".join(p.read_bytes() for p in sorted(feeds.rglob("*")) if p.is_file())


def set_artwork(show, value: str) -> None:
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text().replace('# artwork = "artwork.jpg"', f"artwork = {value!r}"))


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
def test_artwork_from_outside_the_show_is_refused_naming_the_key(show, tmp_path, how):
    outside = cover(tmp_path / "elsewhere.png", (1400, 1400))
    show.add("ep1")
    if how == "dotdot":
        set_artwork(show, os.path.relpath(outside, show.root))
    elif how == "absolute":
        set_artwork(show, str(outside))
    else:
        (show.root / "art.png").symlink_to(outside)
        set_artwork(show, "art.png")
    result = run("build", show.root)
    assert result.exit_code == 1
    assert "podcast.toml" in result.stderr and "artwork:" in result.stderr
    assert "outside" in result.stderr
    assert not (show.root / "feeds" / "artwork.png").exists()
    assert not show.feed.exists()


def test_artwork_inside_the_show_reached_through_a_symlink_is_fine(show):
    cover(show.root / "real.png", (1400, 1400))
    (show.root / "art.png").symlink_to(show.root / "real.png")
    set_artwork(show, "art.png")
    show.add("ep1")
    result = run("build", show.root)
    assert result.exit_code == 0, result.stderr
    assert (show.root / "feeds" / "artwork.png").read_bytes() == (show.root / "real.png").read_bytes()


@pytest.mark.parametrize("name", ["transcript.txt", "transcript.vtt", "chapters.json"])
def test_an_episode_file_linked_to_a_file_elsewhere_is_refused(show, secret, name):
    folder = show.add("ep1")
    (folder / name).symlink_to(secret)
    result = run("build", show.root)
    assert result.exit_code == 1
    assert f"episodes/ep1/{name}" in result.stderr and "outside" in result.stderr
    assert not show.feed.exists()
    assert SECRET.encode() not in published_bytes(show.root)


def test_a_lint_of_the_show_does_not_read_a_linked_transcript(show, secret):
    folder = show.add("ep1")
    (folder / "transcript.txt").symlink_to(secret)
    result = run("lint", show.root)
    assert result.exit_code == 1
    assert "episodes/ep1/transcript.txt" in result.stdout + result.stderr
    assert "top secret" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", ["chapters.json", "transcript.json"])
def test_a_file_linked_to_dev_zero_is_refused_without_reading_it(show, name):
    folder = show.add("ep1")
    (folder / name).symlink_to("/dev/zero")
    result = run("build", show.root)
    assert result.exit_code == 1
    assert f"episodes/ep1/{name}" in result.stderr


def test_an_episode_image_linked_from_outside_is_refused(show, tmp_path):
    outside = cover(tmp_path / "elsewhere.png", (1400, 1400))
    folder = show.add("ep1", extra='image = "cover.png"')
    (folder / "cover.png").symlink_to(outside)
    result = run("build", show.root)
    assert result.exit_code == 1
    assert "episodes/ep1/episode.md" in result.stderr and "image:" in result.stderr
    assert not (show.root / "feeds" / "images").exists()


def test_audio_linked_from_outside_is_refused(show, tmp_path, mp3_factory):
    folder = show.add("ep1", audio=False, extra='audio = "ep1.mp3"')
    (folder / "ep1.mp3").symlink_to(mp3_factory(3.0))
    result = run("build", show.root)
    assert result.exit_code == 1
    assert "audio:" in result.stderr and "outside" in result.stderr


def test_a_symlinked_episode_folder_is_not_published(show, tmp_path, mp3_factory):
    show.add("ep1")
    elsewhere = tmp_path / "other-show-episode"
    elsewhere.mkdir()
    (elsewhere / "episode.md").write_text(
        '+++\ntitle = "Not ours"\ndate = 2025-01-02\nguid = "g-x"\naudio = "x.mp3"\n+++\nText\n'
    )
    (elsewhere / "x.mp3").write_bytes(mp3_factory(3.0).read_bytes())
    (show.root / "episodes" / "linked").symlink_to(elsewhere, target_is_directory=True)
    result = run("build", show.root)
    assert result.exit_code == 1
    assert "episodes/linked" in result.stderr and "outside" in result.stderr
    assert not show.feed.exists()


def test_a_symlinked_feeds_folder_is_never_written_through(show, tmp_path):
    show.add("ep1")
    target = tmp_path / "somewhere-else"
    target.mkdir()
    feeds = show.root / "feeds"
    if feeds.exists():
        feeds.rmdir()
    feeds.symlink_to(target, target_is_directory=True)
    result = run("build", show.root)
    assert result.exit_code == 1
    assert "feeds" in result.stderr and "symbolic link" in result.stderr
    assert list(target.iterdir()) == []


def test_a_symlinked_folder_inside_feeds_is_never_written_through(show, tmp_path):
    folder = show.add("ep1")
    (folder / "transcript.txt").write_text("Hello.\n")
    target = tmp_path / "somewhere-else"
    target.mkdir()
    (target / "keep.txt").write_text("not the build's to delete")
    (show.root / "feeds").mkdir(exist_ok=True)
    (show.root / "feeds" / "transcripts").symlink_to(target, target_is_directory=True)
    result = run("build", show.root)
    assert result.exit_code == 1
    assert "feeds/transcripts" in result.stderr
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_lint_of_a_feed_file_never_looks_outside_the_show(show, secret):
    show.add("ep1")
    assert run("build", show.root).exit_code == 0
    feed = show.feed.read_text()
    # Enclosures naming files outside: an absolute path after the base URL, and a link in feeds/.
    (show.root / "feeds" / "link.mp3").symlink_to(secret)
    hostile = feed.replace(
        "https://cdn.example.com/show/media/ep1/ep1.mp3",
        f"https://cdn.example.com/show/{secret}",
    )
    hostile_link = feed.replace(
        "https://cdn.example.com/show/media/ep1/ep1.mp3", "https://cdn.example.com/show/link.mp3"
    )
    for text in (hostile, hostile_link):
        show.feed.write_text(text)
        result = run("lint", show.feed)
        out = result.stdout + result.stderr
        # Had lint looked at the secret, M103 would compare the enclosure length with its size.
        assert "M103" not in out and "M104" not in out, out
