"""`podcast tag`: each episode's metadata written into its audio, read back by `podcast info`."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import run
from media import audio_md5
from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags
from PIL import Image

from podcast import audio


def _episode(show, slug, source, extra=""):
    folder = show.add(slug, audio=False, extra=f'audio = "{slug}{source.suffix}"\n{extra}'.strip(),
                      article="Why we sleep\n\nA paragraph about sleep.\n")  # fmt: skip
    shutil.copy(source, folder / f"{slug}{source.suffix}")
    return folder / f"{slug}{source.suffix}"


def test_tag_writes_what_the_feed_says_and_info_reads_it_back(show, media):
    Image.new("RGB", (1400, 1400), "teal").save(show.root / "cover.png")
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text().replace('# artwork = "artwork.jpg"', 'artwork = "cover.png"'))
    mp3 = _episode(show, "sleep", media["mp3-xing"], 'hosts = ["Ann Host"]\nseason = 2\nepisode = 5')
    m4a = _episode(show, "dreams", media["m4a"])
    listed = [{"startTime": 0, "title": "Intro"}, {"startTime": 4, "title": "Sleep"}]
    (mp3.parent / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": listed}))
    hashes = {p: audio_md5(p) for p in (mp3, m4a)}
    result = run("tag", show.root)
    assert result.exit_code == 0, result.stderr
    assert "run `podcast build`" in result.output
    assert {p: audio_md5(p) for p in (mp3, m4a)} == hashes  # the audio itself is untouched

    result = run("info", "--json", mp3, m4a)
    assert result.exit_code == 0
    read_mp3, read_m4a = json.loads(result.stdout)
    tags = read_mp3["tags"]
    assert tags["title"] == "Sleep" and tags["artist"] == "Ann Host" and tags["album"] == "Test Show"
    assert (tags["date"], tags["track"], tags["disc"], tags["genre"]) == ("2025-01-01", 5, 2, "Podcast")
    assert tags["comment"].startswith("Why we sleep") and tags["guid"] == "guid-sleep-0000"
    assert tags["feed_url"] == "https://cdn.example.com/show/feed.xml" and tags["podcast"] is True
    assert [(c["start"], c["title"]) for c in read_mp3["chapters"]] == [(0, "Intro"), (4, "Sleep")]
    assert read_mp3["artwork"] == {"mime": "image/png", "width": 1400, "height": 1400}
    assert read_m4a["tags"]["title"] == "Dreams" and read_m4a["tags"]["artist"] == "Ann Host"
    assert read_m4a["artwork"]["width"] == 1400

    # The sizes changed: the feed built now carries them.
    assert run("build", show.root).exit_code == 0
    assert f'length="{mp3.stat().st_size}"' in show.feed.read_text()


def test_tag_only_the_named_episodes(show, media):
    one = _episode(show, "one", media["mp3-xing"])
    two = _episode(show, "two", media["mp3-xing"])
    before = two.read_bytes()
    assert run("tag", show.root, "one").exit_code == 0
    assert two.read_bytes() == before and one.read_bytes() != before
    result = run("tag", show.root, "nope")
    assert result.exit_code == 1 and "episodes/nope" in result.stderr


def test_tag_reports_files_that_cannot_hold_tags(show, media):
    _episode(show, "raw", media["aac"])
    result = run("tag", show.root)
    assert result.exit_code == 1
    assert "raw.aac" in result.stderr and "convert it to M4A" in result.stderr
    assert "Traceback" not in result.stderr


def _published_chapters(show, slug):
    path = show.root / f"feeds/chapters/{slug}.json"
    if not path.exists():
        return []
    return [(c["startTime"], c["title"]) for c in json.loads(path.read_text())["chapters"]]


@pytest.mark.parametrize("kind", ["mp3-xing", "flac", "opus"])
def test_chapters_tag_wrote_follow_the_notes_after_tagging(show, media, kind):
    """Chapters `podcast tag` copied from the notes are not a source: editing the notes still counts."""
    path = _episode(show, "talk", media[kind])
    episode_md = path.parent / "episode.md"
    episode_md.write_text(
        episode_md.read_text().replace("A paragraph", "00:00 Hello\n00:05 World\n\nA paragraph")
    )
    assert run("tag", show.root).exit_code == 0
    found = json.loads(run("info", "--json", path).stdout)[0]
    assert [(c["start"], c["title"]) for c in found["chapters"]] == [(0, "Hello"), (5, "World")]
    assert found["chapters_written_by_tag"] is True
    assert "written by `podcast tag`" in run("info", path).stdout

    episode_md.write_text(episode_md.read_text().replace("00:05 World", "00:07 Planet"))
    assert run("build", show.root).exit_code == 0
    assert _published_chapters(show, "talk") == [(0, "Hello"), (7, "Planet")]

    # Re-tagging rewrites the stale copies; an empty chapters.json removes them.
    assert run("tag", show.root).exit_code == 0
    assert [c.title for c in audio.read(path).chapters] == ["Hello", "Planet"]
    (path.parent / "chapters.json").write_text('{"version": "1.2.0", "chapters": []}')
    assert run("tag", show.root).exit_code == 0
    assert audio.read(path).chapters == ()
    (path.parent / "chapters.json").unlink()
    episode_md.write_text(episode_md.read_text().replace("00:00 Hello\n00:07 Planet\n", ""))
    assert run("build", show.root).exit_code == 0
    assert _published_chapters(show, "talk") == []


def test_an_editors_chapters_in_the_audio_keep_their_precedence_through_tagging(show, media):
    path = _episode(show, "talk", media["mp3-xing"])
    tags = ID3()
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["a"]))
    tags.add(CHAP(element_id="a", start_time=0, end_time=12000, sub_frames=[TIT2(text="From the editor")]))
    tags.save(path)
    episode_md = path.parent / "episode.md"
    episode_md.write_text(
        episode_md.read_text().replace("A paragraph", "00:00 Hello\n00:05 World\n\nA paragraph")
    )
    assert run("tag", show.root).exit_code == 0
    assert [c.title for c in audio.read(path).chapters] == ["From the editor"]
    assert run("build", show.root).exit_code == 0
    assert _published_chapters(show, "talk") == [(0, "From the editor")]


def test_when_some_files_fail_the_tagged_ones_are_still_listed_and_a_broken_chapters_json_skips_its_file(
    show, media
):
    good = _episode(show, "good", media["mp3-xing"])
    _episode(show, "raw", media["aac"])
    listed = _episode(show, "listed", media["mp3-xing"])
    (listed.parent / "chapters.json").write_text('{"version": "1.2.0", "chapters": [')
    before = listed.read_bytes()
    result = run("tag", show.root)
    assert result.exit_code == 1
    assert f"tagged {good}" in result.stdout and "run `podcast build`" in result.stdout
    assert "raw.aac" in result.stderr and "episodes/listed/chapters.json" in result.stderr
    assert "listed" not in result.stdout and listed.read_bytes() == before  # not tagged at all


def test_tag_leaves_out_chapters_past_the_end_of_the_audio_as_the_feed_does(show, media):
    path = _episode(show, "short", media["mp3-xing"])
    length = audio.read(path).info.duration
    episode_md = path.parent / "episode.md"
    late = int(length) + 60
    episode_md.write_text(
        episode_md.read_text().replace(
            "A paragraph", f"00:00 Start\n00:01 Middle\n{late // 60:02d}:{late % 60:02d} Typo\n\nA paragraph"
        )
    )
    result = run("tag", show.root)
    assert result.exit_code == 0, result.stderr
    assert "Typo" in result.stderr  # the same warning the build gives
    assert [c.title for c in audio.read(path).chapters] == ["Start", "Middle"]
    assert run("build", show.root).exit_code == 0
    assert _published_chapters(show, "short") == [(0, "Start"), (1, "Middle")]


@pytest.mark.parametrize("kind", ["mp3-xing", "m4a", "ogg", "opus", "flac", "wav"])
def test_a_number_or_notes_taken_out_of_the_episode_leave_the_audio_on_the_next_tag(show, media, kind):
    """Every format forgets a value the episode no longer has, as MP3 always did."""
    path = _episode(show, "talk", media[kind], "season = 2\nepisode = 5")
    assert run("tag", show.root).exit_code == 0
    tags = json.loads(run("info", "--json", path).stdout)[0]["tags"]
    assert (tags["track"], tags["disc"]) == (5, 2) and tags["comment"].startswith("Why we sleep")

    episode_md = path.parent / "episode.md"
    text = episode_md.read_text().replace("season = 2\nepisode = 5\n", "")
    episode_md.write_text(text.replace("Why we sleep\n\nA paragraph about sleep.\n", ""))
    result = run("tag", show.root)
    assert result.exit_code == 0, result.stderr
    tags = json.loads(run("info", "--json", path).stdout)[0]["tags"]
    assert not {"track", "disc", "comment", "description"} & tags.keys()
    assert tags["title"] == "Talk" and tags["podcast"] is True  # what the episode still says stays


def test_tag_says_file_sizes_changed_only_when_they_did(show, media):
    mp3 = _episode(show, "sleep", media["mp3-xing"])
    first = run("tag", show.root)
    assert first.exit_code == 0 and "1 file size(s) changed: run `podcast build`" in first.output
    size = mp3.stat().st_size
    again = run("tag", show.root)  # the same tags again: the file keeps its size
    assert again.exit_code == 0 and mp3.stat().st_size == size
    assert "size(s) changed" not in again.output and "run `podcast build`" not in again.output
    assert "File sizes are unchanged" in again.output
    # The first tagging changed the size and no build followed: the feed is not right, nor said to be.
    assert "still right" not in again.output


def test_tag_writes_an_m4a_s_chapters_and_the_build_keeps_its_own_source(show, media):
    """MP4 files hold chapters too now (a Nero list): tag says how many, and they stay copies."""
    m4a = _episode(show, "dreams", media["m4a"])
    listed = [{"startTime": 0, "title": "Intro"}, {"startTime": 4, "title": "Dreams"}]
    (m4a.parent / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": listed}))
    assert audio.holds_chapters("m4a") and not audio.holds_chapters("aac")
    result = run("tag", show.root)
    assert result.exit_code == 0, result.stderr
    info = json.loads(run("info", "--json", m4a).stdout)[0]
    assert [(c["start"], c["title"]) for c in info["chapters"]] == [(0, "Intro"), (4, "Dreams")]
    assert info["chapters_written_by_tag"] is True
    # chapters.json changes: the next build publishes the new list, not the copies in the audio.
    listed[1]["title"] = "Dreams, renamed"
    (m4a.parent / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": listed}))
    assert run("build", show.root).exit_code == 0
    assert _published_chapters(show, "dreams") == [(0, "Intro"), (4, "Dreams, renamed")]
    (m4a.parent / "chapters.json").unlink()  # no chapters any more: the next tag takes ours out
    assert run("tag", show.root).exit_code == 0
    assert audio.read(m4a).chapters == ()
