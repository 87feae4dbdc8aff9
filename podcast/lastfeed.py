"""The feed the last build wrote, as the next build compares against it.

Lint's G103 and G105 and the build's check for dropped episodes read only each item's GUID,
title and enclosure, where the item stands in feed.xml, and the feed's own address. A build
keeps those in `.podcast/last-feed.xml` (a digest of feed.xml: its channel and, of each item,
the tags lint's whole-feed rules read), and in `.podcast/last-feed.json` the stats of the
feed.xml it wrote and of that digest, and where each item starts in feed.xml (its byte offset:
counting the lines of a 50 MB feed on every build costs more than counting, when an episode
would be dropped, those before the one item reported). The next build reads the digest
when feed.xml is still that file, and parses feed.xml itself only when it is not (edited by
hand, copied in, written by another version), so the answer is the same. (The digest is kept
as it is, not inside the JSON: a feed of 10,000 items makes one of 5 MB, which JSON would
escape and unescape on every build.)
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PodcastError, Problem
from .files import read_bounded, read_state, unlinked_target, write_atomic
from .layout import FEED_FILENAME, FEEDS_DIR, STATE_DIR
from .lint import FeedDoc, parse_feed

RECORD_FILE = Path(STATE_DIR) / "last-feed.json"
DIGEST_FILE = Path(STATE_DIR) / "last-feed.xml"
RECORD_VERSION = 3
FEED_MAX_BYTES = 50_000_000  # lint's S101 warns from 1 MB; a feed past this is not parsed whole
SOURCE = f"{FEEDS_DIR}/{FEED_FILENAME}"


@dataclass(frozen=True)
class LastFeed:
    """The feed last built (or its digest), and where in feed.xml each of its items starts: its
    line, or (`offsets`) its byte offset in the file at `path`, as it was when read."""

    feed: FeedDoc
    starts: tuple[int | None, ...]
    offsets: bool = False
    path: Path | None = None
    _lines: list[int | None] = field(default_factory=list, compare=False, repr=False)

    def line(self, index: int) -> int | None:
        """The line of feed.xml the feed's item `index` starts at (None when that is unknown)."""
        if not self.offsets:
            return self.starts[index]
        if not self._lines:  # every item's, counted in one pass over the file
            self._lines.extend(_lines_at(self.path, self.starts))
        return self._lines[index]


def _lines_at(path: Path | None, offsets: Sequence[int | None]) -> list[int | None]:
    """The line of the file at `path` (the feed.xml `_kept` vouched for) each offset is on: read
    up to the last offset a piece at a time, as the feed may be larger than a build parses whole."""
    lines: list[int | None] = []
    line, counted = 1, 0
    try:
        # Not through a link, and never waiting on a FIFO put there since it was vouched for.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return [None] * len(offsets)
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return [None] * len(offsets)
            for offset in offsets:
                if offset is None or offset < counted:
                    lines.append(None)
                    continue
                while counted < offset:
                    piece = handle.read(min(_PIECE, offset - counted))
                    if not piece:
                        break
                    line += piece.count(b"\n")
                    counted += len(piece)
                lines.append(line if counted == offset else None)
        except OSError:
            return [None] * len(offsets)
    return lines


_PIECE = 1 << 20


def _stats(path: Path) -> list[int]:
    facts = path.stat()
    return [facts.st_size, facts.st_mtime_ns, facts.st_ctime_ns, facts.st_ino]


def read(root: Path, out: Path | None = None) -> LastFeed | None:
    """The feed last built in `out` (the show's feeds/ by default), when it is a real file there."""
    root = Path(root)
    out = out if out is not None else root / FEEDS_DIR
    path = out / FEED_FILENAME
    try:
        unlinked_target(root, path, SOURCE)
        kept = _kept(root, path)
        if kept is not None:
            return kept
        data = read_bounded(path, FEED_MAX_BYTES, SOURCE)
    except (OSError, PodcastError):
        return None
    feed, trouble = parse_feed(data, SOURCE)
    if feed is None or trouble:
        return None
    return LastFeed(feed, tuple(item.sourceline for item in feed.items))


def unread_because_large(root: Path, out: Path | None = None) -> Problem | None:
    """A warning when feed.xml is there but too large for `read` to parse (and no digest stood
    in for it): this build could not be compared with the feed apps have."""
    out = out if out is not None else Path(root) / FEEDS_DIR
    try:
        size = os.stat(out / FEED_FILENAME).st_size
    except OSError:
        return None
    if size <= FEED_MAX_BYTES:
        return None
    return Problem(
        SOURCE,
        f"the feed last built is {size:,} bytes, over the {FEED_MAX_BYTES:,} a build reads, and no "
        "digest of it was kept in .podcast/: this build was not checked against it (GUIDs changed, "
        "the show moved, episodes dropped)",
        severity="warning",
        hint="set feed_items in podcast.toml (feed.xml then holds the newest episodes); the next "
        "build reads the digest this one keeps",
    )


def _kept(root: Path, path: Path) -> LastFeed | None:
    try:
        entry = json.loads(read_state(root / RECORD_FILE))
        if entry.get("version") != RECORD_VERSION or entry.get("feed") != str(path.resolve()):
            return None
        if entry.get("stats") != _stats(path) or entry.get("digest") != _stats(root / DIGEST_FILE):
            return None
        feed, trouble = parse_feed(read_bounded(root / DIGEST_FILE, FEED_MAX_BYTES, SOURCE), SOURCE)
        offsets = tuple(entry["offsets"])
        if feed is None or trouble or len(offsets) != len(feed.items):
            return None
        # (Within the feed itself, whose stats are as recorded: it may be larger than a build
        # parses whole, which is when its digest matters most.)
        size = entry["stats"][0]
        if not all(type(offset) is int and 0 <= offset <= size for offset in offsets):
            return None
        return LastFeed(feed, offsets, offsets=True, path=path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, PodcastError):
        return None


def remember(root: Path, path: Path, head: bytes, items: Sequence[bytes], digests: Sequence[bytes]) -> None:
    """Keep the digest of the feed.xml just written at `path`: `head` and `items` are its bytes up
    to and including each item, `digests` the items' digests."""
    offset = len(head)
    offsets = []
    for item in items:
        offsets.append(offset)
        offset += len(item)
    root = Path(root)
    try:
        # One part: write_atomic compares and writes a part at a time, 10,000 of them.
        digest = b"".join((head, *digests, b"  </channel>\n</rss>\n"))
        write_atomic(root / DIGEST_FILE, digest, durable=False)
        entry = {
            "version": RECORD_VERSION,
            "feed": str(Path(path).resolve()),
            "stats": _stats(Path(path)),
            "digest": _stats(root / DIGEST_FILE),
            "offsets": offsets,
        }
        write_atomic(root / RECORD_FILE, json.dumps(entry).encode("utf-8"), durable=False)
    except (OSError, ValueError):
        forget(root)  # only an optimisation: the next build parses feed.xml


def forget(root: Path) -> None:
    try:
        os.unlink(Path(root) / RECORD_FILE)
    except OSError:
        pass
