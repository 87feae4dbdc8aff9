"""What goes where, in which order, and what can be left alone.

The layout is the feed's: every file in feeds/ at the destination's root, and each
audio file the feed's enclosures name under `media/<slug>/` (found through the model,
which knows the local file of every enclosure under `base_url`). An enclosure with no local file (audio
hosted elsewhere, `audio_url`) has nothing to upload; it is only checked, and never
pruned. Order: media, then sidecars, then feed.xml, so the live feed never names a
file that is not there yet. Every local file is confined to the show directory.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

from ..errors import PublishError
from ..files import confined
from ..layout import FEED_FILENAME, FEEDS_DIR, MEDIA_DIR
from ..model import Episode, Show
from . import headers
from .checksums import Checksums
from .destination import Stored
from .enclosures import Enclosure
from .record import RECORD_KEY, Record

Kind = Literal["media", "sidecar", "feed"]
MAX_SIDECARS = 100_000  # files under feeds/; more is a mistake (a folder copied in), not a show
ORDER: dict[Kind, int] = {"media": 0, "sidecar": 1, "feed": 2}


@dataclass(frozen=True)
class Upload:
    key: str  # where it goes, relative to the destination (and to base_url)
    source: Path  # the local file, resolved inside the show directory
    size: int
    kind: Kind
    content_type: str
    cache_control: str
    md5: str = field(default="", compare=False)

    def to_dict(self) -> dict:
        return {"key": self.key, "size": self.size, "kind": self.kind}


@dataclass(frozen=True)
class Plan:
    uploads: tuple[Upload, ...]  # in the order they go up
    skipped: tuple[Upload, ...]  # already at the destination, byte for byte
    unused: tuple[str, ...]  # published before, named by nothing now: deleted only with --prune
    replaced_media: tuple[str, ...]  # audio published before with other bytes under the same name
    enclosures: tuple[Enclosure, ...]  # every file the feed points apps at, to check

    @property
    def feed_changes(self) -> bool:
        return any(u.kind == "feed" for u in self.uploads)


def local_media(episodes: list[Episode]) -> dict[str, Path]:
    """Each audio file of the model by the key it is published under (main and alternates)."""
    found: dict[str, Path] = {}
    for episode in episodes:
        if episode.media_path and episode.audio is not None:
            found[episode.media_path] = episode.audio
        for other in episode.alternate_audio:
            found[episode.media_path_of(other.path)] = other.path
    return found


def media_key(show: Show, url: str) -> str | None:
    """The key of an enclosure URL under base_url (behind the analytics prefix, if any); None elsewhere."""
    own = show.unmeasured(url)
    if not own.startswith(show.base_url):
        return None
    return unquote(own[len(show.base_url) :].split("?", 1)[0].split("#", 1)[0])


def wanted(show: Show, episodes: list[Episode], enclosures: list[Enclosure]) -> list[Upload]:
    """Every file the destination must hold, in upload order."""
    root = show.root
    by_key = local_media(episodes)
    uploads: list[Upload] = []
    for enclosure in enclosures:
        key = media_key(show, enclosure.url)
        source = by_key.get(key) if key is not None else None
        if source is None:
            continue  # audio hosted elsewhere (or already there, not ours): checked, never uploaded
        path = confined(root, source, f"{key} (audio)")
        uploads.append(
            Upload(
                key,
                path,
                path.stat().st_size,
                "media",
                enclosure.type or headers.content_type(key),
                headers.cache_control(key, media=True),
            )
        )
    taken = {u.key for u in uploads}
    for key, path in _sidecars(root):
        if key in taken or key == RECORD_KEY:
            raise PublishError(f"{FEEDS_DIR}/{key} would take the place of a published file; rename it")
        kind: Kind = "feed" if key == FEED_FILENAME else "sidecar"
        uploads.append(
            Upload(key, path, path.stat().st_size, kind, _type_of(key), headers.cache_control(key))
        )
    uploads.sort(key=lambda u: ORDER[u.kind])  # stable: media in feed order, sidecars by name
    return uploads


def _type_of(key: str) -> str:
    return headers.FEED_TYPE if key == FEED_FILENAME else headers.content_type(key)


def _sidecars(root: Path) -> list[tuple[str, Path]]:
    """The files under feeds/ (hidden ones, such as a build's temporary files, left out), by name."""
    out = root / FEEDS_DIR
    found: list[tuple[str, Path]] = []
    for folder, folders, names in os.walk(out):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in folders:
            link = Path(folder) / name
            if link.is_symlink():  # os.walk does not follow it; say so rather than skip its files
                key = link.relative_to(out).as_posix()
                confined(root, link, f"{FEEDS_DIR}/{key}")
                raise PublishError(
                    f"{FEEDS_DIR}/{key} is a link to a folder; put the files themselves in {FEEDS_DIR}/"
                )
        for name in sorted(names):
            if name.startswith("."):
                continue
            local = Path(folder) / name
            key = local.relative_to(out).as_posix()
            path = confined(root, local, f"{FEEDS_DIR}/{key}")
            if not path.is_file():  # a link to nothing, a pipe, a socket: nothing to publish
                raise PublishError(
                    f"{FEEDS_DIR}/{key} is not a file that can be published (a broken link, a pipe?); "
                    f"remove it, or run `podcast build` again",
                    path=f"{FEEDS_DIR}/{key}",
                )
            found.append((key, path))
            if len(found) > MAX_SIDECARS:
                raise PublishError(
                    f"{FEEDS_DIR}/ holds more than {MAX_SIDECARS:,} files; is it the right folder?"
                )
    return sorted(found)


def decide(
    uploads: list[Upload],
    stored: dict[str, Stored],
    record: Record,
    enclosures: list[Enclosure],
    show: Show,
    checksums: Checksums,
) -> Plan:
    """Which files go up: those the destination does not already hold byte for byte; and which
    published files nothing names any more (every enclosure under base_url counts as named,
    uploaded by us or not)."""
    going, staying, replaced = [], [], []
    for upload in uploads:
        summed = dataclasses.replace(upload, md5=checksums.md5(upload.source))
        there = stored.get(upload.key)
        if record.unchanged(upload.key, upload.size, summed.md5, there):
            staying.append(summed)
            continue
        going.append(summed)
        before = record.entries.get(upload.key)
        if upload.kind == "media" and before is not None and before.md5 != summed.md5:
            replaced.append(upload.key)
    named = {u.key for u in uploads} | {k for e in enclosures if (k := media_key(show, e.url))}
    published = set(record.entries) | {k for k in stored if k.startswith(MEDIA_DIR + "/")}
    unused = sorted(k for k in published - named if k != RECORD_KEY)
    return Plan(tuple(going), tuple(staying), tuple(unused), tuple(replaced), tuple(enclosures))
