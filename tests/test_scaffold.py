"""`podcast init` and `podcast new` refuse what the build would refuse, and write what they are given."""

from __future__ import annotations

import pytest
from conftest import run
from PIL import Image

from podcast import config, pipeline, scaffold
from podcast.errors import ConfigError

INIT = ["--title", "My Show", "--author", "Ann", "--email", "ann@example.com"]


def test_init_refuses_a_plain_http_base_url(tmp_path):
    result = run("init", tmp_path / "show", *INIT, "--base-url", "http://media.example.com/show/")
    assert result.exit_code == 1
    assert "--base-url: http://media.example.com/show/ is plain http" in result.stderr
    assert "https" in result.stderr
    assert not (tmp_path / "show" / "podcast.toml").exists()


@pytest.mark.parametrize("base", ["http://localhost:8000/", "http://127.0.0.1/show/", "http://[::1]:8080/"])
def test_init_takes_a_loopback_http_base_url_with_a_warning(tmp_path, base):
    result = run("init", tmp_path / "show", *INIT, "--base-url", base)
    assert result.exit_code == 0, result.stderr
    assert "warning: --base-url" in result.stderr and "local test" in result.stderr
    assert "U101" in result.stderr


def test_a_repeated_category_keeps_every_category(tmp_path):
    result = run("init", tmp_path / "show", *INIT, "--base-url", "https://example.com/",
                 "--category", "Health & Fitness > Medicine", "--category", "Science")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    show, _ = config.load_show(tmp_path / "show")
    assert show.categories == (("Health & Fitness", "Medicine"), ("Science", None))


def test_new_refuses_a_slug_that_cannot_be_a_folder_in_a_url(show):
    with pytest.raises(ConfigError) as caught:
        scaffold.new_episode(show.root, title="Hello", slug="my episode")
    (problem,) = caught.value.problems
    assert problem.field == "--slug" and "my-episode" in problem.hint
    assert not (show.root / "episodes" / "my episode").exists()


def test_a_repeated_audio_is_a_usage_error(show, mp3_factory):
    result = run("new", show.root, "--title", "Two", "--audio", mp3_factory(3), "--audio", mp3_factory(4))
    assert result.exit_code == 2 and "--audio" in result.stderr and "once" in result.stderr
    assert not (show.root / "episodes" / "two").exists()


def test_new_writes_image_type_explicit_season_episode_and_link_for_the_build(show, mp3_factory, tmp_path):
    art = tmp_path / "art.png"
    Image.new("RGB", (1400, 1400), "navy").save(art)
    result = run("new", show.root, "--title", "Teaser", "--date", "2025-03-01", "--audio", mp3_factory(3),
                 "--image", art, "--episode-type", "trailer", "--explicit", "--season", "2", "--episode", "1",
                 "--link", "https://example.com/teaser")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    folder = show.root / "episodes" / "teaser"
    assert (folder / "image.png").read_bytes() == art.read_bytes()
    (episode,) = pipeline.build(show.root).catalog.published
    assert (episode.episode_type, episode.explicit, episode.season, episode.number) == ("trailer", True, 2, 1)
    assert episode.link == "https://example.com/teaser" and episode.image == "image.png"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--link", "http://example.com/page"], "--link"),
        (["--image", "small"], "--image"),  # 600 px: Apple refuses it
        (["--title", "Bell\x07"], "--title"),
        (["--host", ""], "--host"),
        (["--host", "Ann", "--host", "Bell\x07"], "--host"),
    ],
)
def test_new_refuses_what_the_build_would_refuse(show, tmp_path, args, field):
    small = tmp_path / "small.png"
    Image.new("RGB", (600, 600), "red").save(small)
    args = [str(small) if a == "small" else a for a in args]
    title = [] if "--title" in args else ["--title", "X"]
    result = run("new", show.root, *title, "--date", "2025-01-01", *args)
    assert result.exit_code == 1 and f"{field}:" in result.stderr
    assert not (show.root / "episodes").exists() or not any((show.root / "episodes").iterdir())


def test_new_without_audio_writes_a_draft_that_the_build_leaves_out(show, mp3_factory):
    show.add("first")
    result = run("new", show.root, "--title", "Later", "--date", "2025-02-01")
    assert result.exit_code == 0, result.stderr
    assert "draft" in result.stderr and "audio" in result.stderr
    built = run("build", show.root)
    assert built.exit_code == 0, built.stderr
    assert "left out (draft): later" in built.stdout


def test_init_and_new_name_a_file_in_the_way_of_a_folder_they_need(tmp_path, show):
    (tmp_path / "blocked").mkdir()
    (tmp_path / "blocked" / "episodes").write_text("a file, not a folder")
    result = run("init", tmp_path / "blocked", *INIT, "--base-url", "https://example.com/")
    assert result.exit_code == 1 and "internal error" not in result.stderr
    assert f"{tmp_path / 'blocked' / 'episodes'}: error: is a file where a folder is needed" in result.stderr
    (show.root / "episodes").rmdir()
    (show.root / "episodes").write_text("a file, not a folder")
    result = run("new", show.root, "--title", "Hello", "--date", "2025-01-01")
    assert result.exit_code == 1 and "internal error" not in result.stderr
    assert "episodes: error: is a file where a folder is needed" in result.stderr
