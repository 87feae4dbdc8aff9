"""Reading podcast.toml and episode.md: every problem, with its file and line."""

from __future__ import annotations

import pytest

from podcast import config
from podcast.errors import ConfigError
from podcast.model import Funding, Locked, Person


def test_every_problem_in_podcast_toml_is_reported_with_its_line(show):
    toml = show.root / "podcast.toml"
    text = toml.read_text()
    text = text.replace('language = "en"', 'language = "English please"')
    text = text.replace("explicit = false", 'explicit = "no"\ntitel = "typo"')
    toml.write_text(text)
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    by_field = {p.field: p for p in caught.value.problems}
    assert set(by_field) == {"language", "explicit", "titel"}
    lines = text.splitlines()
    for field, problem in by_field.items():
        assert lines[problem.line - 1].startswith(field), (field, problem.line)
    assert "did you mean 'title'" in by_field["titel"].hint
    assert "true or false" in by_field["explicit"].message


def test_missing_required_keys_are_named(show):
    (show.root / "podcast.toml").write_text('title = "Only a title"\n')
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    missing = {p.field for p in caught.value.problems if p.message == "missing"}
    assert missing == {"description", "author", "owner", "language", "link", "base_url", "categories"}


def test_a_missing_key_names_the_line_where_it_would_go(show):
    toml = show.root / "podcast.toml"
    text = toml.read_text()
    kept = [line for line in text.splitlines() if not line.startswith("language")]
    toml.write_text("\n".join(kept) + "\n")
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    (missing,) = [p for p in caught.value.problems if p.field == "language"]
    assert kept[missing.line - 1].startswith("[")  # the first table: top-level keys go above it
    assert "above this line" in missing.hint


def test_a_missing_key_in_episode_md_points_at_the_closing_fence(show):
    folder = show.add("ep")
    episode = folder / "episode.md"
    lines = [line for line in episode.read_text().splitlines() if not line.startswith("title")]
    episode.write_text("\n".join(lines) + "\n")
    show_model, _ = config.load_show(show.root)
    _, problems = config.load_episodes(show_model)
    (missing,) = [p for p in problems if p.field == "title"]
    assert lines[missing.line - 1] == "+++" and missing.line > 1 and "above this line" in missing.hint


def test_a_date_in_another_form_in_episode_md_asks_for_yyyy_mm_dd(show):
    show.add("ep", date="2025-4-2")
    show_model, _ = config.load_show(show.root)
    _, problems = config.load_episodes(show_model)
    (problem,) = problems
    assert problem.line == 3 and problem.field == "date"
    assert "YYYY-MM-DD" in problem.message and "TOML" not in problem.hint


def test_a_category_not_on_apples_list_is_refused_with_suggestions(show):
    toml = show.root / "podcast.toml"
    toml.write_text(toml.read_text().replace("Health & Fitness > Medicine", "Health > Medicine"))
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    (problem,) = caught.value.problems
    assert problem.field == "categories"
    assert "Health & Fitness > Medicine" in problem.hint


def test_toml_syntax_errors_point_at_the_line(show):
    toml = show.root / "podcast.toml"
    lines = toml.read_text().splitlines()
    lines[2] = 'author = "unterminated'
    toml.write_text("\n".join(lines))
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    assert caught.value.problems[0].line == 3


def test_episode_problems_carry_line_numbers_counted_in_the_whole_file(show):
    folder = show.add("bad", extra='date = "2 April"')  # also a duplicate key: TOML error
    text = (folder / "episode.md").read_text().replace("date = 2025-01-01\n", "")
    text = text.replace("+++\nAn episode", 'season = 0\nepisode_type = "special"\n+++\nAn episode')
    (folder / "episode.md").write_text(text)
    loaded, _ = config.load_show(show.root)
    episodes, problems = config.load_episodes(loaded)
    assert episodes == []
    lines = text.splitlines()
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {"date", "season", "episode_type"}
    for field, problem in by_field.items():
        assert lines[problem.line - 1].startswith(field)
        assert problem.path == "episodes/bad/episode.md"
    assert "2025-04-02" in by_field["date"].hint


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-04-02", "2025-04-02T00:00:00+00:00"),
        ("2025-04-02T09:30:00+02:00", "2025-04-02T09:30:00+02:00"),
        ('"2025-04-02"', "2025-04-02T00:00:00+00:00"),
    ],
)
def test_dates_are_dates_or_datetimes_with_a_zone(show, value, expected):
    show.add("dated", date=value)
    loaded, _ = config.load_show(show.root)
    episodes, problems = config.load_episodes(loaded)
    assert episodes[0].date.isoformat() == expected


