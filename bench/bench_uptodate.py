"""What the up-to-date machinery costs a build of a big show, part by part, in this process.

    python bench/bench_uptodate.py SHOW_DIR [--runs 7]

SHOW_DIR is a show already built once (bench/make_show.py, then `podcast build`); only the
records in its .podcast/listings/ and the time stamps of its first episode.md change. Prints,
for each part, the median wall and CPU (user + sys) seconds over --runs:

- snapshot: the walk of the inputs (`Snapshot.take`) the check before every build takes;
- snapshot again, racy: what the build does when that snapshot was taken right after an
  edit (`Snapshot.refreshed`, one episode folder looked at again), against a second walk;
- outputs: the walk of feeds/ that `record` takes after a build (`outputs_fingerprint`).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from podcast import uptodate  # noqa: E402

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
    rows.append(("outputs", measure(args.runs, lambda: uptodate.outputs_fingerprint(root, listed=True))))
    episodes = sum(1 for _ in (root / "episodes").iterdir())
    print(f"{root} ({episodes} episode folders), median of {args.runs}:")
    for name, (wall, cpu) in rows:
        print(f"  {name:36} {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms CPU")
    refreshed, walked = rows[1][1][1], rows[2][1][1]
    print(f"  refreshed / walked again (CPU): {refreshed / walked:.3f}" if walked else "")


if __name__ == "__main__":
    main()
