"""`podcast publish` to a directory served over loopback HTTP with byte ranges (a web root).

The feed that goes up is read back over HTTP by feedparser, and every file it names is
fetched at its URL: what a listener's app would do.
"""

from __future__ import annotations

import json
import os
import shutil

import feedparser
import pytest
import requests
from conftest import run
from publish_servers import add_episode, make_show

from podcast import pipeline


def publish(show, *args: str):
    return run("publish", str(show.root), *args)


def published(show, *args: str) -> dict:
    result = publish(show, "--json", *args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def show(tmp_path, web_root, mp3_factory):
    """A show served by `web_root`, publishing into the folder it serves; pings off."""
    made = make_show(
        tmp_path / "show",
        web_root.url,
        mp3_factory,
        tables=f'[publish]\nto = "{web_root.folder}"\npubnotify = false\n',
    )
    add_episode(made, "first", date="2025-01-01")
    pipeline.build(made.root)
    return made


def live_feed(web_root) -> feedparser.FeedParserDict:
    answer = requests.get(web_root.url + "feed.xml", timeout=10)
    assert answer.status_code == 200
    return feedparser.parse(answer.content)


def test_first_publish_serves_the_feed_and_every_file_it_names(show, web_root):
    add_episode(show, "second", seconds=4.0, date="2025-02-01")
    pipeline.build(show.root)

    report = published(show)

    feed = live_feed(web_root)
    assert [e.title for e in feed.entries] == ["Second", "First"]
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        audio = requests.get(enclosure.href, timeout=10)
        assert audio.status_code == 200 and len(audio.content) == int(enclosure.length)
        assert enclosure.href.startswith(web_root.url + "media/")
        assert (
            audio.content
            == (show.root / "episodes" / entry.title.lower() / f"{entry.title.lower()}.mp3").read_bytes()
        )
    sidecars = [feed.feed.image.href] + [
        e["podcast_chapters"]["url"] for e in feed.entries if "podcast_chapters" in e
    ]
    for url in sidecars:
        assert requests.get(url, timeout=10).status_code == 200
    assert (web_root.folder / "transcripts" / "second.vtt").read_bytes() == (
        show.root / "feeds" / "transcripts" / "second.vtt"
    ).read_bytes()
    assert len(report["checked"]) == 2  # both enclosures were checked at their public URLs


def test_media_go_up_first_and_the_feed_last(show, web_root):
    report = published(show)
    kinds = [u["kind"] for u in report["uploaded"]]
    assert kinds == sorted(kinds, key=["media", "sidecar", "feed"].index)
    assert report["uploaded"][0]["key"] == "media/first/first.mp3"
    assert report["uploaded"][-1]["key"] == "feed.xml"


def test_a_second_publish_of_an_unchanged_show_uploads_nothing(show, web_root):
    first = published(show)
    stamps = {p: p.stat().st_mtime_ns for p in web_root.folder.rglob("*") if p.is_file()}

    again = published(show)

    assert again["uploaded"] == [] and sorted(again["skipped"]) == sorted(u["key"] for u in first["uploaded"])
    assert {p: p.stat().st_mtime_ns for p in web_root.folder.rglob("*") if p.is_file()} == stamps
    assert again["pings"] == [] and again["checked"] == []


def test_a_new_episode_uploads_only_its_files_and_the_feed(show, web_root):
    published(show)
    add_episode(show, "second", date="2025-02-01")
    pipeline.build(show.root)

    report = published(show)

    assert [u["key"] for u in report["uploaded"]] == [
        "media/second/second.mp3",
        "chapters/second.json",
        "episodes/second/index.html",
        "index.html",  # the home page lists the new episode; the first episode's page is unchanged
        "transcripts/second.vtt",
        "feed.xml",
    ]
    assert [e.title for e in live_feed(web_root).entries] == ["Second", "First"]


def test_a_server_without_byte_ranges_stops_the_publish_before_the_feed(show, web_root):
    published(show)
    before = (web_root.folder / "feed.xml").read_bytes()
    add_episode(show, "second", date="2025-02-01")
    pipeline.build(show.root)
    web_root.ranges = False

    result = publish(show)

    assert result.exit_code == 1
    assert "the live feed was not changed" in result.stderr
    assert 'episodes/second/episode.md: error: audio: "Second": GET ' in result.stderr
    assert "not 206 Partial Content" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert (web_root.folder / "feed.xml").read_bytes() == before


def test_a_wrong_content_type_names_the_episode_and_what_the_server_said(show, web_root):
    web_root.types["media/first/first.mp3"] = "application/octet-stream"

    result = publish(show)

    assert result.exit_code == 1
    assert '"First"' in result.stderr
    assert "Content-Type application/octet-stream, the feed says audio/mpeg" in result.stderr
    assert not (web_root.folder / "feed.xml").exists()


def test_a_stale_copy_at_the_public_address_is_caught_by_its_length(show, web_root, tmp_path, mp3_factory):
    # As with a CDN that still serves an older file: the public address answers with other bytes.
    published(show)
    audio = show.root / "episodes" / "first" / "first.mp3"
    audio.write_bytes(mp3_factory(5.0).read_bytes())
    pipeline.build(show.root)
    elsewhere = tmp_path / "not-served"

    result = publish(show, "--to", str(elsewhere))

    assert result.exit_code == 1
    size = f"{audio.stat().st_size:,}"
    assert f"the feed says {size}" in result.stderr
    assert not (elsewhere / "feed.xml").exists()


def test_no_verify_skips_the_check_with_a_warning(show, web_root):
    web_root.ranges = False
    result = publish(show, "--no-verify")
    assert result.exit_code == 0
    assert "--no-verify: the enclosures were not checked" in result.stderr
    assert (web_root.folder / "feed.xml").is_file()


def test_a_build_older_than_its_sources_is_refused(show, web_root):
    episode = show.root / "episodes" / "first" / "episode.md"
    episode.write_text(episode.read_text("utf-8").replace('title = "First"', 'title = "Renamed"'), "utf-8")

    result = publish(show)

    assert result.exit_code == 1
    assert "feeds/feed.xml older than the show's sources: run `podcast build` first" in result.stderr
    assert not web_root.folder.exists()


def test_build_first_publishes_what_the_build_makes(show, web_root):
    add_episode(show, "second", date="2025-02-01")  # not built yet

    result = publish(show, "--build")

    assert result.exit_code == 0, result.stderr
    assert [e.title for e in live_feed(web_root).entries] == ["Second", "First"]


def test_build_first_withdraws_a_deleted_episode_only_when_told_to(show, web_root):
    """A cron job's `publish --build` does not quietly drop an episode whose folder went
    missing; with --allow-removal it withdraws it, as `podcast build --allow-removal` does."""
    add_episode(show, "second", date="2025-02-01")
    assert publish(show, "--build").exit_code == 0
    live = (web_root.folder / "feed.xml").read_bytes()
    shutil.rmtree(show.root / "episodes" / "second")

    refused = publish(show, "--build")
    assert refused.exit_code == 1 and "would be dropped" in refused.stderr
    assert "--allow-removal" in refused.stderr
    assert (web_root.folder / "feed.xml").read_bytes() == live

    withdrawn = publish(show, "--build", "--allow-removal")
    assert withdrawn.exit_code == 0, withdrawn.stderr
    assert [e.title for e in live_feed(web_root).entries] == ["First"]


def test_allow_removal_without_build_is_a_usage_error(show):
    result = publish(show, "--allow-removal")
    assert result.exit_code == 2 and "--build" in result.output


def test_build_first_publishes_nothing_when_the_build_fails(show, web_root):
    published(show)
    live = (web_root.folder / "feed.xml").read_bytes()
    folder = add_episode(show, "second", date="2025-02-01")
    (folder / "second.mp3").write_bytes(b"not audio at all")

    result = publish(show, "--build")

    assert result.exit_code == 1
    assert "build stopped" in result.stderr and "episodes/second/episode.md" in result.stderr
    assert (web_root.folder / "feed.xml").read_bytes() == live
    assert not (web_root.folder / "media" / "second").exists()


def test_a_show_never_built_is_refused(tmp_path, web_root, mp3_factory):
    fresh = make_show(tmp_path / "fresh", web_root.url, mp3_factory)
    add_episode(fresh, "one")
    result = run("publish", str(fresh.root), "--to", str(web_root.folder))
    assert result.exit_code == 1
    assert "feeds/feed.xml is missing: run `podcast build` first" in result.stderr


def test_a_symlink_out_of_the_show_is_refused_and_nothing_goes_up(show, web_root, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    (show.root / "feeds" / "notes.txt").symlink_to(secret)

    result = publish(show)

    assert result.exit_code == 1
    assert "feeds/notes.txt" in result.stderr and "leads outside" in result.stderr
    assert not web_root.folder.exists()


def test_removed_episode_keeps_its_media_until_prune(show, web_root):
    add_episode(show, "second", date="2025-02-01")
    pipeline.build(show.root)
    published(show)
    for path in sorted((show.root / "episodes" / "second").iterdir()):
        path.unlink()
    (show.root / "episodes" / "second").rmdir()
    pipeline.build(show.root, allow_removal=True)  # a published episode leaves only when told

    kept = published(show)
    assert "media/second/second.mp3" in kept["unused"]
    assert (web_root.folder / "media" / "second" / "second.mp3").is_file()
    assert [e.title for e in live_feed(web_root).entries] == ["First"]

    dry = publish(show, "--prune", "--dry-run")
    assert "would delete media/second/second.mp3" in dry.stdout
    assert (web_root.folder / "media" / "second" / "second.mp3").is_file()

    result = publish(show, "--prune")
    assert result.exit_code == 0, result.stderr
    assert "deleted media/second/second.mp3" in result.stdout
    assert not (web_root.folder / "media" / "second").exists()
    assert (web_root.folder / "media" / "first" / "first.mp3").is_file()


def test_dry_run_lists_what_would_go_up_and_changes_nothing(show, web_root):
    result = publish(show, "--dry-run")

    assert result.exit_code == 0, result.stderr
    assert "would upload media/first/first.mp3" in result.stdout
    assert "would upload feed.xml" in result.stdout
    assert not web_root.folder.exists() and web_root.requests == []


def test_an_analytics_prefix_is_followed_to_the_file(tmp_path, web_root, mp3_factory):
    prefixed = make_show(
        tmp_path / "show",
        web_root.url,
        mp3_factory,
        keys=f'enclosure_prefix = "{web_root.url}e/"',
        tables=f'[publish]\nto = "{web_root.folder}"\npubnotify = false\n',
    )
    add_episode(prefixed, "first")
    pipeline.build(prefixed.root)

    report = published(prefixed)

    (entry,) = live_feed(web_root).entries
    assert entry.enclosures[0].href == f"{web_root.url}e/{web_root.url}media/first/first.mp3"
    assert report["uploaded"][0]["key"] == "media/first/first.mp3"
    assert ("HEAD", "/e/" + web_root.url + "media/first/first.mp3") in web_root.requests
    assert ("HEAD", "/media/first/first.mp3") in web_root.requests


def test_no_destination_says_where_to_name_one(tmp_path, web_root, mp3_factory):
    bare = make_show(tmp_path / "bare", web_root.url, mp3_factory)
    add_episode(bare, "one")
    pipeline.build(bare.root)
    result = run("publish", str(bare.root))
    assert result.exit_code == 1
    assert "no destination: give --to DEST, or add [publish]" in result.stderr


def test_an_unknown_scheme_is_a_usage_mistake(show):
    result = publish(show, "--to", "ftp://example.com/show")
    assert result.exit_code == 2
    assert "ftp://" in result.stderr


def test_audio_changed_in_place_goes_up_again_with_a_warning(show, web_root):
    published(show)
    audio = show.root / "episodes" / "first" / "first.mp3"
    data = bytearray(audio.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size, same length of audio: the feed does not change
    audio.write_bytes(bytes(data))

    report = published(show)

    assert [u["key"] for u in report["uploaded"]] == ["media/first/first.mp3"]
    assert (web_root.folder / "media" / "first" / "first.mp3").read_bytes() == bytes(data)
    assert any("media/first/first.mp3 changed since it was published" in w for w in report["warnings"])


def test_audio_behind_a_symlink_out_of_the_show_is_refused(show, web_root, tmp_path):
    audio = show.root / "episodes" / "first" / "first.mp3"
    outside = tmp_path / "outside.mp3"
    outside.write_bytes(audio.read_bytes())
    audio.unlink()
    audio.symlink_to(outside)

    result = publish(show)

    assert result.exit_code == 1
    # The show's reading refuses it first (hardening), naming the episode's audio key.
    assert "first.mp3" in result.stderr and "leads outside" in result.stderr
    assert not web_root.folder.exists()


def test_a_file_url_names_a_directory(show, tmp_path):
    target = tmp_path / "public"
    result = publish(show, "--to", target.as_uri(), "--no-verify")
    assert result.exit_code == 0, result.stderr
    assert (target / "feed.xml").read_bytes() == show.feed.read_bytes()


def test_a_folder_symlinked_out_of_the_show_is_refused(show, web_root, tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    (private / "notes.txt").write_text("not for the web")
    (show.root / "feeds" / "extra").symlink_to(private, target_is_directory=True)

    result = publish(show)

    assert result.exit_code == 1
    assert "feeds/extra" in result.stderr and "leads outside" in result.stderr
    assert not web_root.folder.exists()


@pytest.mark.parametrize("kind", ["broken link", "pipe"])
def test_a_file_in_feeds_that_cannot_be_read_is_named_and_nothing_goes_up(show, web_root, kind):
    odd = show.root / "feeds" / "notes.txt"
    if kind == "broken link":
        odd.symlink_to(show.root / "feeds" / "gone.txt")
    else:
        os.mkfifo(odd)  # reading it would wait for a writer forever

    result = publish(show)

    assert result.exit_code == 1
    assert "feeds/notes.txt is not a file that can be published" in result.stderr
    assert isinstance(result.exception, SystemExit)  # reported, not a Python error
    assert not web_root.folder.exists()


def test_a_media_folder_linked_to_another_disk_is_written_through(show, web_root, tmp_path):
    # A common web root: the audio lives on a larger volume, linked in as media/.
    big_disk = tmp_path / "big-disk" / "media"
    big_disk.mkdir(parents=True)
    web_root.folder.mkdir()
    (web_root.folder / "media").symlink_to(big_disk, target_is_directory=True)

    first = published(show)
    again = published(show)

    assert "media/first/first.mp3" in [u["key"] for u in first["uploaded"]]
    assert (big_disk / "first" / "first.mp3").read_bytes() == (
        show.root / "episodes" / "first" / "first.mp3"
    ).read_bytes()
    (entry,) = live_feed(web_root).entries
    assert requests.get(entry.enclosures[0].href, timeout=10).status_code == 200
    assert again["uploaded"] == []  # the linked folder is listed like any other


def test_a_destination_that_is_a_file_says_so(show, tmp_path):
    a_file = tmp_path / "www.txt"
    a_file.write_text("not a folder")

    result = publish(show, "--to", str(a_file))
    below = publish(show, "--to", str(a_file / "show"))

    assert result.exit_code == below.exit_code == 1
    assert f"{a_file}: is a file, not a folder" in result.stderr
    assert f"{a_file / 'show'}: {a_file} is not a folder; create the folder" in below.stderr
    assert a_file.read_text() == "not a folder"


def test_a_key_that_climbs_out_of_the_destination_is_refused(show, tmp_path):
    from podcast.errors import PublishError
    from podcast.publish.directory import DirectoryDestination

    www = tmp_path / "www-guard"
    with DirectoryDestination(str(www), www, show.root) as destination:
        for key in ("../escaped.txt", "media/../../escaped.txt", "/etc/escaped.txt"):
            with pytest.raises(PublishError, match="would be written outside the destination"):
                destination.put_bytes(key, b"x", content_type="text/plain", cache_control="no-cache")
    assert not (tmp_path / "escaped.txt").exists()


def test_an_empty_destination_is_a_usage_mistake_not_the_configured_one(show, web_root):
    # A script's `--to "$DEST"` with DEST unset must not publish to the show's own destination.
    result = publish(show, "--to", "")

    assert result.exit_code == 2
    assert "--to" in result.stderr and "is empty" in result.stderr
    assert not web_root.folder.exists()


def test_another_shows_destination_is_refused_and_its_feed_kept(show, web_root, tmp_path, mp3_factory):
    # The careless copy of a network's podcast.toml: the evening show names the morning's destination.
    published(show)
    live = (web_root.folder / "feed.xml").read_bytes()
    evening = make_show(
        tmp_path / "evening",
        web_root.url + "evening/",
        mp3_factory,
        tables=f'[publish]\nto = "{web_root.folder}"\npubnotify = false\n',
    )
    add_episode(evening, "dusk")
    pipeline.build(evening.root)

    for args in ((), ("--dry-run",), ("--prune", "--no-verify")):
        result = run("publish", str(evening.root), *args)
        assert result.exit_code == 1
        assert f"{web_root.folder}: another show is published there" in result.stderr
        assert "fix `to` in [publish]" in result.stderr
    assert (web_root.folder / "feed.xml").read_bytes() == live
    assert (web_root.folder / "media" / "first" / "first.mp3").is_file()
    assert not (web_root.folder / "media" / "dusk").exists()


def test_a_destination_that_holds_the_show_directory_is_refused(show, tmp_path):
    # `--to ..` by mistake: feed.xml and media/ would land beside the show, and the web server
    # would serve its sources (podcast.toml, audio of episodes not yet due).
    result = publish(show, "--to", str(show.root.parent))

    assert result.exit_code == 1
    assert f"{show.root.parent}: holds the show directory" in result.stderr
    assert "publish to a folder of its own" in result.stderr
    assert not (show.root.parent / "feed.xml").exists() and not (show.root.parent / "media").exists()


def test_a_destination_not_served_at_base_url_says_to_check_base_url(show, web_root, tmp_path):
    # `to` names a folder no web server serves at base_url: every enclosure answers 404.
    elsewhere = tmp_path / "not-served"

    result = publish(show, "--to", str(elsewhere))

    assert result.exit_code == 1
    assert "HTTP 404" in result.stderr
    said = f"it is published at {elsewhere} as media/first/first.mp3: base_url must be the public address"
    assert said in result.stderr
    assert not (elsewhere / "feed.xml").exists()
