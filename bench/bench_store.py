"""What a cold build spends around its workers: the build's own process while they read the
episode folders, closing the build cache, and the bytes written to it.

    python bench/bench_store.py SHOW [--runs 5] [--python PYTHON]

Figures, not assertions. SHOW is a copy of a bench show (bench/make_show.py): each run deletes its
.podcast/ and builds it again in a child process (feeds/ is rewritten: never point it at a shared
show). Rows, each the median of --runs builds (min–max):

- whole build: wall, and CPU seconds of the build's process and its children (workers, pages);
- worker phase: wall, the CPU seconds the build's own process spent in it (receiving,
  unpickling and storing what the workers made; on two cores, taken from the workers), and
  those of the workers (reading, probing, rendering, and storing what they made);
- cache close: wall of closing the build cache in the build's process (commit, and copying the
  write-ahead log into the file unless that goes on in the background);
- largest log: the biggest the cache's write-ahead log grew during the build, and the cache's
  size after it.

For before/after figures, --python names the interpreter the builds run with (another
checkout's virtual environment).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

# Runs in the child: a build with the worker phase and the cache's close timed from inside.
CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
from podcast import cache, pipeline
figures = {}
read_in_workers = pipeline._read_in_workers
def timed_phase(*args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        return read_in_workers(*args, **kwargs)
    finally:
        figures["phase_wall"] = time.perf_counter() - wall
        figures["phase_cpu"] = time.process_time() - cpu
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures["workers_cpu"] = done.ru_utime + done.ru_stime - workers.ru_utime - workers.ru_stime
pipeline._read_in_workers = timed_phase
close = cache.BuildCache.close
def timed_close(self, *args, **kwargs):
    wall = time.perf_counter()
    try:
        return close(self, *args, **kwargs)
    finally:
        if self.root == Path(sys.argv[1]) and "close_wall" not in figures:
            figures["close_wall"] = time.perf_counter() - wall
cache.BuildCache.close = timed_close
started = time.perf_counter()
pipeline.build(Path(sys.argv[1]))
figures["build_wall"] = time.perf_counter() - started
print(json.dumps(figures))
"""


def one_build(show: Path, python: str) -> dict[str, float]:
    shutil.rmtree(show / ".podcast", ignore_errors=True)
    wal = show / ".podcast" / "cache.sqlite-wal"
    largest = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                largest[0] = max(largest[0], wal.stat().st_size)
            except OSError:
                pass
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    before = os.times()
    started = time.perf_counter()
    try:
        out = subprocess.run(
            [python, "-c", CHILD, str(show)], check=True, capture_output=True, text=True
        ).stdout
    finally:
        done.set()
        watcher.join()
    after = os.times()
    figures = json.loads(out.strip().splitlines()[-1])
    figures["process_wall"] = time.perf_counter() - started
    figures["cpu"] = sum(after[2:4]) - sum(before[2:4])  # children's user and system
    figures["largest_log_mb"] = largest[0] / 1e6
    figures["cache_mb"] = (show / ".podcast" / "cache.sqlite").stat().st_size / 1e6
    return figures


def row(label: str, values: list[float], unit: str) -> str:
    return f"{label:<42} {statistics.median(values):8.2f} {unit:<3} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="the interpreter to build with")
    args = parser.parse_args()
    show = args.show.resolve()
    runs = [one_build(show, args.python) for _ in range(args.runs)]
    episodes = len(list((show / "episodes").iterdir()))
    print(f"cold builds of {show} ({episodes} episode folders), median of {args.runs} (min–max)")
    print(row("whole build, wall", [r["process_wall"] for r in runs], "s"))
    print(row("whole build, CPU (all processes)", [r["cpu"] for r in runs], "s"))
    print(row("worker phase, wall", [r["phase_wall"] for r in runs], "s"))
    print(row("worker phase, CPU of the build's process", [r["phase_cpu"] for r in runs], "s"))
    print(row("worker phase, CPU of the workers", [r["workers_cpu"] for r in runs], "s"))
    print(row("cache close in the build's process, wall", [r.get("close_wall", 0.0) for r in runs], "s"))
    print(row("largest write-ahead log", [r["largest_log_mb"] for r in runs], "MB"))
    print(row("cache after the build", [r["cache_mb"] for r in runs], "MB"))


if __name__ == "__main__":
    main()
