"""Edits an unlucky producer makes, after which a rebuild must write and report what a build
from an empty cache writes and reports."""

from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest
from conftest import copy_without_cache, encode_mp3, run

from podcast import pipeline, uptodate
from podcast.cache import BuildCache
from podcast.errors import PodcastError
from podcast.uptodate import RACY_NS


def _settle() -> None:
    time.sleep(RACY_NS / 1e9 + 0.05)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _outcome(root: Path) -> tuple[dict[str, bytes], list[dict]]:
    """feeds/ and the problems of a build of `root` (an error stopping it included)."""
    try:
        problems = [p.to_dict() for p in pipeline.build(root).catalog.problems]
    except PodcastError as exc:
        problems = [p.to_dict() for p in exc.problems]
    return _tree(root / "feeds"), problems


def _both(root: Path, elsewhere: Path) -> tuple[tuple, tuple]:
    """What a build of `root` writes and reports, and what a build of a copy of it taken just
    before, with no .podcast/ (a cold build of the same files, against the same last feed), does."""
    copy_without_cache(root, elsewhere, symlinks=True)
    return _outcome(root), _outcome(elsewhere)


def _same_size(short: bytes, long: bytes) -> tuple[bytes, bytes]:
    """Two real MP3s of different durations padded to one size with an ID3v2 tag of padding."""

    def padded(data: bytes, size: int) -> bytes:
        room = size - len(data) - 10
        syncsafe = bytes((room >> shift) & 0x7F for shift in (21, 14, 7, 0))
        return b"ID3\x04\x00\x00" + syncsafe + bytes(room) + data

    size = max(len(short), len(long)) + 100
    return padded(short, size), padded(long, size)


def test_audio_replaced_by_one_of_the_same_size_and_time_is_read_again(show, tmp_path):
    """`cp -p` of another take of the same size: size and modification time stay, the audio does not."""
    one, other = _same_size(encode_mp3(2.0, bitrate=64), encode_mp3(4.0, bitrate=32))
    assert len(one) == len(other)
    folder = show.add("one", date="2025-01-01")
    audio = folder / "one.mp3"
    audio.write_bytes(one)
    _settle()
    pipeline.build(show.root)
    stamp = audio.stat().st_mtime_ns
    replacement = tmp_path / "take-2.mp3"
    replacement.write_bytes(other)
    os.replace(replacement, audio)
    os.utime(audio, ns=(stamp, stamp))
    _settle()
    built, cold = _both(show.root, tmp_path / "cold")
    assert "<itunes:duration>4</itunes:duration>" in show.feed.read_text()
    assert built == cold


def test_a_hidden_audio_file_replaced_is_not_taken_as_up_to_date(show, tmp_path):
    """An audio file whose name starts with a dot is an input like any other."""
    folder = show.add("one", date="2025-01-01", audio=False, extra='audio = ".take.mp3"')
    (folder / ".take.mp3").write_bytes(encode_mp3(2.0))
    _settle()
    assert run("build", show.root, "--quiet").exit_code == 0
    (folder / ".take.mp3").write_bytes(encode_mp3(4.0))
    _settle()
    assert run("build", show.root, "--quiet").exit_code == 0
    assert "<itunes:duration>4</itunes:duration>" in show.feed.read_text()
    copy_without_cache(show.root, tmp_path / "cold", symlinks=True)
    assert _tree(show.root / "feeds") == _outcome(tmp_path / "cold")[0]


def _toml(show, old: str, new: str):
    def edit() -> None:
        toml = show.root / "podcast.toml"
        text = toml.read_text()
        assert old in text, old
        toml.write_text(text.replace(old, new, 1))

    return edit


def _front(show, slug: str, old: str, new: str):
    def edit() -> None:
        path = show.root / "episodes" / slug / "episode.md"
        text = path.read_text()
        assert old in text, old
        path.write_text(text.replace(old, new, 1))

    return edit


