"""`podcast publish`: put the last build online without ever making the live show worse.

    with publish.Publication(root, to=...) as job:   # reads the show, checks the build, plans
        job.plan                                      # what goes up, what stays, what is unused
        report = job.run(verify=True, ping=True, prune=False, progress=...)

The run: media first (the record saved once they are there), then the enclosure check
against the public URLs, then the sidecars, then feed.xml in one atomic step, then
--prune, then the pings (noted in the record once sent, so a run stopped before them
sends them next time). A failure at any point leaves the live feed as it was: the
old feed only names files that are still there, since nothing is deleted before the
new feed is up, and only with --prune.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import net
from ..errors import Problem, PublishError
from ..layout import FEED_FILENAME, FEEDS_DIR
from ..pipeline import read_catalog
from .checksums import Checksums
from .destination import Destination, Progress, Stored
from .destinations import open_destination
from .enclosures import Enclosure, check_all, read_enclosures
from .freshness import built_feed
from .pings import Ping, reachable, tell_everyone
from .plan import Plan, Upload, decide, media_key, wanted
from .record import RECORD_KEY, Record

__all__ = ["Destination", "Enclosure", "Ping", "Plan", "Publication", "Report", "Stored", "Upload"]


@dataclass(frozen=True)
class Report:
    """What a publish did (or, dry, would do)."""

    destination: str
    feed_url: str
    dry_run: bool
    uploaded: tuple[Upload, ...] = ()
    skipped: tuple[Upload, ...] = ()
    unused: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    checked: tuple[str, ...] = ()  # enclosure URLs that answered as the feed says
    pings: tuple[Ping, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "destination": self.destination,
            "feed": self.feed_url,
            "dry_run": self.dry_run,
            "uploaded": [u.to_dict() for u in self.uploaded],
            "uploaded_bytes": sum(u.size for u in self.uploaded),
            "skipped": [u.key for u in self.skipped],
            "unused": list(self.unused),
            "deleted": list(self.deleted),
            "checked": list(self.checked),
            "pings": [p.to_dict() for p in self.pings],
            "warnings": list(self.warnings),
        }


class Publication:
    """One publish of one show to one destination. Use as a context manager."""

    def __init__(self, root: Path, *, to: str | None = None, now: datetime | None = None) -> None:
        catalog = read_catalog(Path(root), now=now)
        self.show = show = catalog.show
        self.sources = {episode.guid: episode.source for episode in catalog.published}
        target = to or show.publish.to
        if not target:
            raise PublishError(
                "no destination: give --to DEST, or add [publish] with to = … to podcast.toml "
                '(a directory, or "s3://bucket/prefix")'
            )
        document = built_feed(catalog)
        self.enclosures = read_enclosures(document)
        uploads = wanted(show, catalog.published, self.enclosures)
        self.destination = open_destination(target, show.root, show.publish)
        try:
            self.record = Record.load(self.destination)
            if self.record.show not in (None, show.guid):
                raise PublishError(
                    f"{self.destination.url}: another show is published there (podcast:guid "
                    f"{self.record.show}; this show's is {show.guid}); nothing was changed: fix `to` in "
                    f"[publish] (or --to). To put this show there in its place, first delete "
                    f"{RECORD_KEY} at the destination",
                    url=self.destination.url,
                )
            self.record.show = show.guid  # saved with the record, once anything goes up
            stored = self.destination.list()
            checksums = Checksums(show.root)
            self.plan = decide(uploads, stored, self.record, self.enclosures, show, checksums)
            checksums.save()
        except BaseException:
            self.destination.close()
            raise

    def __enter__(self) -> Publication:
        return self

    def __exit__(self, *exc_info) -> None:
        self.destination.close()

    def warnings(self, *, verify: bool) -> list[str]:
        said = [
            f"{key} changed since it was published: apps and caches that have it keep the old file "
            "(it is cached for a year); give changed audio a new file name"
            for key in self.plan.replaced_media
        ]
        if not verify:
            said.append("--no-verify: the enclosures were not checked at their public addresses")
        settings = self.show.publish
        endpoints = [*settings.hubs, *([settings.pubnotify] if settings.pubnotify else [])]
        _, untold = reachable(self.show.feed_url, endpoints)
        if untold:
            said.append(
                f"the feed is at a local test address: {', '.join(untold)} cannot fetch it and "
                "will not be told"
            )
        return said

    def dry_run(self, *, verify: bool = True, prune: bool = False) -> Report:
        """What `run` would do, without doing it (the destination was only listed and read)."""
        return Report(
            self.destination.url,
            self.show.feed_url,
            True,
            uploaded=self.plan.uploads,
            skipped=self.plan.skipped,
            unused=() if prune else self.plan.unused,
            deleted=self.plan.unused if prune else (),
            warnings=tuple(self.warnings(verify=verify)),
        )

    def run(
        self,
        *,
        verify: bool = True,
        ping: bool = True,
        prune: bool = False,
        progress: Progress | None = None,
        ping_backoff: float | None = None,
    ) -> Report:
        """Media, the enclosure check, sidecars, feed.xml, --prune, pings: in that order."""
        plan, destination, record = self.plan, self.destination, self.record
        destination.tidy()
        self._upload([u for u in plan.uploads if u.kind == "media"], progress)
        checked: list[str] = []
        if verify and plan.uploads:
            checked = self._check()
        self._upload([u for u in plan.uploads if u.kind == "sidecar"], progress)
        self._upload([u for u in plan.uploads if u.kind == "feed"], progress)
        deleted: list[str] = []
        if prune:
            try:
                for key in plan.unused:
                    destination.delete(key)
                    record.forget(key)
                    deleted.append(key)
            finally:
                record.save(destination)
        pings: list[Ping] = []
        # Also when the feed went up in an earlier publish that stopped before its pings.
        if ping and (plan.feed_changes or record.unannounced()):
            backoff = {} if ping_backoff is None else {"backoff": ping_backoff}
            settings = self.show.publish
            with net.Client() as client:
                pings = tell_everyone(
                    client, self.show.feed_url, settings.hubs, settings.pubnotify, **backoff
                )
            record.announce()
            record.save(destination)
        return Report(
            destination.url,
            self.show.feed_url,
            False,
            uploaded=plan.uploads,
            skipped=plan.skipped,
            unused=() if prune else plan.unused,
            deleted=tuple(deleted),
            checked=tuple(checked),
            pings=tuple(pings),
            warnings=tuple(self.warnings(verify=verify)),
        )

    def _upload(self, uploads: list[Upload], progress: Progress | None) -> None:
        """Put each file up, then save the record: it names only files that are there."""
        try:
            for upload in uploads:
                stored = self.destination.put(
                    upload.key,
                    upload.source,
                    content_type=upload.content_type,
                    cache_control=upload.cache_control,
                    progress=progress,
                )
                self.record.note(upload.key, upload.size, upload.md5, stored.etag)
        finally:
            if self.record.dirty:
                self.record.save(self.destination)

    def _advice(self, enclosure: Enclosure) -> str:
        key = media_key(self.show, enclosure.url)
        if key is None:  # audio hosted elsewhere
            return "the server must give the file as the feed describes it"
        return (
            f"it is published at {self.destination.url} as {key}: base_url must be the public "
            "address of that place, and the server must give the file as the feed describes it"
        )

    def _check(self) -> list[str]:
        """Every enclosure at its public address; any mismatch stops the publish before the feed."""
        problems = [
            Problem(
                self.sources.get(enclosure.guid or "", f"{FEEDS_DIR}/{FEED_FILENAME}"),
                f'"{enclosure.title}": {trouble}',
                field="audio",
                hint=self._advice(enclosure),
            )
            for enclosure, trouble in check_all(list(self.plan.enclosures), net.Client)
        ]
        if problems:
            raise PublishError(
                f"publish stopped before the feed: {len(problems)} enclosure(s) do not answer as the feed "
                f"says; the live feed was not changed (--no-verify skips this check)",
                problems=problems,
            )
        return [e.url for e in self.plan.enclosures]
