"""Edits an unlucky producer makes, after which a rebuild must write and report what a build
from an empty cache writes and reports."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from conftest import encode_mp3, run

from podcast import pipeline
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


def _cold(root: Path, elsewhere: Path) -> tuple[dict[str, bytes], list[dict]]:
    """What a build of a copy of the show, with no .podcast/, writes and reports."""
    shutil.copytree(root, elsewhere, symlinks=True)
    shutil.rmtree(elsewhere / ".podcast", ignore_errors=True)
    return _outcome(elsewhere)


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
    built = _outcome(show.root)
    assert "<itunes:duration>4</itunes:duration>" in show.feed.read_text()
    assert built == _cold(show.root, tmp_path / "cold")


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
    assert _tree(show.root / "feeds") == _cold(show.root, tmp_path / "cold")[0]