SETTINGS: dict[str, tuple[str | None, str]] = {
    "language": ('language = "en"', 'language = "de"'),
    "author": ('author = "Ann Host"', 'author = "Bea Host"'),
    "link": ('link = "https://example.com/"', 'link = "https://example.org/"'),
    "base_url": ("https://cdn.example.com/show/", "https://media.example.net/show/"),
    "explicit": ("explicit = false", "explicit = true"),
    "type": ('type = "episodic"', 'type = "serial"'),  # A122: the episodes have no numbers
    "timezone": ("explicit = false", 'explicit = false\ntimezone = "America/New_York"'),
    "chapters": ("explicit = false", 'explicit = false\nchapters = "sections"'),
    "simple_chapters": ("explicit = false", "explicit = false\nsimple_chapters = true"),
    "enclosure_prefix": ("explicit = false", 'explicit = false\nenclosure_prefix = "https://op3.dev/e/"'),
    "person": ("explicit = false", 'explicit = false\nperson = [{ name = "Ann Host", role = "host" }]'),
    "license": ("explicit = false", 'explicit = false\nlicense = "CC-BY-4.0"'),
    "pages": (None, "\n[pages]\nenabled = false\n"),
    "feed_items": ("explicit = false", "explicit = false\nfeed_items = 1"),
    "title": ('title = "Test Show"', 'title = "Another Show"'),
    "description": ("A show for tests.", "A show for tests, renamed."),
    "copyright": ("explicit = false", 'explicit = false\ncopyright = "2025 Ann Host"'),
    "block": ("explicit = false", "explicit = false\nblock = true"),
    "medium": ("explicit = false", 'explicit = false\nmedium = "music"'),
    "hubs": (None, '\n[publish]\nhubs = ["https://pubsubhubbub.appspot.com/"]\n'),
    "locked": ("explicit = false", "explicit = false\nlocked = true"),
    "complete": ("explicit = false", "explicit = false\ncomplete = true"),
    "new_feed_url": ("explicit = false", 'explicit = false\nnew_feed_url = "https://example.org/feed.xml"'),
    "funding": (None, '\n[[funding]]\nurl = "https://example.com/give"\ntext = "Give"\n'),
    "txt": ("explicit = false", 'explicit = false\ntxt = [{ text = "verify-me" }]'),
    "update_frequency": (None, '\n[update_frequency]\ntext = "Weekly"\n'),
    "location": ("explicit = false", 'explicit = false\nlocation = [{ name = "Austin, TX" }]'),
    "owner": ('email = "ann@example.com"', 'email = "bea@example.com"'),
    "categories": ('"Health & Fitness > Medicine"', '"Health & Fitness > Medicine", "Science"'),
}


def _two_episodes(show) -> None:
    show.add("one", date="2025-01-01", article="Intro\n\n00:00 Start\n00:01 Middle\n\nSee https://example.com/a\n")
    show.add("two", date="2025-01-02", article="Two\n\nMore of two.\n\nThird\n\nAnd more.\n")
    (show.root / "episodes/two/chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Start", "img": "c.jpg"}]}'
    )
    (show.root / "episodes/one/transcript.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHi.\n")


def _kept_build(show) -> None:
    """Build twice, the second time with every folder old enough to be kept."""
    pipeline.build(show.root)
    _settle()
    pipeline.build(show.root)


@pytest.mark.parametrize("key", sorted(SETTINGS))
def test_a_show_setting_changed_builds_what_a_cold_build_builds(show, tmp_path, key):
    _two_episodes(show)
    _kept_build(show)
    old, new = SETTINGS[key]
    if old is None:  # a table, at the end
        with (show.root / "podcast.toml").open("a") as toml:
            toml.write(new)
    else:
        _toml(show, old, new)()
    _settle()
    built, cold = _both(show.root, tmp_path / "cold")
    assert built == cold
    assert not [p for p in built[1] if p["path"] == "podcast.toml" and p["severity"] == "error"]


def _plain(show, slug: str, date: str, seconds: float, extra: str = "") -> Path:
    """An episode whose files have the names every folder's have (episode.md, audio.mp3)."""
    folder = show.write(
        slug, f'title = "{slug.title()}"\ndate = {date}\nguid = "guid-{slug}"\naudio = "audio.mp3"\n{extra}'
    )
    (folder / "audio.mp3").write_bytes(show.mp3(seconds).read_bytes())
    return folder


def _swap(show) -> None:
    episodes = show.root / "episodes"
    (episodes / "one").rename(episodes / "tmp")
    (episodes / "two").rename(episodes / "one")
    (episodes / "tmp").rename(episodes / "two")


def _rename(show) -> None:
    (show.root / "episodes/one").rename(show.root / "episodes/first")


