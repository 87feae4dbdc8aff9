"""Time and memory of `podcast import` on a generated feed of N items; and what `podcast build`
and the small commands spend importing modules.

    python bench/bench_import.py --items 50000
    python bench/bench_import.py --build [--show COPY_OF_SHOW] [--against TREE] [--runs 7]

--items: writes a feed file of N items (each with about 1 KB of HTML notes, an enclosure and a
duration), imports it into a temporary show directory in a child process (so its peak
memory is its own), imports it again (nothing changed), and prints the figures.

--build: runs `podcast build` after each kind of change (one article edited, the author changed,
one episode added, nothing changed) and `podcast --help`/`--version`, each a whole process under
`python -X importtime`, and prints per case the median over --runs of the time its imports took
(the sum of the outermost imports' cumulative times, after the interpreter's own start-up) with
the number of modules imported, and the modules a build imports by then that the warm build
does not. --show is a show made by bench/make_show.py, changed and put back as it was (default:
a new one of 40 episodes); --against TREE runs the same with the `podcast` package of another
checkout (e.g. `git archive main | tar -x -C TREE`) first, for a before/after table. A tree's
first build after the other's rebuilds every record (the code is in their keys): it is not timed.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_show import make_show  # noqa: E402

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>Big Show</title><link>https://big.example/</link><description>Many episodes.</description>
<language>en</language><itunes:author>Ann</itunes:author>
<itunes:owner><itunes:name>Ann</itunes:name><itunes:email>ann@big.example</itunes:email></itunes:owner>
<itunes:category text="Education"/><itunes:explicit>false</itunes:explicit>
"""
ITEM = """<item><title>Episode {n}</title><guid isPermaLink="false">big-{n:06d}</guid>
<pubDate>Mon, 06 Jan 2020 09:00:00 +0000</pubDate>
<enclosure url="https://cdn.big.example/ep{n}.mp3" length="{length}" type="audio/mpeg"/>
<itunes:duration>00:42:10</itunes:duration>
<description><![CDATA[{notes}]]></description></item>
"""
NOTES = "".join(
    f"<p>Paragraph {i} of the notes, with <b>some</b> markup and a <a href='https://big.example/{i}'>link</a>.</p>"
    for i in range(10)
)


