"""podcast.written: a sidecar the last build wrote is not written again while it holds what it
should, and one changed in feeds/ by hand, or whose source changed, is put right by the next build."""

from __future__ import annotations

import json
import os
import time

import pytest

from podcast import pipeline, written
from podcast.uptodate import RACY_NS

CHAPTERS = {
    "version": "1.2.0",
    "chapters": [{"startTime": 0, "title": "Start"}, {"startTime": 1, "title": "Next"}],
}
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello.\n"


def settle() -> None:
    time.sleep(RACY_NS / 1e9 + 0.05)


@pytest.fixture
def built(show):
    folder = show.add("one", date="2025-01-01")
    (folder / "chapters.json").write_text(json.dumps(CHAPTERS), "utf-8")
    (folder / "transcript.vtt").write_text(VTT, "utf-8")
    show.add("two", date="2025-01-02")
    pipeline.build(show.root)
    settle()
    return show


def sidecars(show) -> dict[str, bytes]:
    feeds = show.root / "feeds"
    return {
        str(path.relative_to(feeds)): path.read_bytes()
        for folder in ("chapters", "transcripts")
        for path in sorted((feeds / folder).iterdir())
    }


def test_unchanged_sidecars_are_left_as_they_are(built):
    before = sidecars(built)
    stats = {name: os.lstat(built.root / "feeds" / name) for name in before}
    pipeline.build(built.root)
    assert sidecars(built) == before
    for name, stat in stats.items():
        now = os.lstat(built.root / "feeds" / name)
        assert (now.st_ino, now.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns), name


@pytest.mark.parametrize("name", ["chapters/one.json", "transcripts/one.vtt"])
def test_a_sidecar_changed_by_hand_is_put_right(built, name):
    before = sidecars(built)
    path = built.root / "feeds" / name
    stat = path.stat()
    data = path.read_bytes()
    path.write_bytes(data.replace(b"Start", b"Stort").replace(b"Hello", b"Hallo"))  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old modification time
    pipeline.build(built.root)
    assert sidecars(built) == before


def test_a_deleted_sidecar_is_written_again(built):
    before = sidecars(built)
    (built.root / "feeds" / "chapters" / "one.json").unlink()
    pipeline.build(built.root)
    assert sidecars(built) == before


def test_a_transcript_edited_at_its_source_is_published_again(built):
    source = built.root / "episodes" / "one" / "transcript.vtt"
    stat = source.stat()
    source.write_text(VTT.replace("Hello", "Hallo"), "utf-8")  # same size
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old modification time
    pipeline.build(built.root)
    assert (built.root / "feeds" / "transcripts" / "one.vtt").read_text("utf-8") == source.read_text("utf-8")


def test_a_damaged_record_is_no_record(built):
    before = sidecars(built)
    (record,) = (built.root / written.RECORD_DIR).iterdir()
    damaged = built.root / "feeds" / "chapters" / "one.json"
    for text in ("[", '{"version": 1, "out": "feeds", "files": {"chapters/one.json": 7}}', ""):
        record.write_text(text, "utf-8")
        damaged.write_bytes(b"{}")
        pipeline.build(built.root)
        assert sidecars(built) == before
