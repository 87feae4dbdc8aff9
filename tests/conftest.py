"""Shared fixtures: real MP3s encoded with lameenc, and temporary show directories."""

from __future__ import annotations

import array
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import lameenc
import pytest
from click.testing import CliRunner, Result

from podcast import scaffold
from podcast.cli import cli

SAMPLE_RATE = 22050


def run(*args: object, env: dict[str, str | None] | None = None) -> Result:
    """`podcast ARGS...` in-process (CliRunner); paths and numbers are passed as strings.

    `env` sets (or, with None, unsets) environment variables for the run."""
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def encode_mp3(seconds: float, *, bitrate: int = 32, frequency: float = 440.0) -> bytes:
    """A real MPEG-1/2 layer III stream of a sine tone, `seconds` long."""
    count = int(seconds * SAMPLE_RATE)
    samples = array.array(
        "h", (int(8000 * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE)) for i in range(count))
    )
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(samples.tobytes()) + encoder.flush())


def copy_without_cache(source: Path, dest: Path, *, symlinks: bool = False) -> None:
    """A copy of a show as a cold build finds it: everything but its build cache (.podcast/).
    Left out rather than copied and removed: a build that just returned may still be closing its
    cache in a thread (copying the log into the file), and a copy of it would meet files vanishing."""
    shutil.copytree(source, dest, symlinks=symlinks, ignore=shutil.ignore_patterns(".podcast"))


@pytest.fixture(scope="session")
def mp3_factory(tmp_path_factory) -> Callable[[float], Path]:
    """Encode (and cache for the session) an MP3 of the given length; returns its path."""
    made: dict[float, Path] = {}
    folder = tmp_path_factory.mktemp("audio")

    def make(seconds: float = 3.0) -> Path:
        if seconds not in made:
            path = folder / f"tone-{seconds:g}s.mp3"
            path.write_bytes(encode_mp3(seconds))
            made[seconds] = path
        return made[seconds]

    return make


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    """One real file of every format (see tests/media.py), 12 s of the same signal. Do not modify them."""
    from media import make_media

    return make_media(tmp_path_factory.mktemp("media"))


class ShowDir:
    """A temporary show directory with helpers to add episodes."""

    def __init__(self, root: Path, mp3_factory) -> None:
        self.root = root
        self.mp3 = mp3_factory

    def add(
        self,
        slug: str,
        *,
        title: str | None = None,
        date: str = "2025-01-01",
        seconds: float = 3.0,
        extra: str = "",
        article: str = "An episode.\n",
        audio: bool = True,
    ) -> Path:
        """An episode with a title, date, guid and (unless audio=False) a real MP3 of `seconds`."""
        folder = self.root / "episodes" / slug
        folder.mkdir(parents=True)
        lines = [f'title = "{title or slug.title()}"', f"date = {date}", f'guid = "guid-{slug}-0000"']
        if audio:
            (folder / f"{slug}.mp3").write_bytes(self.mp3(seconds).read_bytes())
            lines.append(f'audio = "{slug}.mp3"')
        if extra:
            lines.append(extra)
        return self.write(slug, "\n".join(lines), article)

    def write(self, slug: str, front_matter: str, article: str = "An episode.\n") -> Path:
        """episodes/<slug>/episode.md with exactly this front matter (the TOML between the +++ lines)."""
        folder = self.root / "episodes" / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "episode.md").write_text(f"+++\n{front_matter}\n+++\n{article}", "utf-8")
        return folder

    def set_show_keys(self, keys: str) -> None:
        """Add top-level keys to podcast.toml (before [owner], its first table)."""
        toml = self.root / "podcast.toml"
        head, tables = toml.read_text("utf-8").split("\n[owner]", 1)
        toml.write_text(head.rstrip("\n") + "\n" + keys.strip() + "\n\n[owner]" + tables, "utf-8")

    @property
    def feed(self) -> Path:
        return self.root / "feeds" / "feed.xml"


def new_show(root: Path, mp3_factory: Callable[[float], Path]) -> ShowDir:
    """The test show (`podcast init` with every answer given) at `root`, with no episode yet."""
    scaffold.init_show(
        root,
        title="Test Show",
        author="Ann Host",
        owner_email="ann@example.com",
        base_url="https://cdn.example.com/show/",
        link="https://example.com/",
        category="Health & Fitness > Medicine",
        description="A show for tests.",
    )
    return ShowDir(root, mp3_factory)


@pytest.fixture
def show(tmp_path, mp3_factory) -> ShowDir:
    return new_show(tmp_path / "show", mp3_factory)


def pytest_terminal_summary(terminalreporter) -> None:
    """After a long fuzz run (PODCAST_FUZZ_EXAMPLES set), the figures per target."""
    import fuzzing

    if fuzzing.LONG_RUN and fuzzing.STATS:
        terminalreporter.section("fuzzing")
        for row in fuzzing.report():
            terminalreporter.write_line(row)


# ---------------------------------------------------------------- servers for the publish tests


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    """A real S3-compatible store on loopback, shared by the session (see publish_servers.py)."""
    from publish_servers import SeaweedFS

    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs"))
    try:
        server.wait()
        yield server
    finally:
        server.stop()


@pytest.fixture
def web_root(tmp_path):
    """A folder served over HTTP on 127.0.0.1 with byte ranges, as a web server's document root."""
    from publish_servers import WebRoot

    server = WebRoot(tmp_path / "www")
    yield server
    server.stop()
