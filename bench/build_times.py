"""What a build costs at back-catalog size: one table, every case a whole `podcast build` process.

    pip install generss            # genRSS, for the ratio (optional)
    python bench/build_times.py --episodes 1000 10000 [--runs 5] [--keep DIR]

For each N it makes a show with bench/make_show.py (kept in --keep DIR between runs of
this script, since making 10,000 episodes takes minutes), then times:

- cold: no build cache (files in the page cache, since they were just read);
- cold, disk: also with the page cache dropped, where the OS lets us (root, /proc);
- warm: nothing changed since the last build;
- one episode added, one article edited, one show setting changed (the description, which
  only the channel reads), the author (which every item reads);
- genRSS (`genRSS -M`, mutagen-based) on the same audio, for the ratio.

Each case is a fresh process, timed from start to exit (median of --runs, with min–max),
with the CPU seconds it used (user + sys, median; its worker processes included), which
suffer less than wall time when other work shares the cores, its peak RSS (from the kernel's
accounting of that child) and the feed's size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_show import article, make_show  # noqa: E402

CACHE_DIR = ".podcast"


@dataclass
class Case:
    name: str
    seconds: list[float]
    peak_mb: float
    feed_mb: float | None
    cpu: list[float]  # user + sys seconds of each run

    @classmethod
    def of(cls, name: str, runs: list[Run], feed_mb: float | None) -> Case:
        peak = max(r.peak_mb for r in runs)
        return cls(name, [r.seconds for r in runs], peak, feed_mb, [r.cpu for r in runs])

    def row(self, n: int) -> str:
        median = statistics.median(self.seconds)
        spread = f"{min(self.seconds):.2f}–{max(self.seconds):.2f}"
        feed = f"{self.feed_mb:.1f} MB" if self.feed_mb is not None else "–"
        cpu = f"{statistics.median(self.cpu):.2f} s"
        return f"| {n:,} | {self.name} | {median:.2f} s | {spread} | {cpu} | {self.peak_mb:.0f} MB | {feed} |"


@dataclass
class Run:
    seconds: float
    cpu: float  # user + sys
    peak_mb: float


# Builds run as an installed package does, from compiled bytecode: a checkout run with
# PYTHONDONTWRITEBYTECODE set (as some sandboxes do) compiles every module in every process.
INSTALLED_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def compile_package() -> None:
    """Write the package's bytecode once, as pip does on install, so no timed run pays for it."""
    import compileall

    import podcast

    compileall.compile_dir(str(Path(podcast.__file__).parent), quiet=1)


