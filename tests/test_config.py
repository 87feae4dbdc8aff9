"""Reading podcast.toml and episode.md: every problem, with its file and line."""

from __future__ import annotations

import pytest

from podcast import config
from podcast.errors import ConfigError


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
