"""podcast.lastfeed: the feed last built, as the next build reads it back (from the digest kept of
it while feed.xml is that file, else from feed.xml itself), and where each of its items is."""

from __future__ import annotations

import json
import shutil

import pytest

from podcast import lastfeed, pipeline
from podcast.errors import PodcastError


@pytest.fixture
def built(show):
    for number in range(1, 7):
        show.add(f"ep-{number}", date=f"2025-01-0{number}", article=f"Line one.\n\nLine {number}.\n" * number)
    pipeline.build(show.root)
    return show


def _dropped(show) -> list[tuple[int | None, str]]:
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    return [(p.line, p.message) for p in caught.value.problems if "dropped" in p.message]


def test_items_are_found_at_their_lines_from_the_kept_offsets_as_from_the_feed(built):
    """The digest keeps where each item starts in feed.xml as a byte offset; the lines named
    when episodes would be dropped are those feed.xml itself gives, each an <item>'s."""
    kept = lastfeed.read(built.root)
    assert kept is not None and kept.offsets
    for name in ("ep-2", "ep-3", "ep-6"):
        shutil.rmtree(built.root / "episodes" / name)
    from_digest = _dropped(built)
    lastfeed.forget(built.root)
    assert lastfeed.read(built.root).offsets is False  # feed.xml itself parsed
    from_feed = _dropped(built)
    assert from_digest == from_feed and len(from_digest) == 3
    lines = built.feed.read_text("utf-8").splitlines()
    assert all(lines[line - 1].strip() == "<item>" for line, _ in from_digest)
    assert len({line for line, _ in from_digest}) == 3


def test_a_record_of_the_last_version_or_with_offsets_that_lie_is_not_believed(built):
    """A record of the previous version (lines, not offsets) or one whose offsets are not
    offsets in feed.xml is read as absent: feed.xml is parsed instead, never misread."""
    record = built.root / lastfeed.RECORD_FILE
    entry = json.loads(record.read_text("utf-8"))
    older = {**{k: v for k, v in entry.items() if k != "offsets"}, "version": 2, "lines": [1] * 6}
    for lie in (
        older,
        {**entry, "offsets": entry["offsets"][:-1]},
        {**entry, "offsets": ["12"] * 6},
        {**entry, "offsets": [-1] * 6},
        {**entry, "offsets": [10**12] * 6},
    ):
        record.write_text(json.dumps(lie), "utf-8")
        last = lastfeed.read(built.root)
        assert last is not None and last.offsets is False
        assert [last.line(index) for index in range(6)] == [item.sourceline for item in last.feed.items]


def test_a_feed_larger_than_a_build_parses_is_compared_through_its_digest(built, monkeypatch):
    """A feed past the size a build parses whole (FEED_MAX_BYTES, 50 MB: 10,000 episodes with
    full notes) is the one whose digest matters: the next build still reads it, with no warning
    that it could not compare, and names the line of each episode it would drop."""
    with monkeypatch.context() as small:
        small.setattr(lastfeed, "FEED_MAX_BYTES", built.feed.stat().st_size - 1)  # (its digest is smaller)
        small.setattr(lastfeed, "_PIECE", 64)  # the lines counted a piece at a time
        last = lastfeed.read(built.root)
        assert last is not None and last.offsets
        assert lastfeed.unread_because_large(built.root) is not None  # feed.xml alone: not read
        for name in ("ep-2", "ep-5"):
            shutil.rmtree(built.root / "episodes" / name)
        with pytest.raises(PodcastError) as caught:
            pipeline.build(built.root)
        assert not [p for p in caught.value.problems if "no digest of it was kept" in p.message]
        from_digest = [(p.line, p.message) for p in caught.value.problems if "dropped" in p.message]
    lastfeed.forget(built.root)
    from_feed = _dropped(built)  # feed.xml itself parsed, as it is small enough
    assert from_digest == from_feed and len(from_digest) == 2
    lines = built.feed.read_text("utf-8").splitlines()
    assert all(lines[line - 1].strip() == "<item>" for line, _ in from_digest)
