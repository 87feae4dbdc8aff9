"""What writing feed.xml costs a build: `python bench/bench_feedwrite.py SHOW [--runs 7]`.

SHOW is a show built once (bench/make_show.py, then `podcast build`); its catalog is read from
the build cache as a build reads it, and its feed put together from the records (feed.assemble).
Nothing of the show is changed: the feed is written to a scratch folder beside the show (on the
same disk), a new file each run (an unchanged one would be compared, not written), removed at
the end.

Prints, as medians of --runs, the wall and CPU (user + sys, every thread) seconds of:

- buffered: the parts through a buffered file, two writes an item, and an fsync (how the build
  wrote the feed before write_parts; kept here to compare with);
- write_atomic: the parts with os.writev, a thousand a call, an fsync and the rename;
- staged, waited for: StagedWrite begun, then as much of the caller's own work as writing the
  build's pages and sidecars costs it (--work seconds of CPU), then `commit`: what the caller
  waits for at the commit beyond its own work, the write and sync having gone on in another
  thread meanwhile. (The second core is idle while an incremental build writes.)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from podcast import feed, pipeline  # noqa: E402
from podcast.files import StagedWrite, write_atomic  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def buffered(path: Path, parts: Sequence[bytes]) -> None:
    """The way before: a temp file written through a buffered file, synced and renamed."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        for part in parts:
            handle.write(part)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def busy(seconds: float) -> None:
    """The caller's own work: CPU time in Python (this thread's), as writing pages and sidecars is."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        sum(range(1000))


def measure(runs: int, work: Callable[[Path], float | None], folder: Path) -> tuple[float, float, float]:
    """Median wall and CPU seconds of `work`, a new target each run; and the median of what it
    returns (the wait at the commit), when it returns one."""
    walls, cpus, waits = [], [], []
    for run in range(runs):
        target = folder / f"feed-{run}.xml"
        wall, cpu = time.perf_counter(), _cpu()
        waited = work(target)
        cpus.append(_cpu() - cpu)
        walls.append(time.perf_counter() - wall)
        waits.append(waited or 0.0)
        target.unlink()
    return statistics.median(walls), statistics.median(cpus), statistics.median(waits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", type=float, default=0.06, help="the caller's own CPU seconds meanwhile")
    args = parser.parse_args()
    root = args.show.resolve()
    catalog = pipeline.read_catalog(root)
    rendered = feed.assemble(catalog.show, catalog.published, catalog.items)
    parts = rendered.parts
    size = rendered.size / 1e6
    print(f"{root.name}: feed.xml of {len(rendered.items)} items, {size:.1f} MB, {len(parts)} parts")
    folder = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}-bench-feedwrite-"))
    try:

        def staged(target: Path) -> float:
            write = StagedWrite(target, parts)
            busy(args.work)
            wait = time.perf_counter()
            write.commit()
            return time.perf_counter() - wait

        cases = [
            ("buffered (before)", lambda target: buffered(target, parts)),
            ("write_atomic (writev)", lambda target: write_atomic(target, parts)),
            (f"staged + {args.work:.2f} s work", staged),
        ]
        for name, work in cases:
            wall, cpu, waited = measure(args.runs, work, folder)
            extra = f"   commit waited {waited * 1e3:6.1f} ms" if name.startswith("staged") else ""
            print(f"{name:<26} {wall * 1e3:7.1f} ms wall {cpu * 1e3:7.1f} ms cpu{extra}")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
