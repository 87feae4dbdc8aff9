"""What a build after one change costs, on a show made by bench/make_show.py (a copy of it: this
edits the show, and puts it back as it was at the end).

    python bench/bench_incremental.py --show /tmp/copy-of-show-10000 [--runs 5]

The single-change cases of bench/build_times.py, alone, so they can be compared before and after
a change without the cold builds: one episode added, one article edited, the author changed
(which every item reads), and the build after it with nothing changed. Each run is a whole
`podcast build` process; the table gives the median wall time (min–max), the median CPU seconds
(user + sys, its workers included) and the peak RSS.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from build_times import Run, compile_package, podcast_command, run  # noqa: E402
from make_show import article  # noqa: E402


def row(name: str, runs: list[Run]) -> str:
    wall = [r.seconds for r in runs]
    cpu = statistics.median(r.cpu for r in runs)
    peak = max(r.peak_mb for r in runs)
    spread = f"{min(wall):.2f}–{max(wall):.2f}"
    return f"| {name} | {statistics.median(wall):.2f} s | {spread} | {cpu:.2f} s | {peak:.0f} MB |"


def measure(root: Path, runs: int, before) -> list[Run]:
    build = podcast_command() + [str(root)]
    made = []
    for index in range(runs):
        before(index)
        made.append(run(build))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", nargs="+", default=["added", "edited", "author", "warm"])
    args = parser.parse_args()
    root: Path = args.show
    compile_package()
    toml = root / "podcast.toml"
    original_toml = toml.read_text("utf-8")
    episodes = sorted((root / "episodes").iterdir())
    edited = episodes[len(episodes) // 2] / "episode.md"
    original_article = edited.read_text("utf-8")
    rng = random.Random(len(episodes))
    template = episodes[0]

    def add_episode(index: int) -> None:
        folder = root / "episodes" / f"added-{time.time_ns()}"
        folder.mkdir()
        shutil.copy(next(template.glob("*.mp3")), folder / "added.mp3")
        (folder / "episode.md").write_text(
            f'+++\ntitle = "Added {index}"\ndate = 2025-06-01\nguid = "added-{folder.name}"\n'
            f'audio = "added.mp3"\n+++\nA new episode.\n',
            "utf-8",
        )

    def edit_article(_: int) -> None:
        front, _, _ = edited.read_text("utf-8").rpartition("+++\n")
        edited.write_text(front + "+++\n" + article(rng, False), "utf-8")

    def change_author(index: int) -> None:
        author = f'author = "Bench Host {index}"'
        toml.write_text(original_toml.replace('author = "Bench Host"', author), "utf-8")

    cases = {
        "added": ("one episode added", add_episode),
        "edited": ("one article edited", edit_article),
        "author": ("author changed (every item reads it)", change_author),
        "warm": ("warm, nothing changed", lambda _: None),
    }
    print(f"{root}: median of {args.runs} runs; whole process, start to exit\n")
    print("| case | median | min–max | CPU (user+sys) | peak RSS |")
    print("|---|---|---|---|---|")
    try:
        run(podcast_command() + [str(root)])  # start from a build that is up to date
        for name in args.cases:
            label, before = cases[name]
            print(row(label, measure(root, args.runs, before)), flush=True)
    finally:
        toml.write_text(original_toml, "utf-8")
        edited.write_text(original_article, "utf-8")
        for added in (root / "episodes").glob("added-*"):
            shutil.rmtree(added)
        run(podcast_command() + ["--allow-removal", str(root)])  # leave the show built as made


if __name__ == "__main__":
    main()
