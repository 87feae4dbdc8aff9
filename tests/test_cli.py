"""The `podcast` command as a producer uses it: exit codes, messages, round trips."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import click
import feedparser
import pytest
from conftest import run
from PIL import Image

from podcast.cli import cli

COMMANDS = ["init", "new", "build", "notes", "lint", "info", "tag"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.output


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and "podcast, version" in result.output


def test_init_new_build_round_trip(tmp_path, mp3_factory):
    show = tmp_path / "myshow"
    notes = tmp_path / "article.txt"
    notes.write_text("Welcome\n\nThis is the first paragraph of the first episode.\n")
    result = run(
        "init",
        show,
        "--title",
        "My Show",
        "--author",
        "Me",
        "--email",
        "me@example.com",
        "--base-url",
        "https://example.com/myshow",
    )
    assert result.exit_code == 0, result.output
    result = run(
        "new",
        show,
        "--title",
        "Hello World",
        "--date",
        "2025-04-02",
        "--audio",
        mp3_factory(4),
        "--notes",
        notes,
        "--host",
        "Me",
    )
    assert result.exit_code == 0, result.output
    episode_md = show / "episodes" / "hello-world" / "episode.md"
    assert "guid = " in episode_md.read_text()
    result = run("build", show)
    assert result.exit_code == 0, result.stderr
    assert "1 episode" in result.output
    parsed = feedparser.parse(str(show / "feeds" / "feed.xml"))
    (entry,) = parsed.entries
    assert entry.title == "Hello World"
    assert int(entry.enclosures[0].length) == (show / "episodes/hello-world/tone-4s.mp3").stat().st_size
    assert "first paragraph" in entry.content[0].value
    # The GUID `new` wrote is the one in the feed, and it never changes.
    guid = next(line for line in episode_md.read_text().splitlines() if line.startswith("guid"))
    assert entry.id in guid


def test_a_show_made_by_init_without_a_link_does_not_promise_notes_at_its_media_address(
    tmp_path, mp3_factory
):
    show = tmp_path / "myshow"
    article = tmp_path / "article.txt"
    article.write_text("\n\n".join(f"Part {i} of the notes goes on a while. " * 10 for i in range(30)))
    base = "https://media.example.com/myshow/"
    result = run("init", show, "--title", "My Show", "--author", "Me", "--email", "me@example.com",
                 "--base-url", base)  # fmt: skip
    assert result.exit_code == 0, result.output
    result = run("new", show, "--title", "Long", "--date", "2025-04-02", "--audio", mp3_factory(4),
                 "--notes", article)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert run("build", show).exit_code == 0
    (entry,) = feedparser.parse(str(show / "feeds" / "feed.xml")).entries
    # The episode's generated page has the full notes.
    assert f'<a href="{base}episodes/long/">Full show notes</a>' in entry.summary
    # Without pages, the link names the show's address instead of promising the notes there.
    toml = show / "podcast.toml"
    toml.write_text(toml.read_text() + "\n[pages]\nenabled = false\n")
    assert run("build", show).exit_code == 0
    (entry,) = feedparser.parse(str(show / "feeds" / "feed.xml")).entries
    assert "Full show notes" not in entry.summary
    assert f'<a href="{base}">More at media.example.com/myshow</a>' in entry.summary


def test_build_lists_what_it_left_out(show):
    show.add("ready")
    show.add("wip", extra="draft = true", audio=False)
    show.add("later", date="2999-01-01")
    result = run("build", show.root)
    assert result.exit_code == 0, result.stderr
    assert "left out (draft): wip" in result.output
    assert "left out (scheduled for 2999-01-01): later" in result.output


def test_build_json(show):
    show.add("ready")
    result = run("build", show.root, "--json")
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["published"] == ["ready"] and data["changed"] is True


def test_build_json_answers_in_json_when_the_build_fails(show):
    show.add("one", extra='season = "one"')
    result = run("build", show.root, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)  # stdout holds nothing but the JSON object
    assert report["ok"] is False and report["exit_code"] == 1 and "was not changed" in report["error"]
    (season,) = [p for p in report["problems"] if p["field"] == "season"]
    assert season["path"].endswith("episodes/one/episode.md")
    assert season["line"] == 6  # +++, title, date, guid, audio, season
    assert season["severity"] == "error" and season["message"]
    assert {"path", "line", "code", "severity", "message"} <= set(season)


@pytest.mark.parametrize(
    "args",
    [
        ["build", "--json", "--no-such-option"],
        ["lint", "--json", "/no/such/place"],
        ["info", "--json"],  # FILES is required
        ["notes", "--json", "/no/such/file.md"],
        ["publish", "--json", "/no/such/show"],
        ["--json", "build"],  # --json before the command: a mistake of the group's own options
    ],
)
def test_every_command_with_json_answers_a_usage_mistake_in_json_and_exits_2(args):
    result = run(*args)
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["exit_code"] == 2 and report["error"]
    assert report["problems"][0]["severity"] == "error"
    assert result.stderr.count("Error:") == 1  # the human message, once


def test_a_command_added_to_the_group_answers_failures_in_json_without_doing_anything(tmp_path):
    # Commands other rooms add get the same reporting: the group does it, not each command.
    from podcast.errors import ConfigError, Problem

    @cli.command("fails-for-test")
    @click.option("--json", "as_json", is_flag=True)
    def fails(as_json: bool) -> None:
        raise ConfigError("nothing to do", problems=[Problem("x.toml", "bad value", line=3, field="k")])

    try:
        result = run("fails-for-test", "--json")
        text = run("fails-for-test")
    finally:
        cli.commands.pop("fails-for-test")
    assert result.exit_code == 1 and json.loads(result.stdout)["problems"][0]["line"] == 3
    assert text.exit_code == 1 and text.stdout == ""
    assert "x.toml:3: error: k: bad value" in text.stderr and "error: nothing to do" in text.stderr


def test_the_summary_counts_the_lines_printed(show):
    show.add("one", extra='season = "one"')
    show.add("two", extra="explicit = 3")
    result = run("build", show.root)
    lines = [line for line in result.stderr.splitlines() if ": error" in line or ": warning" in line]
    errors = sum(": error" in line for line in lines)
    warnings = sum(": warning" in line for line in lines)
    assert f"{errors} error(s), {warnings} warning(s)" in result.stderr


def test_build_errors_go_to_stderr_with_exit_1_and_every_problem(show):
    show.add("one", extra='season = "one"')
    show.add("two", extra="explicit = 3")
    result = run("build", show.root)
    assert result.exit_code == 1
    assert "episodes/one/episode.md:" in result.stderr and "season" in result.stderr
    assert "episodes/two/episode.md:" in result.stderr and "explicit" in result.stderr
    assert "was not changed" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_outside_a_show_says_what_to_do(tmp_path):
    result = run("build", tmp_path)
    assert result.exit_code == 1
    assert "podcast init" in result.stderr


def test_commands_find_the_show_from_any_folder_inside_it_and_say_which(show, monkeypatch):
    folder = show.add("deep")
    below = folder / "raw" / "takes"
    below.mkdir(parents=True)
    for where in (folder, below):
        monkeypatch.chdir(where)
        result = run("build")
        assert result.exit_code == 0, result.stderr
        assert f"the show in {show.root.resolve()}" in result.stderr
        assert "Test Show, 1 episode(s)" in result.stdout
    assert show.feed.is_file() and not (below / "feeds").exists()
    result = run("lint", below)
    assert result.exit_code == 0 and f"the show in {show.root.resolve()}" in result.stderr
    result = run("new", folder, "--title", "Second", "--date", "2025-02-01")
    assert result.exit_code == 0 and (show.root / "episodes/second/episode.md").is_file()


def test_a_directory_that_does_not_exist_is_a_usage_error_said_once(tmp_path):
    for command in ("build", "new", "tag"):
        result = run(command, tmp_path / "nowhere", *(["--title", "X"] if command == "new" else []))
        assert result.exit_code == 2
        assert result.stderr.count("does not exist") == 1 and "Traceback" not in result.stderr


def test_outside_any_show_the_message_is_said_once(tmp_path):
    result = run("build", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.count("podcast init") == 1
    assert len(result.stderr.strip().splitlines()) == 2  # the problem, then the summary


def test_usage_errors_exit_2(tmp_path):
    assert run("new", tmp_path, "--date", "2025-04-02").exit_code == 2  # no --title
    assert run("build", tmp_path, "--no-such-option").exit_code == 2


def test_init_refuses_to_overwrite(show):
    result = run(
        "init",
        show.root,
        "--title",
        "X",
        "--author",
        "Y",
        "--email",
        "y@example.com",
        "--base-url",
        "https://example.com/",
    )
    assert result.exit_code == 1 and "already exists" in result.stderr


def test_the_installed_command_never_prints_a_traceback(tmp_path):
    (tmp_path / "podcast.toml").write_bytes(b"\xff\xfe not utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "from podcast.cli import main; main()", "build", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "podcast.toml" in done.stderr


def test_info_json_describes_each_file_and_exits_1_for_unreadable_ones(media, tmp_path):
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"")
    result = run("info", "--json", media["mp3-vbr-no-header"], broken)
    assert result.exit_code == 1
    good, bad = json.loads(result.stdout)
    assert set(good) >= {"path", "format", "mime", "size", "duration", "bitrate", "sample_rate", "channels"}
    assert set(good) >= {"tags", "chapters", "artwork"}
    assert (good["format"], good["mime"], good["artwork"]) == ("mp3", "audio/mpeg", None)
    assert good["size"] == media["mp3-vbr-no-header"].stat().st_size
    assert abs(good["duration"] - 12.0) < 0.5
    assert bad == {"path": str(broken), "error": "is empty (0 bytes); export or upload the audio again"}
    assert "broken.mp3" in result.stderr


def test_info_prints_a_readable_summary(media):
    result = run("info", media["ogg"])
    assert result.exit_code == 0
    assert "ogg (audio/ogg)" in result.output and "00:12.000" in result.output
    assert "Apple Podcasts does not take it" in result.output


def test_new_fills_in_from_the_audio_tags_and_explicit_values_win(show, media, tmp_path):
    from media import cover, encode

    meta = {"title": "From The Tag", "artist": "Tag Host", "date": "2024-03-04", "track": "9", "disc": "3",
            "comment": "Notes from the tag."}  # fmt: skip
    art = cover(tmp_path / "art.jpg", (1400, 1400))
    tagged = encode(media["wav"], tmp_path / "tagged.mp3", "libmp3lame", metadata=meta, cover=art)
    result = run("new", show.root, "--audio", tagged, "--episode", "10")
    assert result.exit_code == 0, result.stderr
    text = (show.root / "episodes/from-the-tag/episode.md").read_text()
    assert 'title = "From The Tag"' in text and "date = 2024-03-04" in text
    assert 'hosts = ["Tag Host"]' in text and "season = 3" in text and "episode = 10" in text
    assert 'image = "cover.jpg"' in text and text.rstrip().endswith("Notes from the tag.")
    assert (show.root / "episodes/from-the-tag/cover.jpg").read_bytes() == art.read_bytes()
    assert run("build", show.root).exit_code == 0


@pytest.mark.parametrize(
    "art, reason",
    [((600, 600), "600 × 600 px, not 1400–3000"), ((1400, 1500), "not square"), (None, "not an image")],
)
def test_new_adopts_embedded_cover_art_only_when_apple_would_take_it(show, media, tmp_path, art, reason):
    from mutagen.id3 import APIC, ID3, TIT2

    tagged = tmp_path / "tagged.mp3"
    shutil.copy(media["mp3-xing"], tagged)
    image = tmp_path / "art.jpg"
    if art is None:
        image.write_bytes(b"\xff\xd8\xff\xe0 a broken JPEG")
    else:
        Image.new("RGB", art, "purple").save(image)
    tags = ID3(tagged)
    tags.add(TIT2(text="Small Cover"))
    tags.add(APIC(mime="image/jpeg", type=3, data=image.read_bytes()))
    tags.save(tagged)
    result = run("new", show.root, "--audio", tagged)
    assert result.exit_code == 0, result.stderr
    (note,) = [line for line in result.stderr.splitlines() if "cover art" in line]
    assert "tagged.mp3" in note and reason in note
    folder = show.root / "episodes/small-cover"
    assert "image =" not in (folder / "episode.md").read_text() and not list(folder.glob("cover.*"))
    assert run("build", show.root).exit_code == 0
    assert run("build", show.root).exit_code == 0


def test_formats_apple_does_not_take_build_with_a_warning_naming_the_episode(show, media):
    folder = show.add("lossless", audio=False, extra='audio = "lossless.flac"')
    shutil.copy(media["flac"], folder / "lossless.flac")
    result = run("build", show.root)
    assert result.exit_code == 0
    warning = [line for line in result.stderr.splitlines() if "M101" in line]
    assert warning and warning[0].startswith("episodes/lossless/episode.md") and "audio/flac" in warning[0]
    assert "warning" in warning[0]
    assert 'type="audio/flac"' in show.feed.read_text()


def test_build_reports_every_broken_audio_file_and_exits_1(show, media):
    cases = {
        "empty": (b"", ".mp3"),
        "renamed": (media["m4a"].read_bytes(), ".mp3"),
        "cut": (media["mp3-xing"].read_bytes()[:30000], ".mp3"),
        "notes": (b"Just some text, not audio at all.\n" * 30, ".mp3"),
        "headers": (media["opus"].read_bytes()[:300], ".opus"),
    }
    for slug, (data, suffix) in cases.items():
        folder = show.add(slug, audio=False, extra=f'audio = "{slug}{suffix}"')
        (folder / f"{slug}{suffix}").write_bytes(data)
    result = run("build", show.root)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    for slug in cases:
        lines = [line for line in result.stderr.splitlines() if f"episodes/{slug}/" in line]
        assert len(lines) == 1, lines
    assert "rename it to renamed.m4a" in result.stderr and "cut short" in result.stderr
    assert not show.feed.exists()  # nothing published, certainly no itunes:duration 0


def test_new_without_title_needs_a_title_tag(show, media):
    result = run("new", show.root, "--audio", media["wav"])
    assert result.exit_code == 1
    assert "--title" in result.stderr and "no title tag" in result.stderr
    assert not (show.root / "episodes").exists() or not list((show.root / "episodes").iterdir())


def test_notes_json_previews_an_episode(show):
    folder = show.add(
        "preview", title="Sleep Study", article="Intro\n\nHello there.\n\n00:00 Start\n01:00 End\n"
    )
    result = run("notes", folder / "episode.md", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"title", "date", "host", "sections", "html", "description_html", "text", "chapters"}
    assert data["title"] == "Sleep Study" and data["date"] == "2025-01-01"
    assert data["sections"][0] == {
        "heading": "Intro",
        "paragraphs": ["Hello there.", "00:00 Start", "01:00 End"],
    }
    assert data["chapters"] == [{"start": 0.0, "title": "Start"}, {"start": 60.0, "title": "End"}]


def test_notes_from_a_saved_page(tmp_path):
    from pathlib import Path

    page = Path(__file__).parent / "data" / "saved-page.html"
    result = run("notes", page, "--from-page", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["title"], data["date"], data["host"]) == (
        "What Happens During an Overnight Sleep Study",
        "2025-05-14",
        "Dana Whitfield",
    )
    assert [s["heading"] for s in data["sections"]] == [
        "Arriving at the Sleep Lab",
        "The Sensors and What They Measure",
        "After the Study",
    ]
    plain = run("notes", page, "--from-page")
    assert plain.exit_code == 0 and "Arriving at the Sleep Lab" in plain.stdout


def test_notes_on_a_file_that_is_not_text_exits_1(tmp_path):
    bad = tmp_path / "article.txt"
    bad.write_bytes(b"\xff\xfe\x00 not utf-8")
    result = run("notes", bad)
    assert result.exit_code == 1
    assert "article.txt" in result.stderr and "UTF-8" in result.stderr


def test_new_with_markdown_notes_marks_the_episode_as_markdown(show, tmp_path, mp3_factory):
    notes = tmp_path / "article.md"
    notes.write_text("## Why sleep matters\n\nThe body **repairs** itself at night.\n")
    result = run(
        "new",
        show.root,
        "--title",
        "Sleep",
        "--date",
        "2025-04-02",
        "--audio",
        mp3_factory(3),
        "--notes",
        notes,
    )
    assert result.exit_code == 0, result.stderr
    assert run("build", show.root).exit_code == 0
    (entry,) = feedparser.parse(str(show.feed)).entries
    html = entry.content[0].value
    assert "<h2>Why sleep matters</h2>" in html and "<strong>repairs</strong>" in html


@contextlib.contextmanager
def _a_folder_with_a_file_we_cannot_read(media):
    """A folder holding locked.mp3 (mode 000) and other.ogg; for root, the command then runs as nobody."""
    folder = Path(tempfile.mkdtemp(prefix="podcast-locked-"))  # in the system temp dir, reachable by all
    try:
        folder.chmod(0o755)
        shutil.copy(media["mp3-xing"], folder / "locked.mp3")
        shutil.copy(media["ogg"], folder / "other.ogg")
        (folder / "locked.mp3").chmod(0)
        if os.geteuid() != 0:
            yield folder
            return
        run("info", folder / "other.ogg")  # load every module while we are still root
        # Real and effective ids both (click asks access(), which checks the real one); the saved
        # ids stay root's, so we can switch back.
        os.setresgid(65534, 65534, 0)
        os.setresuid(65534, 65534, 0)
        try:
            yield folder
        finally:
            os.setresuid(0, 0, 0)
            os.setresgid(0, 0, 0)
    finally:
        shutil.rmtree(folder)


def test_info_reports_an_unreadable_file_among_the_others_and_exits_1(media):
    with _a_folder_with_a_file_we_cannot_read(media) as folder:
        locked = folder / "locked.mp3"
        result = run("info", "--json", locked, folder / "other.ogg", folder / "gone.mp3")
    assert result.exit_code == 1, result.output
    first, second, third = json.loads(result.stdout)
    assert first["path"] == str(locked) and "cannot be read" in first["error"]
    assert second["format"] == "ogg" and "error" not in second
    assert third["error"].startswith("not found")
    assert "Usage" not in result.stderr


@pytest.mark.parametrize("kind", ["dangling symlink", "folder"])
def test_new_reports_audio_it_cannot_read_as_a_problem_not_a_usage_error(show, tmp_path, kind):
    given = tmp_path / "given.mp3"
    if kind == "folder":
        given.mkdir()
    else:
        given.symlink_to(tmp_path / "moved-away.mp3")
    result = run("new", show.root, "--title", "Gone", "--audio", given)
    assert result.exit_code == 1 and "Usage" not in result.stderr
    assert "given.mp3" in result.stderr
    assert ("not found" if kind != "folder" else "is a folder, not an audio file") in result.stderr
    assert not (show.root / "episodes").exists() or not list((show.root / "episodes").iterdir())


def test_info_says_embedded_artwork_it_cannot_read_is_unreadable(media, tmp_path):
    from mutagen.id3 import APIC, ID3

    path = tmp_path / "art.mp3"
    shutil.copy(media["mp3-xing"], path)
    tags = ID3(path)
    tags.add(APIC(mime="image/jpeg", type=3, data=b"\xff\xd8 not a picture"))
    tags.save(path)
    result = run("info", path)
    assert result.exit_code == 0
    (line,) = [line for line in result.stdout.splitlines() if "artwork" in line]
    assert "unreadable" in line and "None" not in line


def test_new_warns_that_the_audio_looks_cut_short(show, media, tmp_path):
    cut = tmp_path / "cut.mp3"
    data = media["mp3-xing"].read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    result = run("new", show.root, "--title", "Half", "--audio", cut)
    assert result.exit_code == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if "cut short" in line]
    assert "cut.mp3" in warning and "upload or export it again" in warning


def test_a_colon_in_a_file_name_does_not_garble_the_reason(tmp_path):
    broken = tmp_path / "Ep 1: Hello.mp3"
    broken.write_bytes(b"not audio at all\n" * 40)
    result = run("info", "--json", broken)
    assert result.exit_code == 1
    (found,) = json.loads(result.stdout)
    assert found["path"] == str(broken)
    assert "Hello.mp3" not in found["error"] and found["error"]


def test_info_reads_a_misnamed_file_that_build_refuses_with_the_same_advice(show, media):
    folder = show.add("ep", audio=False, extra='audio = "ep.id3"')
    shutil.copy(media["mp3-xing"], folder / "ep.id3")
    info = run("info", "--json", folder / "ep.id3")
    assert info.exit_code == 0, info.stderr
    (read,) = json.loads(info.stdout)
    assert read["format"] == "mp3" and read["duration"] == pytest.approx(12.0, abs=0.05)
    advice = "is an MP3 file named .id3; rename it to ep.mp3"
    assert advice in read["warnings"][0] and advice in info.stderr
    build = run("build", show.root)
    assert build.exit_code == 1 and advice in build.stderr


def test_notes_json_names_an_article_that_is_not_utf8_as_the_build_does(tmp_path):
    article = tmp_path / "article.txt"
    article.write_bytes("Intro\n\n“Quoted” words\n".encode("cp1252"))
    result = run("notes", article, "--json")
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["path"], problem["line"]) == (str(article), 3)
    assert problem["message"].startswith("is not UTF-8 text") and "Windows-1252" in problem["message"]
    assert "UTF-8" in problem["hint"]
    assert f"{article}:3: error: is not UTF-8 text" in result.stderr


def test_info_says_yes_for_a_tag_that_is_set_not_pythons_true(show):
    folder = show.add("ep")
    assert run("tag", show.root).exit_code == 0
    result = run("info", folder / "ep.mp3")
    assert result.exit_code == 0, result.stderr
    (line,) = [x for x in result.stdout.splitlines() if x.split()[:1] == ["podcast"]]
    assert line.split() == ["podcast", "yes"]


def test_notes_refuses_an_episode_the_build_refuses_with_the_builds_own_lines(show):
    folder = show.add("spring", date='"2 April"', extra='titel = "Spring"')
    build = run("build", show.root)
    notes = run("notes", folder / "episode.md")
    assert build.exit_code == 1 and notes.exit_code == 1
    said = [
        "episodes/spring/episode.md:6: error: titel: unknown key (did you mean 'title'?)",
        'episodes/spring/episode.md:3: error: date: expected YYYY-MM-DD, got "2 April"',
    ]
    for line in said:
        assert line in build.stderr and line in notes.stderr
    assert "podcast build" in notes.stderr and notes.stdout == ""
    problems = json.loads(run("notes", folder / "episode.md", "--json").stdout)["problems"]
    assert [(p["path"], p["line"], p["field"]) for p in problems if p["severity"] == "error"] == [
        ("episodes/spring/episode.md", 6, "titel"),
        ("episodes/spring/episode.md", 3, "date"),
    ]