def run(command: list[str], cwd: Path | None = None) -> Run:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process; a failure stops the benchmark."""
    started = time.perf_counter()
    before = os.times()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=INSTALLED_ENV
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    after = os.times()
    # The child's own time from wait4, and its workers' (reaped by it) from our children's totals.
    workers = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    cpu = max(usage.ru_utime + usage.ru_stime, workers)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{error[-2000:]}")
    return Run(elapsed, cpu, usage.ru_maxrss / 1024)


def drop_page_cache() -> bool:
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def podcast_command() -> list[str]:
    found = shutil.which("podcast", path=str(Path(sys.executable).parent)) or shutil.which("podcast")
    if not found:
        sys.exit("podcast is not installed: pip install -e .")
    return [found, "build", "--quiet"]


def measure(root: Path, runs: int, *, before=None, name: str) -> Case:
    build = podcast_command() + [str(root)]
    runs_made = []
    for index in range(runs):
        if before:
            before(index)
        runs_made.append(run(build))
    feed = root / "feeds" / "feed.xml"
    size = feed.stat().st_size / 1e6 if feed.exists() else None
    return Case.of(name, runs_made, size)


def bench(root: Path, n: int, runs: int) -> list[Case]:
    cases = []

    def clear_cache(_):
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)

    cases.append(measure(root, runs, before=clear_cache, name="cold (no build cache)"))

    def clear_cache_and_pages(index):
        clear_cache(index)
        if not drop_page_cache():
            raise PermissionError

    try:
        cases.append(measure(root, runs, before=clear_cache_and_pages, name="cold, page cache dropped"))
    except PermissionError:
        print("  (the page cache cannot be dropped here: not measured)", file=sys.stderr)

    measure(root, 1, name="warm-up")
    cases.append(measure(root, runs, name="warm, nothing changed"))

    template = next((root / "episodes").iterdir())

    def add_episode(index):
        folder = root / "episodes" / f"added-{time.time_ns()}"
        folder.mkdir()
        audio = next(template.glob("*.mp3"))
        shutil.copy(audio, folder / "added.mp3")
        (folder / "episode.md").write_text(
            f'+++\ntitle = "Added {index}"\ndate = 2025-06-01\nguid = "added-{folder.name}"\n'
            f'audio = "added.mp3"\n+++\nA new episode.\n',
            "utf-8",
        )

    cases.append(measure(root, runs, before=add_episode, name="one episode added"))

    import random

    rng = random.Random(n)
    edited = sorted((root / "episodes").iterdir())[n // 2] / "episode.md"

    def edit_article(index):
        text = edited.read_text("utf-8")
        front, _, _ = text.rpartition("+++\n")
        edited.write_text(front + "+++\n" + article(rng, False), "utf-8")

    cases.append(measure(root, runs, before=edit_article, name="one article edited"))

    toml = root / "podcast.toml"
    original = toml.read_text("utf-8")

    def change_setting(index):
        toml.write_text(original.replace("for benchmarks.", f"for benchmarks, take {index}."), "utf-8")

    cases.append(measure(root, runs, before=change_setting, name="one show setting changed"))
    toml.write_text(original, "utf-8")
    measure(root, 1, name="back to the show as made")

    # The description is read by the channel only; the author is read by every item as well.
    def change_author(index):
        toml.write_text(original.replace('author = "Bench Host"', f'author = "Bench Host {index}"'), "utf-8")

    cases.append(measure(root, runs, before=change_author, name="author changed (every item reads it)"))
    toml.write_text(original, "utf-8")

    genrss = shutil.which("genRSS", path=str(Path(sys.executable).parent)) or shutil.which("genRSS")
    if genrss:
        with tempfile.TemporaryDirectory() as out:
            command = [
                genrss,
                "-d",
                str(root / "episodes"),
                "-r",
                "-e",
                "mp3",
                "-M",
                "-t",
                "Bench",
                "-p",
                "Bench",
                "-H",
                "https://media.example.com/bench/",
                "-o",
                f"{out}/feed.xml",
            ]
            made = [run(command) for _ in range(runs)]
            size = Path(out, "feed.xml").stat().st_size / 1e6
        cases.append(Case.of("genRSS -M (same audio)", made, size))
    else:
        print("  (genRSS not installed: pip install generss)", file=sys.stderr)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="make the shows here and keep them for the next run")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    compile_package()
    print(f"{os.cpu_count()} cores; median of {args.runs} runs; whole process, start to exit\n")
    print("| N | case | median | min–max | CPU (user+sys) | peak RSS | feed |")
    print("|---|---|---|---|---|---|---|")
    try:
        for n in args.episodes:
            root = base / f"show-{n}"
            if not (root / "podcast.toml").exists():
                print(f"  making a show of {n:,} episodes in {root} …", file=sys.stderr)
                make_show(root, n)
            # Each run starts from the show as made: drop what an earlier run added.
            for added in (root / "episodes").glob("added-*"):
                shutil.rmtree(added)
            shutil.rmtree(root / "feeds", ignore_errors=True)
            cases = bench(root, n, args.runs)
            for case in cases:
                print(case.row(n), flush=True)
            genrss = next((c for c in cases if c.name.startswith("genRSS")), None)
            if genrss:
                ratio = statistics.median(genrss.seconds) / statistics.median(cases[0].seconds)
                print(f"| {n:,} | cold build vs genRSS | {ratio:.2f}× genRSS's speed | | | | |", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
