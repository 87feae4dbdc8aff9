"""The episodes' rows of the list pages, kept from one build to the next.

An episode added as the newest shifts every list page by one: each of 200 pages of a
10,000-episode show is due, and rendering their 10,000 rows again costs several times what
the rest of those pages cost. The packaged list page marks each row `{% shared root, key %}`
(web/shared.py), key being the episode's page key (pages.page_key: everything of it the
row shows); such a row reads the episode and `root` alone, never the show. So a row rendered
by one build is the row the next renders while the package's code is the same, and a list page
made of kept rows is the page rendered the long way (tests/test_web_keptrows.py).

They are kept beside the page record (web/record.py), as `<record>.rows`: a line of JSON
(version, the code they were made with, each row's key and its length in bytes), then the rows,
in UTF-8. Like the
record it is an optimisation only: one missing, unreadable or made by other code is no rows.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..errors import PodcastError
from ..files import STATE_MAX_BYTES, read_bounded

ROWS_VERSION = 1
# The rows are loaded when at least this many list pages are due: an edited article's one list
# page renders its 50 rows in less time than 10,000 kept ones take to load and save.
KEPT_FROM = 4

# Rows kept are written again once this many are new (those of episodes added or edited since):
# fewer cost the next build less to render again (~2 ms) than writing 10,000 rows (~20 ms).
SAVE_FROM = 100

Key = tuple[Any, ...]  # a shared part's key: (template:line, root, page key)
Row = bytes | memoryview  # a row's UTF-8, as the file holds it


def is_row(key: Key) -> bool:
    """Whether a shared part's key is an episode's row's: its last value a page key."""
    return type(key[-1]) is bytes


def rows_in(store: Mapping[Key, Any]) -> dict[Key, str]:
    """The rows among a store's parts (those a forked page process rendered, sent back)."""
    return {key: str(part) for key, part in store.items() if is_row(key)}


class KeptRows:
    """The rows kept for one output folder's list pages, put into the list template's store of
    shared parts (`store`) for the pages to find; those rendered since are kept when saved."""

    def __init__(
        self, file: Path, code: str, store: dict[Key, Any], listed: set[bytes], loaded: dict[Key, Row]
    ) -> None:
        self.file = file
        self.code = code
        self.store = store
        self.listed = listed  # the page key of every episode listed: the rows worth keeping
        self.loaded = loaded
        self.pid = os.getpid()  # of the process that loaded them (the build's)

    @staticmethod
    def there(record_file: Path) -> bool:
        """Whether rows are kept beside the page record `record_file` (a look, not a read)."""
        return record_file.with_suffix(".rows").is_file()

    @classmethod
    def load(cls, record_file: Path, code: str, store: dict[Key, Any], listed: set[bytes]) -> KeptRows:
        """The rows kept beside the page record `record_file` by a build of the same `code` (else
        none), put into `store`; `listed`: the page key of every episode the list pages show."""
        file = record_file.with_suffix(".rows")
        rows = _read(file, code)
        store.update(zip(rows, map(_markup, rows.values()), strict=True))
        return cls(file, code, store, listed, rows)

    def fresh(self) -> dict[Key, str]:
        """The rows rendered in this process since they were loaded (a forked one sends them back)."""
        return {key: str(part) for key, part in self.store.items() if is_row(key) and key not in self.loaded}

    def forked(self) -> bool:
        """Whether this is a process forked from the one that loaded the rows."""
        return os.getpid() != self.pid

    def add(self, rows: Mapping[Key, str]) -> None:
        """Rows another process rendered."""
        for key, part in rows.items():
            self.store.setdefault(key, Markup(part))

    def release(self) -> None:
        """No page is made of the rows any more: their memory is the build's again."""
        self.store.clear()
        self.loaded = {}

    def save(self) -> None:
        """The rows of the episodes listed kept, written when there are none yet or SAVE_FROM are
        new; rows that cannot be written only cost the next build time."""
        listed = self.listed
        rows = {key: part for key, part in self.store.items() if is_row(key) and key[-1] in listed}
        if self.loaded and sum(key not in self.loaded for key in rows) < SAVE_FROM:
            return  # the few rows new since it was written are rendered again next time
        groups: dict[tuple[Any, ...], list[Key]] = {}  # by what stands before the page key
        for key in rows:
            groups.setdefault(key[:-1], []).append(key)
        order: list[Key] = []
        texts: list[Row] = []  # each row's UTF-8, in `order`
        head: dict[str, Any] = {"version": ROWS_VERSION, "code": self.code, "groups": []}
        for before, keys in groups.items():
            sizes = {len(key[-1]) for key in keys}
            if len(sizes) != 1 or not all(type(value) is str for value in before):
                return  # keys this file cannot hold: not kept
            group = [self.loaded.get(key) or str(rows[key]).encode() for key in keys]  # (kept: as read)
            texts += group
            order += keys
            page_keys = b"".join(key[-1] for key in keys).hex()
            head["groups"].append([list(before), sizes.pop(), page_keys, [len(text) for text in group]])
        data = json.dumps(head, separators=(",", ":")).encode() + b"\n" + b"".join(texts)
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
            try:
                temporary.write_bytes(data)
                os.replace(temporary, self.file)
            finally:
                temporary.unlink(missing_ok=True)
        except OSError:
            return
        self.loaded = dict(zip(order, texts, strict=True))


def _read(file: Path, code: str) -> dict[Key, Row]:
    """The rows in `file` (each one's UTF-8) when it holds rows of `code`, each checked to be what
    save wrote; else none."""
    try:
        data = read_bounded(file, STATE_MAX_BYTES, str(file))
        end = data.index(b"\n")  # ValueError without one
        line, body = data[:end], memoryview(data)[end + 1 :]
        head = json.loads(line)
        if type(head) is not dict or head.get("version") != ROWS_VERSION or head.get("code") != code:
            return {}
        rows: dict[Key, Row] = {}
        start = 0
        for before, size, hexed, lengths in head["groups"]:
            if type(before) is not list or not all(type(value) is str for value in before):
                return {}
            if type(size) is not int or size <= 0 or type(lengths) is not list:
                return {}
            if not all(type(length) is int and length >= 0 for length in lengths):
                return {}
            page_keys = bytes.fromhex(hexed)
            if len(page_keys) != size * len(lengths):
                return {}
            ends = list(itertools.accumulate(lengths, initial=start))
            start = ends[-1]
            keys = [(*before, page_keys[at : at + size]) for at in range(0, len(page_keys), size)]
            rows.update(zip(keys, map(body.__getitem__, map(slice, ends, ends[1:])), strict=True))
        return rows if start == len(body) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, PodcastError):
        return {}  # (PodcastError: read_bounded's, for a link or a FIFO)


def _markup(utf8: Row) -> Markup:
    """A row's UTF-8 bytes decoded as markup, as a rendered part is kept: Markup's own constructor
    less its checks, which decoded text needs none of (a tenth of loading 10,000 rows)."""
    return str.__new__(Markup, utf8, "utf-8")