def write_feed(path: Path, items: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for n in range(items, 0, -1):
            out.write(ITEM.format(n=n, length=40_000_000 + n, notes=NOTES))
        out.write("</channel></rss>\n")


CHILD = """
import resource, sys, time
from podcast.importer import import_feed
started = time.perf_counter()
report = import_feed(sys.argv[1], sys.argv[2], base_url="https://new.example/big/")
took = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{took:.1f} {peak:.0f} {len(report.added)} {len(report.unchanged)}")
"""


def feed_import(items: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.xml"
        write_feed(feed, items)
        size = feed.stat().st_size
        print(f"feed: {items:,} items, {size / 1e6:.1f} MB")
        for run in ("first import", "re-import (unchanged)"):
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(feed), str(Path(tmp) / "show")],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                raise SystemExit(done.stderr)
            took, peak, added, unchanged = done.stdout.split()
            print(f"{run}: {took} s, peak memory {peak} MB, {added} added, {unchanged} unchanged")


# The command line of a child: a line on stderr where the interpreter's start-up ends (its imports
# before it, site's and the editable install's, are no command's), then the `podcast` command. A
# process it forks (pages rendered ahead, workers) writes its stderr to a file of its own: what it
# imports costs another core, and is counted apart.
COMMAND = """
import atexit, builtins, os, sys, time

_import = builtins.__import__
_depth, _cpu = 0, 0.0

def _timed_import(*args, **kwargs):  # the CPU seconds of the outermost imports that load a module
    global _depth, _cpu
    _depth += 1
    if _depth == 1:
        known, started = len(sys.modules), time.process_time()
    try:
        return _import(*args, **kwargs)
    finally:
        _depth -= 1
        if _depth == 0 and len(sys.modules) != known:  # (not an import of what is loaded already)
            _cpu += time.process_time() - started

builtins.__import__ = _timed_import
atexit.register(lambda: sys.stderr.write(f"-- import cpu {_cpu:.6f} --\\n"))

def _own_stderr():
    path = os.path.join(os.environ["BENCH_FORKED"], f"{os.getpid()}.err")
    os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), 2)

os.register_at_fork(after_in_child=_own_stderr)
sys.stderr.write("-- start --\\n")
sys.argv = ["podcast", *sys.argv[1:]]
from podcast.cli import main
main()
"""
CPU_LINE = re.compile(r"^-- import cpu ([0-9.]+) --$", re.MULTILINE)
IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$")


@dataclass
class Imports:
    seconds: float  # what the outermost imports took, their inner ones included
    modules: set[str]
    forked_seconds: float = 0.0  # the same, in the processes the command forked (all together)
    cpu: float = 0.0  # CPU seconds of the imports that loaded a module, in the command's process


def imports_of(stderr: str) -> Imports:
    """The imports a process's `-X importtime` lines show (after its start-up, when marked)."""
    before, marked, after = stderr.partition("-- start --\n")
    total, modules = 0, set()
    for line in (after if marked else before).splitlines():
        found = IMPORT_LINE.match(line)
        if found is None:
            continue
        cumulative, indent, name = int(found[2]), found[3], found[4]
        modules.add(name)
        if indent == "":  # outermost: its cumulative time holds every import it made
            total += cumulative
    cpu = CPU_LINE.search(after)
    return Imports(total / 1e6, modules, cpu=float(cpu[1]) if cpu else 0.0)


def command_imports(tree: Path | None, arguments: list[str]) -> Imports:
    """One `podcast` process under -X importtime, with the package of `tree` (None: the installed one)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)  # before the editable install's finder
    with tempfile.TemporaryDirectory() as forked:
        env["BENCH_FORKED"] = forked
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", COMMAND, *arguments],
            capture_output=True,
            text=True,
            env=env,
            cwd=forked,  # (-c puts the current folder first on sys.path: a checkout's would be imported)
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"podcast {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
        found = imports_of(done.stderr)
        for child in Path(forked).iterdir():
            found.forked_seconds += imports_of(child.read_text(errors="replace")).seconds
    return found


class Changes:
    """The changes to a show that the cases make, and putting it back as it was."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.toml = root / "podcast.toml"
        self.original_toml = self.toml.read_text("utf-8")
        self.episodes = sorted((root / "episodes").iterdir())
        self.edited = self.episodes[len(self.episodes) // 2] / "episode.md"
        self.original_article = self.edited.read_text("utf-8")
        self.count = 0

    def edit_article(self) -> None:
        self.count += 1
        self.edited.write_text(self.original_article + f"\nEdited {self.count}.\n", "utf-8")

    def change_author(self) -> None:
        self.count += 1
        author = f'author = "Bench Host {self.count}"'
        self.toml.write_text(self.original_toml.replace('author = "Bench Host"', author), "utf-8")

    def add_episode(self) -> None:
        folder = self.root / "episodes" / f"added-{time.time_ns()}"
        folder.mkdir()
        shutil.copy(next(self.episodes[0].glob("*.mp3")), folder / "added.mp3")
        (folder / "episode.md").write_text(
            f'+++\ntitle = "Added"\ndate = 2025-06-01\nguid = "{folder.name}"\naudio = "added.mp3"\n+++\n'
            "A new episode.\n",
            "utf-8",
        )

    def remove_new(self) -> None:
        """No show made by `init`, nor episode by `new`, left from the run before."""
        shutil.rmtree(self.root.parent / "bench-init", ignore_errors=True)
        shutil.rmtree(self.root / "episodes" / "bench-new", ignore_errors=True)

    def restore(self) -> None:
        self.toml.write_text(self.original_toml, "utf-8")
        self.edited.write_text(self.original_article, "utf-8")
        for added in (self.root / "episodes").glob("added-*"):
            shutil.rmtree(added)
        self.remove_new()


def build_cases(changes: Changes) -> list[tuple[str, Callable[[], None] | None, list[str]]]:
    build = ["build", "--quiet", "--allow-removal", str(changes.root)]
    return [
        ("build, one article edited", changes.edit_article, build),
        ("build, author changed", changes.change_author, build),
        ("build, one episode added", changes.add_episode, build),
        ("build, nothing changed", None, build),
        ("podcast --help", None, ["--help"]),
        ("podcast --version", None, ["--version"]),
        (
            "podcast init",
            changes.remove_new,
            ["init", str(changes.root.parent / "bench-init"), *SHOW_OPTIONS],
        ),
        (
            "podcast new",
            changes.remove_new,
            ["new", str(changes.root), "--title", "New", "--slug", "bench-new"],
        ),
    ]


SHOW_OPTIONS = [
    "--title",
    "T",
    "--author",
    "A",
    "--email",
    "a@example.com",
    "--base-url",
    "https://example.com/",
]


def tree_imports(tree: Path | None, root: Path, runs: int) -> dict[str, list[Imports]]:
    """Each case's imports over `runs`, with the package of `tree`."""
    package = (tree / "podcast") if tree is not None else Path(__file__).resolve().parent.parent / "podcast"
    compileall.compile_dir(str(package), quiet=1)
    changes = Changes(root)
    found: dict[str, list[Imports]] = {}
    try:
        command_imports(tree, ["build", "--quiet", "--allow-removal", str(root)])  # up to date for this code
        for name, change, arguments in build_cases(changes):
            for _ in range(runs):
                if change is not None:
                    change()
                found.setdefault(name, []).append(command_imports(tree, arguments))
    finally:
        changes.restore()
        command_imports(tree, ["build", "--quiet", "--allow-removal", str(root)])
    return found


def build_imports(show: Path | None, against: Path | None, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = show.resolve() if show is not None else None
        if root is None:
            root = Path(tmp) / "show"
            make_show(root, 40, quiet=True)
        trees = {"this checkout": None}
        if against is not None:
            trees = {str(against): against, **trees}
        results = {label: tree_imports(tree, root, runs) for label, tree in trees.items()}
    labels = list(results)
    print(f"{root}: imports per command, median of {runs} runs (-X importtime)")
    print(
        "ms in the command's process (+ ms in the processes it forked), CPU ms of its imports that"
        " loaded a module, modules imported\n"
    )
    print("| case | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for name in results[labels[0]]:
        cells = []
        for label in labels:
            made = results[label][name]
            seconds = statistics.median(i.seconds for i in made)
            forked = statistics.median(i.forked_seconds for i in made)
            modules = statistics.median(len(i.modules) for i in made)
            cpu = statistics.median(i.cpu for i in made)
            cells.append(
                f"{seconds * 1000:.0f} ms (+{forked * 1000:.0f}), {cpu * 1000:.0f} CPU, {modules:.0f}"
            )
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nThe heavy libraries each case imports in its own process (the last tree's, in any run):")
    for name, made in results[labels[-1]].items():
        imported = set().union(*(i.modules for i in made))
        print(f"- {name}: {', '.join(m for m in HEAVY if m in imported) or 'none of them'}")


# Libraries a build may or may not need, and that take milliseconds to import.
HEAVY = (
    "lxml.etree",
    "feedgen.feed",
    "markdown_it",
    "nh3",
    "linkify_it",
    "lxml.html",
    "mutagen",
    "PIL.Image",
    "jinja2",
    "srt",
    "webvtt",
    "importlib.metadata",
    "multiprocessing",
    "sqlite3",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--build", action="store_true", help="the imports of `podcast build` and --help")
    parser.add_argument("--show", type=Path, help="with --build: a copy of a show made by make_show.py")
    parser.add_argument("--against", type=Path, help="with --build: another checkout's tree, first")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if args.build:
        build_imports(args.show, args.against, args.runs)
    else:
        feed_import(args.items)


if __name__ == "__main__":
    main()
