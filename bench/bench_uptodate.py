"""What the up-to-date machinery costs a build of a big show, part by part, in this process.

    python bench/bench_uptodate.py SHOW_DIR [--runs 7]

SHOW_DIR is a show already built once (bench/make_show.py, then `podcast build`); only the
records in its .podcast/listings/ and the time stamps of its first episode.md change. Prints,
for each part, the median wall and CPU (user + sys) seconds over --runs:

- snapshot: the walk of the inputs (`Snapshot.take`) the check before every build takes;
- snapshot again, racy: what the build does when that snapshot was taken right after an
  edit (`Snapshot.refreshed`, one episode folder looked at again), against a second walk;
- outputs, check: the walk of feeds/ the check before a build takes when the inputs are
  unchanged (`outputs_fingerprint`, every file stated);
- outputs, after a build: the walk `record` takes right after a build (with `after_build`
  where this version has it: a folder still as listed keeps its files' stat lines);
- cold snapshot (no listings kept, as after `rm -rf .podcast`): the whole walk a build took
  before its workers started (`Snapshot.take`), against the split one a cold build takes where
  this version has it: begun (the walk but for the episode folders' insides, before the workers
  start), the folders fingerprinted (in all: the workers share it, each folder right before it
  reads it; and, with the listing each folder's reader makes, walked apart or taking the
  reader's) and completed (after the workers, in the build's process);
- outputs, after a cold build: the same walk with nothing kept (a cold build: .podcast/ gone,
  feeds/ as the last build left it), as the main process takes it alone at the build's end;
  and, where this version has it, with every page's folder stated by the page writers
  (`folder_stated`, as they find each page holding its bytes) and taken instead of walked;
  the writers' own cost of stating them is the next row (theirs is spread over both cores);
- last feed, remember / read: keeping the digest of feed.xml after a build
  (`lastfeed.remember`, from feeds/feed.xml and the digest kept now) and reading it back at
  the start of the next (`lastfeed.read`).

Run it with PYTHONPATH pointing at another checkout to get the figures of that version: the
rows are the same (the last-build records it keeps are that version's, so run it alone).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after PYTHONPATH and the installed one
from podcast import lastfeed, uptodate  # noqa: E402

OPTIONS = {"strict": False, "force": False, "allow_removal": False}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(runs: int, work) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), _cpu()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    root = args.show.resolve()
    episode = sorted((root / "episodes").iterdir())[0] / "episode.md"

    def racy_snapshot() -> uptodate.Snapshot:
        os.utime(episode)  # changed "now": the snapshot is racy
        snapshot = uptodate.Snapshot.take(root, OPTIONS)
        time.sleep(uptodate.RACY_NS / 1e9 + 0.01)
        return snapshot

    uptodate.Snapshot.take(root, OPTIONS)  # the listings kept, as after a build
    rows = [("snapshot", measure(args.runs, lambda: uptodate.Snapshot.take(root, OPTIONS)))]
    racy = [racy_snapshot() for _ in range(args.runs)]
    rows.append(("snapshot again, racy: refreshed", measure(args.runs, lambda: racy.pop().refreshed())))
    rows.append(
        (
            "snapshot again, racy: walked again",
            measure(args.runs, lambda: uptodate.Snapshot.take(root, OPTIONS)),
        )
    )
    _after_build(root, expected="")  # this version's listings kept
    walk = uptodate.outputs_fingerprint
    rows.append(("outputs, check", measure(args.runs, lambda: walk(root, listed=True))))
    rows.append(("outputs, after a build", measure(args.runs, lambda: _after_build(root))))
    listings = root / uptodate.LISTINGS_DIR

    def cold(**keywords) -> str:
        shutil.rmtree(listings, ignore_errors=True)
        return _after_build(root, **keywords)

    rows.append(("outputs, after a cold build", measure(args.runs, cold)))
    if hasattr(uptodate, "folder_stated"):
        stated = _pages_stated(root)
        rows.append(("  with the pages' folders stated", measure(args.runs, lambda: cold(stated=stated))))
        rows.append(("  stating them (page writers)", measure(args.runs, lambda: _pages_stated(root))))
        assert cold(stated=stated) == cold(), "the stated folders change the fingerprint"
    _after_build(root, expected="")  # the listings kept again, as after a build
    remembered = _feed_parts(root)
    if remembered is not None:
        rows.append(("last feed, remember", measure(args.runs, lambda: lastfeed.remember(root, *remembered))))
        rows.append(("last feed, read", measure(args.runs, lambda: lastfeed.read(root))))
    rows += _cold_rows(root, args.runs)
    uptodate.Snapshot.take(root, OPTIONS)  # the listings kept again
    episodes = sum(1 for _ in (root / "episodes").iterdir())
    print(f"{uptodate.__file__}")
    print(f"{root} ({episodes} episode folders), median of {args.runs}:")
    for name, (wall, cpu) in rows:
        print(f"  {name:36} {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms CPU")
    refreshed, walked = rows[1][1][1], rows[2][1][1]
    print(f"  refreshed / walked again (CPU): {refreshed / walked:.3f}" if walked else "")
    figures = dict(rows)
    if "cold snapshot: begun" in figures:
        whole, begun = figures["cold snapshot: whole walk"][1], figures["cold snapshot: begun"][1]
        print(f"  cold: before the workers start, begun / whole walk (CPU): {begun / whole:.3f}")


def _cold_rows(root: Path, runs: int) -> list[tuple[str, tuple[float, float]]]:
    """The snapshot of a cold build, whole and (where this version has it) split, each run with
    no listings kept."""
    kept = root / uptodate.LISTINGS_DIR / "inputs.json"

    def cold(work):
        def run():
            kept.unlink(missing_ok=True)
            return measure(1, work)

        results = [run() for _ in range(runs)]
        return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)

    rows = [("cold snapshot: whole walk", cold(lambda: uptodate.Snapshot.take(root, OPTIONS)))]
    if not hasattr(uptodate, "SnapshotStart"):
        return rows
    rows.append(("cold snapshot: begun", cold(lambda: uptodate.SnapshotStart(root, OPTIONS))))
    starts = []

    def fingerprinted() -> None:
        start = uptodate.SnapshotStart(root, OPTIONS)
        names = sorted(start.names)
        starts.append((start, [start.walk(names[at : at + 64]) for at in range(0, len(names), 64)]))

    walls, cpus = [], []
    for _ in range(runs):
        kept.unlink(missing_ok=True)
        wall, cpu = time.perf_counter(), _cpu()
        fingerprinted()
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    begun = rows[-1][1]
    rows.append(
        (
            "cold snapshot: folders fingerprinted",
            (statistics.median(walls) - begun[0], statistics.median(cpus) - begun[1]),
        )
    )

    rows += _with_readers_listings(root, runs)

    def completed() -> None:
        start, batches = starts.pop()
        kept.unlink(missing_ok=True)
        for prints in batches:
            start.add(prints)
        start.completed()

    rows.append(("cold snapshot: completed", measure(runs, completed)))
    return rows


def _with_readers_listings(root: Path, runs: int) -> list[tuple[str, tuple[float, float]]]:
    """A worker lists each folder for its reading (files.FolderListing) and fingerprints it:
    walking it apart (listing it again) against taking the reader's listing."""
    from podcast.files import FolderListing

    real_root = os.path.realpath(root)
    rows = []
    for label, shared in (("apart", False), ("shared", True)):

        def work(shared: bool = shared) -> None:
            start = uptodate.SnapshotStart(root, OPTIONS)
            names = sorted(start.names)
            for at in range(0, len(names), 64):  # a worker's batch
                batch = names[at : at + 64]
                scanned = []
                for name in batch:
                    entries = FolderListing(root, root / "episodes" / name, real_root=real_root).entries()
                    scanned.append(entries.values() if shared and entries is not None else None)
                start.walk(batch, scanned)

        rows.append((f"cold: listed, fingerprinted {label}", measure(runs, work)))
    return rows


