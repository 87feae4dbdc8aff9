"""What reading the episodes costs: `python bench/bench_load.py [SHOW] [--runs 5]` prints µs per episode.

Figures, not assertions. SHOW defaults to the example show; a bench show (bench/make_show.py,
e.g. /tmp/bk/show-10000) is only read. Three rows, each the median of --runs passes over
every episode, as wall time and as user+sys CPU time (the CPU figure suffers less when
other work shares the cores):

- load_episodes: the whole of `config.load_episodes` (what a cold build pays);
- front matter: `config.read_front_matter` over the texts already read (split, TOML,
  line numbers, schema): the text half of the load;
- confinement: the three path checks load_episodes makes per episode (folder,
  episode.md, audio), each resolving symlinks (files.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from podcast import config
from podcast.files import confined, outside
from podcast.layout import EPISODE_FILE

REPO = Path(__file__).resolve().parent.parent


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def measure(label: str, count: int, call: Callable[[], object], runs: int) -> None:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), cpu_seconds()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    wall_us = statistics.median(walls) / count * 1e6
    cpu_us = statistics.median(cpus) / count * 1e6
    print(f"{label:<16} {wall_us:9.1f} µs/episode wall {cpu_us:9.1f} µs/episode cpu  ({count} episodes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", nargs="?", type=Path, default=REPO)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    show, _ = config.load_show(args.show)
    folders = [f for f in config.episode_folders(show.root) if (f / EPISODE_FILE).is_file()]
    sources = [(f"episodes/{f.name}/{EPISODE_FILE}", (f / EPISODE_FILE).read_text("utf-8")) for f in folders]

    def front_matter() -> None:
        problems: list = []
        for rel, source in sources:
            config.read_front_matter(source, rel, problems, show.timezone)

    def confinement() -> None:
        for folder in folders:
            outside(show.root, folder)
            confined(show.root, folder / EPISODE_FILE, EPISODE_FILE)
            outside(show.root, folder / "episode.mp3")

    print(f"show: {show.root}")
    measure("load_episodes", len(folders), lambda: config.load_episodes(show), args.runs)
    measure("front matter", len(folders), front_matter, args.runs)
    measure("confinement", len(folders), confinement, args.runs)


if __name__ == "__main__":
    main()
