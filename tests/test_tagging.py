"""`podcast tag`: each episode's metadata written into its audio, read back by `podcast info`."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner
from media import audio_md5
from PIL import Image

from podcast.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


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
