"""What the build's episode records cost, and how a cold build splits its CPU between its process
and its workers.

    python bench/bench_records.py SHOW [--runs 5] [--cold]

Figures, not assertions. SHOW is a show already built (its build cache holds the records), e.g.
a copy of a bench show (bench/make_show.py). Rows, each the median of --runs passes:

- record size: bytes of each pickled record in the build cache (mean);
- pickle.loads: µs per record, with the garbage collector paused as the build pauses it, and
  with it running (what loading cost before);
- record_checksum of each: what kept spends knowing each record for the one the cache wrote;
- BuildCache.kept: every record of the show in one query, as an incremental build loads them,
  wall and user+sys CPU (and the system's share: most of it is the memory the records take);
- then reading of every kept episode what the episode list pages show (title, notes) and then
  every field: what a record loads only when first read costs then (nothing, with code that
  loads every field at once);
- then storing every record again as `cache.pickle_record` writes it, each with a new item: what
  a worker does for each item it made again after an item setting changed (the author). Code
  that stores a loaded episode's parts as they were loaded (taken before they were read) pickles
  none of its groups again.

With --cold, SHOW is also built once from an empty build cache (its .podcast/ and feeds/ are
rewritten: never point it at a shared show), and the CPU seconds of the build's own process and
of its worker processes are printed apart: the workers' share is the work spread over the cores.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import resource
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from podcast import cache as build_cache
from podcast import pipeline
from podcast.cache import CACHE_FILE, BuildCache, pickle_record
from podcast.model import replaced

try:
    from podcast.model import unread_parts
except ImportError:  # the code before: every record pickled again
    unread_parts = None


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def measure(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `call()`."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), cpu_seconds()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def loads_all(values: list[bytes], *, paused: bool) -> None:
    if paused:
        gc.disable()
    try:
        [pickle.loads(value) for value in values]
    finally:
        gc.enable()


def records(root: Path, runs: int) -> None:
    db = sqlite3.connect(root / CACHE_FILE)
    rows = db.execute("SELECT slug, fingerprint, value FROM episode").fetchall()
    db.close()
    if not rows:
        raise SystemExit(f"{root} has no episode records: build it first")
    values = [value for _, _, value in rows]
    count = len(values)
    print(f"{count:,} records, {statistics.mean(len(v) for v in values):,.0f} bytes each pickled (mean)")
    for paused in (True, False):
        wall, cpu = measure(lambda paused=paused: loads_all(values, paused=paused), runs)
        state = "paused" if paused else "running"
        each, each_cpu = wall / count * 1e6, cpu / count * 1e6
        print(f"pickle.loads, collector {state}: {each:.1f} µs a record ({each_cpu:.1f} µs CPU)")
    checksum = getattr(build_cache, "record_checksum", None)
    if checksum is not None:  # (code before it kept none)
        wall, cpu = measure(lambda: [checksum(*row) for row in rows], runs)
        print(f"record_checksum of each (in kept): {wall * 1e3:.0f} ms ({cpu * 1e3:.0f} ms CPU)")
    fingerprints = {slug: fingerprint for slug, fingerprint, _ in rows}
    values.clear()
    rows.clear()
    with BuildCache(root) as cache:
        if hasattr(cache, "kept"):
            how = "BuildCache.kept of all"
            load = lambda: cache.kept(fingerprints)  # noqa: E731
        else:  # the code before kept(): a query and a pickle.loads per slug, collector running
            how = "BuildCache.prepared of each"
            load = lambda: {s: cache.prepared(s, f) for s, f in fingerprints.items()}  # noqa: E731
        walls, cpus, system, listed, whole, stored = [], [], [], [], [], []
        for _ in range(runs):
            wall, cpu, sys_before = time.perf_counter(), cpu_seconds(), os.times().system
            kept = load()
            walls.append(time.perf_counter() - wall)
            cpus.append(cpu_seconds() - cpu)
            system.append(os.times().system - sys_before)
            episodes = [record.ready for record in kept.values() if record is not None and record.ready]
            # What a worker takes before it makes an item again (none with the code before).
            parts_before = [unread_parts(episode) if unread_parts else None for episode in episodes]
            cpu = cpu_seconds()
            for episode in episodes:
                episode.title, episode.notes  # noqa: B018 - what the list pages read
            listed.append(cpu_seconds() - cpu)
            cpu = cpu_seconds()
            for episode in episodes:
                episode.lines  # noqa: B018 - and the rest
            whole.append(cpu_seconds() - cpu)
            remade = [replaced(record, item=b"<item/>") for record in kept.values() if record.ready]
            cpu = cpu_seconds()
            for record, ready_parts in zip(remade, parts_before, strict=True):
                pickle_record(record, ready_parts) if ready_parts is not None else pickle_record(record)
            stored.append((cpu_seconds() - cpu) / max(len(remade), 1))
            del kept, episodes, remade
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"{how}: {wall * 1e3:.0f} ms ({cpu * 1e3:.0f} ms CPU, {statistics.median(system) * 1e3:.0f} of it"
        f" system), {wall / count * 1e6:.1f} µs a record"
    )
    print(
        f"then read of every episode: the list pages' fields {statistics.median(listed) * 1e3:.0f} ms CPU,"
        f" then the rest {statistics.median(whole) * 1e3:.0f} ms CPU"
    )
    print(f"then stored again with a new item: {statistics.median(stored) * 1e6:.1f} µs CPU a record")


def cold(root: Path) -> None:
    shutil.rmtree(root / ".podcast", ignore_errors=True)
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    pipeline.build(root, force=True)
    wall = time.perf_counter() - started
    after, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    own = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    spread = (workers.ru_utime - children.ru_utime) + (workers.ru_stime - children.ru_stime)
    print(f"cold build: {wall:.2f} s wall; CPU {own:.2f} s in the build's process, {spread:.2f} s in workers")
    peak, largest = after.ru_maxrss / 1024, workers.ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB the build's process, {largest:.0f} MB its largest worker")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="first build SHOW from an empty build cache")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; median of {args.runs} runs")
    if args.cold:
        cold(args.show)
    records(args.show, args.runs)


if __name__ == "__main__":
    main()
