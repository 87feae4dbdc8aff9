"""MD5s of the show's files, remembered between publishes by size and modification time.

Deciding what changed needs each file's checksum, and a back catalog can hold many
gigabytes of audio: hashing it all on every publish (a daily cron job) would read
every byte every day. Like the build cache, a file whose size and mtime are unchanged
keeps its checksum. The cache is local (`.podcast/checksums.json`, which `podcast
init` keeps out of git); a missing or unreadable one only means hashing again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..files import write_atomic
from ..layout import STATE_DIR

CACHE_FILE = f"{STATE_DIR}/checksums.json"
CACHE_MAX_BYTES = 50_000_000


def file_md5(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "md5").hexdigest()


class Checksums:
    def __init__(self, root: Path) -> None:
        self.path = Path(root) / CACHE_FILE
        self.known: dict[str, list] = {}
        self.changed = False
        try:
            if self.path.stat().st_size <= CACHE_MAX_BYTES:
                loaded = json.loads(self.path.read_bytes())
                if isinstance(loaded, dict):
                    self.known = loaded
        except (OSError, ValueError):
            pass

    def md5(self, path: Path) -> str:
        stat = path.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        entry = self.known.get(str(path))
        if isinstance(entry, list) and len(entry) == 3 and entry[:2] == stamp:
            return str(entry[2])
        digest = file_md5(path)
        self.known[str(path)] = [*stamp, digest]
        self.changed = True
        return digest

    def save(self) -> None:
        if self.changed:
            try:
                write_atomic(self.path, json.dumps(self.known, sort_keys=True).encode("utf-8"))
            except OSError:
                pass  # a cache that cannot be written is only slower next time
            self.changed = False
