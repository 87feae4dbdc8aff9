"""The record of what was published: each file's size, MD5 and the store's ETag; the show
it belongs to (its podcast:guid); and which feed.xml the hubs were last told about.

It lives at the destination itself (`.podcast-published.json` beside feed.xml), so a
publish from a fresh clone in CI knows what is there as well as one from your laptop.
A file is left alone only when the record and the destination's own listing agree
with the local file; the record never lies about a file it did not see go up, because
it is written after each phase, once the files of that phase are there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..layout import FEED_FILENAME
from .destination import Destination, Stored
from .headers import RECORD_CACHE

RECORD_KEY = ".podcast-published.json"
RECORD_MAX_BYTES = 20_000_000
VERSION = 1


@dataclass(frozen=True)
class Entry:
    size: int
    md5: str
    etag: str | None = None


class Record:
    """Key → Entry, read from and written to the destination; and which feed the hubs were
    told about (`announced`, its MD5), so a publish stopped before the pings pings next time."""

    def __init__(
        self,
        entries: dict[str, Entry] | None = None,
        announced: str | None = None,
        show: str | None = None,
    ) -> None:
        self.entries: dict[str, Entry] = dict(entries or {})
        self.announced = announced
        self.show = show  # the podcast:guid of the show published here (None: not known yet)
        self.dirty = False

    @classmethod
    def load(cls, destination: Destination) -> Record:
        data = destination.read(RECORD_KEY, RECORD_MAX_BYTES)
        if not data:
            return cls()
        try:
            parsed = json.loads(data)
            if parsed.get("version") != VERSION:
                return cls()
            files = parsed["files"]
            announced, show = parsed.get("announced"), parsed.get("show")
            return cls(
                {key: Entry(int(v["size"]), str(v["md5"]), v.get("etag")) for key, v in files.items()},
                announced if isinstance(announced, str) else None,
                show if isinstance(show, str) else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return cls()  # unreadable: everything is compared afresh, nothing is lost

    def unchanged(self, key: str, size: int, md5: str, stored: Stored | None) -> bool:
        """True when `key` at the destination is known to hold exactly this file."""
        if stored is None or stored.size != size:
            return False
        entry = self.entries.get(key)
        if entry is not None and entry.size == size and entry.md5 == md5:
            return entry.etag is None or stored.etag is None or entry.etag == stored.etag
        # Not in the record: a store whose ETag is the MD5 (a plain S3 upload) still tells.
        return stored.etag == md5

    def note(self, key: str, size: int, md5: str, etag: str | None) -> None:
        self.entries[key] = Entry(size, md5, etag)
        self.dirty = True

    def unannounced(self) -> bool:
        """True when the published feed.xml is not the one the hubs were last told about."""
        feed = self.entries.get(FEED_FILENAME)
        return feed is not None and feed.md5 != self.announced

    def announce(self) -> None:
        """The hubs were told about the published feed.xml (whatever they answered)."""
        feed = self.entries.get(FEED_FILENAME)
        if feed is not None and feed.md5 != self.announced:
            self.announced = feed.md5
            self.dirty = True

    def forget(self, key: str) -> None:
        if self.entries.pop(key, None) is not None:
            self.dirty = True

    def to_bytes(self) -> bytes:
        files = {
            key: {"size": e.size, "md5": e.md5, **({"etag": e.etag} if e.etag else {})}
            for key, e in sorted(self.entries.items())
        }
        data: dict = {"version": VERSION, "files": files}
        if self.show:
            data["show"] = self.show
        if self.announced:
            data["announced"] = self.announced
        return json.dumps(data, indent=1).encode("utf-8")

    def save(self, destination: Destination) -> None:
        if self.dirty:
            destination.put_bytes(
                RECORD_KEY, self.to_bytes(), content_type="application/json", cache_control=RECORD_CACHE
            )
            self.dirty = False