EDITS = {
    "folders swapped": _swap,
    "folder renamed": _rename,
    "removed": lambda show: _front(show, "two", "+++\n", 'removed = true\n+++\n')(),
    "draft": lambda show: _front(show, "two", "+++\n", "draft = true\n+++\n")(),
    "date moved to the future": lambda show: _front(show, "two", "date = 2025-01-02", "date = 2999-01-02")(),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_an_episode_edit_builds_what_a_cold_build_builds(show, tmp_path, kind):
    _plain(show, "one", "2025-01-01", 2.0)
    _plain(show, "two", "2025-01-02", 4.0)
    _kept_build(show)
    EDITS[kind](show)
    _settle()
    built, cold = _both(show.root, tmp_path / "cold")
    assert built == cold


@pytest.fixture
def upgraded(tmp_path):
    """Installs, ahead of the real ones, the metadata of a newer version of a library (as
    `pip install -U` into a folder earlier on sys.path does); removed after the test."""
    folder = tmp_path / "site"
    folder.mkdir()
    sys.path.insert(0, str(folder))

    def upgrade(name: str, version: str = "99.0") -> None:
        info = folder / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        importlib.invalidate_caches()
        assert metadata.version(name) == version

    yield upgrade
    sys.path.remove(str(folder))
    importlib.invalidate_caches()


def test_an_upgraded_renderer_is_not_taken_as_up_to_date(show, upgraded):
    """A newer markdown-it-py may render the notes otherwise: the build is a real one, not 'unchanged'."""
    show.add("one", date="2025-01-01")
    _settle()
    assert run("build", show.root, "--quiet").exit_code == 0
    options = {"strict": False, "force": False, "allow_removal": False}
    assert uptodate.unchanged_report(show.root, options) is not None
    upgraded("markdown-it-py")
    assert uptodate.unchanged_report(show.root, options) is None


def test_audio_read_by_an_older_mutagen_is_read_again_after_an_upgrade(show, tmp_path, upgraded):
    """What the last mutagen read of a file is not what the next one reads: after an upgrade the
    build reads the audio again, as a build from an empty cache does."""
    show.add("one", date="2025-01-01", seconds=3.0)
    _kept_build(show)
    # What an older reader made of the file (one that got its length wrong), as it kept it.
    with BuildCache(show.root) as cache:
        assert cache.db is not None
        (value,) = cache.db.execute("SELECT value FROM probe").fetchone()
        found = json.loads(value)
        found["info"]["duration"] = 99.0
        cache.db.execute("UPDATE probe SET value = ?", (json.dumps(found),))
    upgraded("mutagen")
    built, cold = _both(show.root, tmp_path / "cold")
    assert "<itunes:duration>3</itunes:duration>" in show.feed.read_text()
    assert built == cold


def test_notes_rendered_by_an_older_lxml_are_rendered_again_after_an_upgrade(show, tmp_path, upgraded):
    """notes.py cleans and cuts the notes' HTML with lxml: after an upgrade they are rendered again."""
    show.add("one", date="2025-01-01", article="Plain words of the episode.\n")
    _kept_build(show)
    # What an older lxml made of the notes, as the cache kept it.
    with BuildCache(show.root) as cache:
        assert cache.db is not None
        for key, value in cache.db.execute("SELECT key, value FROM notes").fetchall():
            stale = value.replace("Plain words", "Older words")
            cache.db.execute("UPDATE notes SET value = ? WHERE key = ?", (stale, key))
    upgraded("lxml")
    built, cold = _both(show.root, tmp_path / "cold")
    assert "Older words" not in show.feed.read_text()
    assert built == cold


def _reported(root: Path) -> list[dict]:
    result = run("build", root, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["problems"]


def test_a_move_warned_about_once_is_not_warned_about_again_when_nothing_changed(show, tmp_path):
    """G105 compares with the feed last built: once the moved feed is built, a build with nothing
    changed says what a build from an empty cache says, without the move."""
    show.add("one", date="2025-01-01")
    _settle()
    _reported(show.root)
    _toml(show, "https://cdn.example.com/show/", "https://media.example.net/show/")()
    _settle()
    assert "G105" in {p["code"] for p in _reported(show.root)}
    again = _reported(show.root)
    copy_without_cache(show.root, tmp_path / "cold")
    assert "G105" not in {p["code"] for p in again}
    assert again == _reported(tmp_path / "cold")


def test_a_build_stopped_by_one_episode_then_fixed_builds_what_a_cold_build_builds(show, tmp_path):
    _plain(show, "one", "2025-01-01", 2.0)
    _plain(show, "two", "2025-01-02", 4.0)
    _kept_build(show)
    audio = show.root / "episodes/two/audio.mp3"
    good = audio.read_bytes()
    audio.write_bytes(b"not audio at all\n" * 100)
    _front(show, "one", "An episode.", "An episode, edited.")()
    _settle()
    first, cold = _both(show.root, tmp_path / "cold-1")
    assert first == cold and any(p["severity"] == "error" for p in first[1])
    audio.write_bytes(good)
    _settle()
    second, cold = _both(show.root, tmp_path / "cold-2")
    assert second == cold and not any(p["severity"] == "error" for p in second[1])
    assert "An episode, edited." in show.feed.read_text()


def test_a_feed_edited_by_hand_keeping_its_size_and_time_is_read_itself(show, tmp_path):
    """The digest of the last feed stands for feed.xml only while feed.xml is the file it was."""
    _plain(show, "one", "2025-01-01", 2.0)
    _plain(show, "two", "2025-01-02", 4.0)
    _kept_build(show)
    stat = show.feed.stat()
    text = show.feed.read_text()
    assert text.count("guid-two") == 1
    show.feed.write_text(text.replace("guid-two", "guid-2wo"))  # a GUID apps know that no folder has
    os.utime(show.feed, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert show.feed.stat().st_size == stat.st_size
    _settle()
    built, cold = _both(show.root, tmp_path / "cold")
    assert built == cold
    assert any("guid-2wo" in p["message"] for p in built[1])


def _png(colour: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1400, 1400), colour).save(out, "PNG")
    return out.getvalue()


def test_hidden_show_artwork_replaced_is_not_taken_as_up_to_date(show):
    """Show artwork whose name starts with a dot is an input like any other."""
    first, second = _png("navy"), _png("teal")
    (show.root / ".cover.png").write_bytes(first)
    _toml(show, '# artwork = "artwork.jpg"', 'artwork = ".cover.png"')()
    show.add("one", date="2025-01-01")
    _settle()
    assert run("build", show.root, "--quiet").exit_code == 0
    assert (show.root / "feeds/artwork.png").read_bytes() == first
    (show.root / ".cover.png").write_bytes(second)
    _settle()
    assert run("build", show.root, "--quiet").exit_code == 0
    assert (show.root / "feeds/artwork.png").read_bytes() == second


def test_a_show_copied_with_its_cache_then_edited_builds_what_a_cold_build_builds(show, tmp_path):
    """`cp -a` keeps every file's size and modification time, and .podcast/ with them."""
    _plain(show, "one", "2025-01-01", 2.0)
    _plain(show, "two", "2025-01-02", 4.0)
    _kept_build(show)
    copy = tmp_path / "copy"
    shutil.copytree(show.root, copy, symlinks=True)
    stat = (copy / "episodes/two/audio.mp3").stat()
    (copy / "episodes/two/audio.mp3").write_bytes((copy / "episodes/one/audio.mp3").read_bytes())
    _settle()
    built, cold = _both(copy, tmp_path / "cold")
    assert built == cold and stat.st_size != (copy / "episodes/two/audio.mp3").stat().st_size


def test_the_cache_of_another_show_copied_in_builds_what_a_cold_build_builds(show, tmp_path, mp3_factory):
    """Two shows of the same shape: the same folder and file names, other audio and hosts."""
    from conftest import ShowDir

    _plain(show, "one", "2025-01-01", 2.0)
    _plain(show, "two", "2025-01-02", 4.0)
    _kept_build(show)
    other = ShowDir(tmp_path / "other", mp3_factory)
    shutil.copytree(show.root, other.root, ignore=shutil.ignore_patterns("episodes", ".podcast", "feeds"))
    _plain(other, "one", "2025-01-01", 5.0)
    _plain(other, "two", "2025-01-02", 6.0, 'hosts = ["Cy Guest"]')
    _kept_build(other)
    shutil.rmtree(other.root / ".podcast")
    shutil.copytree(show.root / ".podcast", other.root / ".podcast")
    built, cold = _both(other.root, tmp_path / "cold")
    assert built == cold


def test_notes_in_a_cache_that_came_with_a_show_are_not_published(show, tmp_path):
    """A show directory received from someone else (a tarball with .podcast/ in it): the notes its
    cache holds are not what this build rendered, and could say anything, markup included."""
    show.add("one", date="2025-01-01", article="Plain words of the episode.\n")
    pipeline.build(show.root)
    with BuildCache(show.root) as cache:
        assert cache.db is not None
        for key, value in cache.db.execute("SELECT key, value FROM notes").fetchall():
            hostile = value.replace("Plain words", "<script>alert(1)</script>Injected words")
            cache.db.execute("UPDATE notes SET value = ? WHERE key = ?", (hostile, key))
    received = tmp_path / "received"
    shutil.copytree(show.root, received, ignore=shutil.ignore_patterns("feeds"))
    built, cold = _both(received, tmp_path / "cold")
    assert "Injected words" not in (received / "feeds/feed.xml").read_text()
    assert built == cold