def _after_build(root: Path, **keywords) -> str:
    try:
        return uptodate.outputs_fingerprint(root, listed=True, after_build=True, **keywords)
    except TypeError:  # a version without it: record walks feeds/ as the check does
        return uptodate.outputs_fingerprint(root, listed=True)


def _pages_stated(root: Path) -> dict[str, str]:
    """Every page folder of feeds/ as the page writers state it when they find its page holding
    its bytes (with the page's own stat taken already)."""
    stated = {}
    for parent in ("episodes", "page"):
        try:
            names = os.listdir(root / "feeds" / parent)
        except OSError:
            continue
        for name in names:
            folder = f"{root}/feeds/{parent}/{name}"
            try:
                page = os.lstat(f"{folder}/index.html")
            except OSError:
                continue
            found = uptodate.folder_stated(folder, "index.html", page)
            if found is not None:
                stated[f"{parent}/{name}/"] = found
    return stated


def _feed_parts(root: Path) -> tuple[Path, bytes, list[bytes], list[bytes]] | None:
    """feed.xml's path, head and items, and the items' digests, as a build hands them to
    `lastfeed.remember` (cut out of feeds/feed.xml and the digest kept of it)."""
    path = root / "feeds" / "feed.xml"
    try:
        data, digest = path.read_bytes(), (root / lastfeed.DIGEST_FILE).read_bytes()
    except OSError:
        return None

    def items(document: bytes) -> tuple[bytes, list[bytes]]:
        cuts = [at + 1 for at in _find_all(document, b"\n<item>" if document is digest else b"\n    <item>")]
        end = document.rindex(b"  </channel>")
        return document[: cuts[0]], [document[a:b] for a, b in zip(cuts, [*cuts[1:], end], strict=True)]

    head, feed_items = items(data)
    _, digests = items(digest)
    return path, head, feed_items, digests


def _find_all(data: bytes, needle: bytes) -> list[int]:
    found, at = [], data.find(needle)
    while at >= 0:
        found.append(at)
        at = data.find(needle, at + 1)
    return found


if __name__ == "__main__":
    main()