def test_a_datetime_without_a_zone_is_refused(show):
    show.add("naive", date="2025-04-02T09:30:00")
    loaded, _ = config.load_show(show.root)
    _, problems = config.load_episodes(loaded)
    assert problems[0].field == "date" and "time zone" in problems[0].message


def test_a_date_is_midnight_in_the_shows_time_zone(show):
    toml = show.root / "podcast.toml"
    toml.write_text(
        toml.read_text().replace('type = "episodic"', 'type = "episodic"\ntimezone = "Asia/Tokyo"')
    )
    show.add("tokyo", date="2025-04-02")
    loaded, _ = config.load_show(show.root)
    episodes, _ = config.load_episodes(loaded)
    assert episodes[0].date.isoformat() == "2025-04-02T00:00:00+09:00"


def test_podcast_guid_follows_the_podcasting_2_0_rule():
    # The example given in the Podcasting 2.0 namespace documentation.
    assert config.podcast_guid_for("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )


def test_chapters_and_link_keys_are_checked(show):
    toml = show.root / "podcast.toml"
    toml.write_text('chapters = "headings"\n' + toml.read_text())
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    (problem,) = caught.value.problems
    assert problem.field == "chapters" and problem.line == 1 and '"sections"' in problem.message
    toml.write_text(toml.read_text().replace('chapters = "headings"', 'chapters = "sections"'))
    loaded, _ = config.load_show(show.root)
    assert loaded.chapters_from == "sections"
    show.add("bad", extra='link = "not a url"\nchapters = "all"')
    show.add("good", extra='link = "https://example.com/good"\nchapters = "timestamps"')
    episodes, problems = config.load_episodes(loaded)
    assert {(p.path, p.field) for p in problems} == {
        ("episodes/bad/episode.md", "link"),
        ("episodes/bad/episode.md", "chapters"),
    }
    (good,) = episodes
    assert (good.link, good.chapters_from) == ("https://example.com/good", "timestamps")


# ---------------------------------------------------------------- Podcasting 2.0 and Apple extras


def add_to_show(show, keys: str = "", tables: str = "") -> str:
    """Put top-level keys before [owner] and tables after it; returns the new podcast.toml."""
    toml = show.root / "podcast.toml"
    head, owner = toml.read_text().split("\n[owner]")
    text = head + "\n" + keys + "\n[owner]" + owner + "\n" + tables
    toml.write_text(text)
    return text


def problems_of(show) -> dict:
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    return {p.field: p for p in caught.value.problems}


def test_the_extras_are_read_into_the_show(show):
    add_to_show(
        show,
        'locked = true\nmedium = "music"\nlicense = "CC-BY-4.0"\nnew_feed_url = "https://new.example.com/feed.xml"',
        '[[person]]\nname = "Ann Host"\n\n[[funding]]\nurl = "https://example.com/give"\ntext = "Give"\n',
    )
    loaded, _ = config.load_show(show.root)
    assert loaded.locked == Locked(True, "ann@example.com")
    assert loaded.persons == (Person("Ann Host", "host", "cast"),)
    assert loaded.funding == (Funding("https://example.com/give", "Give"),)
    assert (loaded.medium, loaded.license.identifier) == ("music", "cc-by-4.0")
    assert loaded.new_feed_url == "https://new.example.com/feed.xml"


def test_a_bad_entry_in_a_list_of_tables_is_reported_at_its_own_header(show):
    text = add_to_show(
        show,
        tables='[[person]]\nname = "Ann"\n\n[[person]]\nname = "Bo"\nhref = "bo.example.com"\n',
    )
    problem = problems_of(show)["person"]
    assert problem.message.startswith("person 2: href: expected a URL")
    assert text.splitlines()[problem.line - 1] == "[[person]]"
    assert (
        problem.line == text.splitlines().index("[[person]]", text.splitlines().index("[[person]]") + 1) + 1
    )


def test_misspelt_keys_inside_tables_get_a_suggestion(show):
    add_to_show(show, tables='[[funding]]\nurl = "https://example.com/give"\ntxt = "Give"\n')
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    unknown, missing = caught.value.problems
    assert (unknown.message, unknown.hint) == ("unknown key 'txt' in funding", "did you mean 'text'?")
    assert missing.message == "funding has no text"


def test_each_extra_is_checked_with_a_hint(show):
    add_to_show(
        show,
        'medium = "radio"',
        '[locked]\nvalue = true\nowner = "not an address"\n\n'
        '[location]\nname = "Austin"\ngeo = "30.2,-97.7"\n\n'
        '[update_frequency]\ntext = "Ten times"\nrrule = "FREQ=WEEKLY;COUNT=10"\n',
    )
    problems = problems_of(show)
    assert set(problems) == {"medium", "locked", "location", "update_frequency"}
    assert "owner" in problems["locked"].message
    assert "geo:30.2672,-97.7431" in problems["location"].hint
    assert "dtstart" in problems["update_frequency"].message


def test_episode_extras_name_missing_files_and_bad_values(show):
    folder = show.add(
        "ep",
        extra='alternate_audio = ["ep.m4a"]\nimage = "cover.gif"\nitunes_title = "<b>Bold</b>"\n'
        "[[soundbite]]\nstart = 1\nduration = 0\n",
    )
    problems: list = []
    loaded, _ = config.load_show(show.root)
    assert config.load_episode(loaded, folder, problems) is None
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {"alternate_audio", "image", "itunes_title", "soundbite"}
    assert by_field["alternate_audio"].message == "ep.m4a not found in episodes/ep/"
    assert "JPEG or PNG" in by_field["image"].message
    assert "markup" in by_field["itunes_title"].message
    lines = (folder / "episode.md").read_text().splitlines()
    assert lines[by_field["soundbite"].line - 1] == "[[soundbite]]"


def test_a_person_role_outside_the_podcast_taxonomy_is_refused_with_suggestions(show):
    add_to_show(show, tables='[[person]]\nname = "Ann"\nrole = "Cohost"\n')
    problem = problems_of(show)["person"]
    assert problem.message == "role: 'cohost' is not a role in the Podcast Taxonomy"
    assert "'co-host'" in problem.hint


def test_every_bad_field_of_a_table_is_reported(show):
    add_to_show(
        show,
        tables='[locked]\nowner = "not an address"\n\n'
        '[[location]]\nname = "Austin"\ngeo = "30.2,-97.7"\nrel = "home"\n\n'
        '[[location]]\nname = "Berlin"\ncountry = "Germany"\n',
    )
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    by_field: dict = {}
    for problem in caught.value.problems:
        by_field.setdefault(problem.field, []).append(problem.message)
    assert sorted(by_field["locked"]) == sorted(
        ['owner: "not an address" is not an e-mail address', "locked has no value"]
    )
    assert [m.split(":")[0:2] for m in by_field["location"]] == [
        ["location 1", " geo"],
        ["location 1", " rel"],
        ["location 2", " country"],
    ]


def test_a_bad_locked_owner_says_what_to_write(show):
    add_to_show(show, tables='[locked]\nvalue = true\nowner = "not an address"\n')
    assert "ann@example.com" in problems_of(show)["locked"].hint


def test_a_person_role_must_be_paired_with_its_own_group(show):
    add_to_show(show, tables='[[person]]\nname = "Ann"\nrole = "producer"\ngroup = "audio production"\n')
    problem = problems_of(show)["person"]
    assert "'producer' is not in group 'audio production'" in problem.message
    assert '"creative direction"' in problem.hint


def test_a_role_without_a_group_takes_its_own_group(show):
    add_to_show(show, tables='[[person]]\nname = "Ann"\nrole = "Producer"\n')
    loaded, _ = config.load_show(show.root)
    assert loaded.persons == (Person("Ann", "producer", "creative direction"),)


@pytest.mark.parametrize(
    ("written", "accepted"),
    [
        ('license = "not-a-license"', False),
        ('license = "MIT OR Apache-2.0"', False),
        ('license = "CC-BY-SA-4.0"', True),
        ('license = "MIT"', True),
    ],
)
def test_a_license_is_an_spdx_id(show, written, accepted):
    add_to_show(show, written)
    if accepted:
        assert config.load_show(show.root)[0].license.identifier == written.split('"')[1].lower()
    else:
        assert "SPDX" in problems_of(show)["license"].message


def test_a_license_of_ones_own_needs_its_url(show):
    add_to_show(show, tables='[license]\nname = "House licence"\n')
    assert "needs the url" in problems_of(show)["license"].message


# ---------------------------------------------------------------- encodings


def test_a_utf8_byte_order_mark_is_accepted_in_podcast_toml_and_episode_md(show):
    # Windows editors (Notepad, Word's plain-text export) start UTF-8 files with one.
    toml = show.root / "podcast.toml"
    toml.write_bytes(b"\xef\xbb\xbf" + toml.read_bytes())
    folder = show.add("ep")
    (folder / "episode.md").write_bytes(b"\xef\xbb\xbf" + (folder / "episode.md").read_bytes())
    show_model, problems = config.load_show(show.root)
    assert show_model.title == "Test Show" and not problems
    episodes, problems = config.load_episodes(show_model)
    assert [e.title for e in episodes] == ["Ep"] and not problems


def test_an_episode_md_in_windows_1252_is_named_with_line_column_and_encoding(show):
    folder = show.add("ep", title="Say “hello”")
    text = (folder / "episode.md").read_text("utf-8")
    (folder / "episode.md").write_bytes(text.encode("cp1252"))
    show_model, _ = config.load_show(show.root)
    _, problems = config.load_episodes(show_model)
    (problem,) = problems
    assert problem.path == "episodes/ep/episode.md" and problem.line == 2
    assert "line 2, column 14" in problem.message  # title = "Say “ : the 14th character
    assert "0x93" in problem.message and "Windows-1252" in problem.message
    assert "save it as UTF-8" in problem.hint


def test_a_podcast_toml_in_utf16_is_named_so(show):
    toml = show.root / "podcast.toml"
    toml.write_bytes(toml.read_text("utf-8").encode("utf-16"))
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    (problem,) = caught.value.problems
    assert problem.line == 1 and "UTF-16" in problem.message


def test_an_audio_path_that_is_a_folder_says_so(show):
    folder = show.add("ep", audio=False, extra='audio = "takes"')
    (folder / "takes").mkdir()
    show_model, _ = config.load_show(show.root)
    _, problems = config.load_episodes(show_model)
    (problem,) = problems
    assert problem.field == "audio" and "takes is a folder, not an audio file" in problem.message
    assert "not found" not in problem.message


def test_a_key_given_twice_in_episode_md_names_the_lines_of_the_file(show):
    folder = show.add("ep", extra='title = "Again"')
    lines = (folder / "episode.md").read_text().splitlines()
    loaded, _ = config.load_show(show.root)
    _, problems = config.load_episodes(loaded)
    (problem,) = problems
    assert lines[problem.line - 1] == 'title = "Again"'
    assert "title is given twice (first on line 2)" in problem.message and lines[1].startswith("title")


@pytest.mark.parametrize(
    ("written", "field", "shown"),
    [
        ("season = true", "season", "got true"),
        ("link = 2025-04-02T09:00:00Z", "link", "got 2025-04-02T09:00:00+00:00"),
        ("itunes_title = 09:30:00", "itunes_title", "got 09:30:00"),
        ('hosts = [["Ann"]]', "hosts", 'got [["Ann"]]'),
        ("image = {file = 1}", "image", "got {file = 1}"),
    ],
)
def test_a_value_of_the_wrong_type_is_shown_as_toml_not_python(show, written, field, shown):
    show.add("ep", extra=written)
    loaded, _ = config.load_show(show.root)
    _, problems = config.load_episodes(loaded)
    (problem,) = [p for p in problems if p.field == field]
    assert shown in problem.message
    assert "datetime" not in problem.message and "True" not in problem.message and "'" not in problem.message


def test_an_episode_without_audio_is_told_where_the_audio_line_goes(show):
    folder = show.add("ep", audio=False)
    lines = (folder / "episode.md").read_text().splitlines()
    loaded, _ = config.load_show(show.root)
    _, problems = config.load_episodes(loaded)
    (problem,) = problems
    assert problem.field == "audio" and lines[problem.line - 1] == "+++" and problem.line > 1
    assert "above this line" in problem.hint


def test_lines_are_counted_as_toml_counts_them_past_a_pasted_line_separator(show):
    # U+2028 (pasted from a web page) is text in TOML, not a line break.
    show.set_show_keys('copyright = "2025\u2028Ann Host"\ntimezone = "Mars/Base"')
    text = (show.root / "podcast.toml").read_text("utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    # (The separator itself is refused in a one-line value: tests/test_hardening_values.py.)
    (problem,) = [p for p in caught.value.problems if p.field == "timezone"]
    assert text.split("\n")[problem.line - 1].startswith("timezone")


@pytest.mark.parametrize(
    ("written", "field"),
    [('"titel" = "x"', "titel"), ('copyright.year = "2025"', "copyright"), ("'medium' = 5", "medium")],
)
def test_quoted_and_dotted_keys_are_found_on_their_line(show, written, field):
    show.set_show_keys(written)
    text = (show.root / "podcast.toml").read_text("utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    (problem,) = [p for p in caught.value.problems if p.field == field]
    assert problem.line and text.split("\n")[problem.line - 1] == written


def test_show_keys_written_below_the_owner_table_are_told_to_move_above_it(show):
    toml = show.root / "podcast.toml"
    head, owner = toml.read_text().split("\n[owner]\n")
    text = "[owner]\n" + owner.strip() + "\n\n" + head + "\n"  # [owner] first: every key lands in it
    toml.write_text(text)
    with pytest.raises(ConfigError) as caught:
        config.load_show(show.root)
    lines = text.splitlines()
    moved = {p.field: p for p in caught.value.problems if "below the [owner] header" in p.message}
    assert {"title", "author", "base_url", "categories", "guid"} <= set(moved)
    for field, problem in moved.items():
        assert lines[problem.line - 1].startswith(field) and "above the [owner] line (line 1)" in problem.hint
    assert not [p for p in caught.value.problems if p.message == "missing"]
    assert not [p for p in caught.value.problems if p.field == "guid" and p.severity == "warning"]


def test_a_link_in_episodes_that_loops_is_no_episode_and_the_others_are_read(show):
    show.add("a-first")
    show.add("c-last")
    (show.root / "episodes" / "b-loop").symlink_to("b-loop")
    show_model, _ = config.load_show(show.root)
    episodes, problems = config.load_episodes(show_model)
    assert [e.slug for e in episodes] == ["a-first", "c-last"]
    assert not [p for p in problems if p.severity == "error"]


@pytest.mark.parametrize("link_to", ["missing.mp3", "gone.mp3"])
def test_audio_that_is_a_broken_or_looping_link_is_not_found(show, link_to):
    folder = show.add("ep", audio=False, extra='audio = "gone.mp3"')
    (folder / "gone.mp3").symlink_to(link_to)
    show_model, _ = config.load_show(show.root)
    episodes, problems = config.load_episodes(show_model)
    (problem,) = problems
    assert not episodes
    assert (problem.field, problem.message) == ("audio", "gone.mp3 not found in episodes/ep/")
    assert problem.line == 5


def test_episode_folders_are_listed_as_they_are_now(show, tmp_path):
    """A build lists episodes/ more than once and the second listing is kept from the first
    while episodes/ is unchanged: a folder added, removed or linked in since is still seen."""
    import shutil
    import time

    from podcast.uptodate import RACY_NS

    show.add("one")
    show.add("two")
    time.sleep(RACY_NS / 1e9 + 0.05)

    def names() -> list[str]:
        return [folder.name for folder in config.episode_folders(show.root)]

    assert names() == names() == ["one", "two"]
    show.add("three")
    assert names() == ["one", "three", "two"]
    shutil.rmtree(show.root / "episodes" / "one")
    time.sleep(RACY_NS / 1e9 + 0.05)
    assert names() == names() == ["three", "two"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (show.root / "episodes" / "linked").symlink_to(elsewhere)
    time.sleep(RACY_NS / 1e9 + 0.05)
    assert names() == ["linked", "three", "two"]
    elsewhere.rmdir()  # the link now points nowhere; episodes/ itself is unchanged
    assert names() == ["three", "two"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("front_chars", [100, 4080, 4095, 4096, 5000])
def test_front_matter_is_split_from_a_long_article_as_from_a_short_one(front_chars, newline):
    description = "x" * front_chars
    source = newline.join(
        ["+++", 'title = "One"', f'description = "{description}"', "+++", "First line of the article.",
         "+++", "a fence in the article is text", "y" * 6000, ""]
    )  # fmt: skip
    toml, first_line, article = config.split_front_matter(source, "episodes/a/episode.md", [])
    assert (toml, first_line) == (newline.join(['title = "One"', f'description = "{description}"', ""]), 2)
    assert article.startswith("First line of the article.") and article.endswith("y" * 6000 + newline)


def test_an_unclosed_front_matter_before_a_long_article_is_reported():
    problems: list = []
    source = "+++\ntitle = 'One'\n" + "words\n" * 2000
    assert config.split_front_matter(source, "episodes/a/episode.md", problems) is None
    assert [p.message for p in problems] == ["front matter is never closed"]
