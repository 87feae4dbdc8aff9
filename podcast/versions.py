"""The installed versions of distributions, as `importlib.metadata.version` gives them, found cheaply.

Cache keys hold the versions of the libraries whose output they keep (an upgrade of one makes
its entries again). importlib.metadata takes ~8 ms to import (it parses e-mail headers) and about
a millisecond for each version asked, in every build; here one listing of the folders on
sys.path finds every metadata folder asked for (~0.3 ms), and its Version line is read.
Only what that listing cannot find (a distribution in a zip file, or none) is asked of
importlib.metadata, which then answers as always.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable

_METADATA_SUFFIXES = (".dist-info", ".egg-info")
# The first lines of a metadata file that may hold its Version (the headers come first, and few).
_HEAD_BYTES = 8192


def _normal(name: str) -> str:
    """A distribution's name as importlib.metadata compares them (PEP 503, with underscores)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def versions(names: Iterable[str]) -> dict[str, str | None]:
    """Each of the distributions `names`: its version, None when it is not installed."""
    asked = list(names)
    wanted = {_normal(name) for name in asked}
    found: dict[str, str | None] = {}  # by normal name
    for folder in sys.path:
        if len(found) == len(wanted):
            break
        try:
            with os.scandir(folder or ".") as listing:
                entries = [entry for entry in listing if entry.name.lower().endswith(_METADATA_SUFFIXES)]
        except OSError:
            continue  # not a folder (a zip file), or gone
        for entry in entries:
            # As importlib.metadata names them: "name-1.0.dist-info", "name-1.0-py3.11.egg-info".
            name = _normal(entry.name.rpartition(".")[0].partition("-")[0])
            if name in wanted and name not in found:
                found[name] = _version_in(entry)
    missing = [name for name in asked if found.get(_normal(name)) is None]
    if missing:  # not in a folder on sys.path: importlib.metadata looks everywhere it knows
        from importlib import metadata

        for name in missing:
            try:
                found[_normal(name)] = metadata.version(name)
            except metadata.PackageNotFoundError:
                found[_normal(name)] = None
    return {name: found[_normal(name)] for name in asked}


def _version_in(entry: os.DirEntry) -> str | None:
    """The Version header of a metadata folder's METADATA (or PKG-INFO), or of an egg-info file."""
    if entry.is_dir():
        candidates = [os.path.join(entry.path, "METADATA"), os.path.join(entry.path, "PKG-INFO")]
    else:
        candidates = [entry.path]
    for path in candidates:
        try:
            with open(path, "rb") as handle:
                head = handle.read(_HEAD_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        for line in head.splitlines():
            if not line.strip():
                break  # the end of the headers
            if line[:1] in " \t":
                continue  # the rest of the header before
            key, colon, value = line.partition(":")
            if colon and key.strip().lower() == "version":
                return value.strip()
        return None  # the first file found is the one importlib.metadata reads
    return None
