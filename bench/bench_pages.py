"""What the web pages cost: `python bench/bench_pages.py [--episodes N | --show DIR] [--builds]`.

Reads a back catalog (made with bench/make_show.py: real MP3s and articles; or a copy of one
given with --show, which is edited and put back), then, in this process:

- plans every page (its digest) and renders every page (CPU µs a page); then the episode pages
  and the list pages apart, each run from a new plan as a cold build renders them (no shared
  part or list row rendered yet), CPU µs a page;
- renders and writes them into an empty folder (site.write), in one process and in one
  process a core, and again when nothing changed;
- renders and writes the pages of a cold build (no record) with feeds/ there and without, at
  write time and rendered ahead while the build lints (site.plan), and what they add to it;
- plans and checks against the record of the last build (site.render) what a build would
  after nothing changed, after one article edited, after one episode added, and renders the
  pages due then;
- renders every list page of the show with one episode added (each shifts by one): their rows
  rendered again, and made of the rows the last build kept (web/keptrows.py: loading and
  saving them counted), and checks that both make the same bytes.

With --lists, only the last of these (and the build that fills the build cache); with --fresh,
only the episode and list pages rendered from a fresh plan. With --record,
only what an episode added asks of the output folder before rendering: the record check of every
page, a page at a time and in one loop, and the folders found for the pages it writes.

With --builds it also times whole `podcast build` processes: cold (no build cache, no
feeds/) with pages and with pages switched off in podcast.toml's [pages], and the ratio;
then one article edited and one episode added, with pages. Without --show it then serves
the show with the preview server and times requests over loopback.

Figures are medians of --runs, with wall seconds and user+sys CPU seconds (the machine's
cores may be shared: CPU seconds suffer less from that). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_show import article, make_show  # noqa: E402

from podcast import collector, pipeline  # noqa: E402
from podcast.layout import PAGES_EPISODES_DIR  # noqa: E402
from podcast.model import Episode, Show  # noqa: E402
from podcast.serve.preview import PreviewServer  # noqa: E402
from podcast.web import forked, pages, site, urls  # noqa: E402
from podcast.web.keptrows import KeptRows  # noqa: E402
from podcast.web.pagefiles import folders_there  # noqa: E402
from podcast.web.record import PageRecord  # noqa: E402


def cpu_seconds() -> float:
    """User+sys CPU seconds of this process and of the children it waited for (page writers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(
    call: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> tuple[float, float, object]:
    """Median wall and CPU seconds of `runs` calls (each after `before`, not timed), and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        if before is not None:
            before()
        wall, cpu = time.perf_counter(), cpu_seconds()
        result = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def line(label: str, wall: float, cpu: float, extra: str = "") -> None:
    print(f"{label:<40}{wall * 1000:9.0f} ms wall {cpu * 1000:9.0f} ms CPU  {extra}", flush=True)


def build_process(root: Path) -> tuple[float, float]:
    """Wall and user+sys CPU seconds of one `podcast build` process (its workers included)."""
    command = [str(Path(sys.executable).with_name("podcast")), "build", "--quiet", str(root)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"podcast build failed:\n{child.stderr.read().decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def builds(root: Path, runs: int, before: Callable[[int], None]) -> tuple[float, float]:
    walls, cpus = [], []
    for index in range(runs):
        before(index)
        wall, cpu = build_process(root)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


class Edits:
    """One article edited and episodes added in a show directory, and undone at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.toml = root / "podcast.toml"
        self.original_toml = self.toml.read_text("utf-8")
        folders = sorted(p for p in (root / "episodes").iterdir() if (p / "episode.md").is_file())
        self.edited = folders[len(folders) // 2] / "episode.md"
        self.original_article = self.edited.read_text("utf-8")
        self.audio = next(folders[0].glob("*.mp3"))
        self.added: list[Path] = []
        self.rng = random.Random(7)

    def pages(self, enabled: bool) -> None:
        switch = "" if enabled else "\n[pages]\nenabled = false\n"
        self.toml.write_text(self.original_toml + switch, "utf-8")

    def edit_article(self, _: int = 0) -> None:
        front, _, _ = self.original_article.rpartition("+++\n")
        self.edited.write_text(front + "+++\n" + article(self.rng, False), "utf-8")

    def add_episode(self, _: int = 0) -> None:
        folder = self.root / "episodes" / f"added-{time.time_ns()}"
        folder.mkdir()
        yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))  # the newest, published
        shutil.copy(self.audio, folder / "added.mp3")
        (folder / "episode.md").write_text(
            f'+++\ntitle = "Added"\ndate = {yesterday}\nguid = "{folder.name}"\naudio = "added.mp3"\n+++\n'
            "A new episode.\n",
            "utf-8",
        )
        self.added.append(folder)

    def undo(self) -> None:
        self.toml.write_text(self.original_toml, "utf-8")
        self.edited.write_text(self.original_article, "utf-8")
        for folder in self.added:
            shutil.rmtree(folder, ignore_errors=True)


def in_process(root: Path, scratch: Path, runs: int, edits: Edits) -> None:
    catalog = pipeline.read_catalog(root)
    show, episodes = catalog.show, catalog.published
    wall, cpu, planned = timed(lambda: pages.plan(show, episodes), runs)
    line("plan every page (digests)", wall, cpu, f"{len(planned)} pages, {len(episodes)} episodes")
    with collector.paused():  # as the build renders
        wall, cpu, rendered = timed(lambda: {p.path: p.make() for p in planned}, runs)
    size = sum(len(page) for page in rendered.values())
    each = cpu / len(rendered) * 1e6
    line("render every page", wall, cpu, f"{size / 1e6:.1f} MB, {each:.0f} µs CPU a page")
    del rendered  # a build holds no rendered page of the package's templates: forks copy less
    fresh_renders(show, episodes, catalog.page_keys, runs)

    out = scratch / "out"
    for processes in (1, None):
        site.PROCESSES = processes
        walls, cpus = [], []
        for _ in range(runs):
            shutil.rmtree(out, ignore_errors=True)
            record = PageRecord.load(root, out)
            fresh = site.RenderedPages({p.path: p.digest for p in planned}, {}, tuple(planned), record)
            started, cpu = time.perf_counter(), cpu_seconds()
            site.write(out, fresh)
            walls.append(time.perf_counter() - started)
            cpus.append(cpu_seconds() - cpu)
        label = "one process" if processes == 1 else f"{forked.cores()} processes"
        line(f"render and write all, {label}", statistics.median(walls), statistics.median(cpus))
    site.PROCESSES = None
    cold_pages(root, show, episodes, catalog.page_keys, runs)

    def render_due(show: Show, episodes: list[Episode]) -> site.RenderedPages:
        """What a build renders: site.render, and the packaged pages it leaves to the writing."""
        result = site.render(show, episodes, out)
        for page in result.deferred:
            page.make()
        return result

    wall, cpu, nothing = timed(lambda: site.render(show, episodes, out), runs)
    line("plan + record check, nothing changed", wall, cpu, f"{len(nothing.due)} pages due")
    wall, cpu, _ = timed(lambda: site.write(out, nothing), runs)
    line("write again, nothing changed", wall, cpu)

    changes = (("one article edited", edits.edit_article), ("one episode added", edits.add_episode))
    for label, change in changes:
        change()
        changed = pipeline.read_catalog(root)
        wall, cpu, result = timed(lambda c=changed: site.render(c.show, c.published, out), runs)
        line(f"plan + record check, {label}", wall, cpu, f"{len(result.due)} pages due")
        wall, cpu, result = timed(lambda c=changed: render_due(c.show, c.published), 1)
        line(f"plan, check and render, {label}", wall, cpu, f"{len(result.due)} pages rendered")
        site.write(out, result)
    edits.undo()


def shifted_lists(root: Path, scratch: Path, runs: int, edits: Edits) -> None:
    """Every list page after one episode is added (as the build renders them, views made as
    pages need them, no garbage collection): rows rendered again against rows kept by the build
    before (loaded, the one new row rendered, saved)."""
    catalog = pipeline.read_catalog(root)
    keys = catalog.page_keys
    before = pages.SitePlan(catalog.show, catalog.published, keys)
    record = scratch / "record.json"
    slot = before.list_rows()
    assert slot is not None, "the show's list pages use a template of its own"
    kept = KeptRows.load(record, slot.code, slot.store, slot.listed)
    with collector.paused():
        for page in before.pages(before.list_paths):
            page.make()
    kept.save()  # the rows of the build before: 1 page, 1 row
    edits.add_episode()
    added = pipeline.read_catalog(root)
    edits.undo()

    def lists(keep: bool) -> dict[str, bytes]:
        plan = plans.pop()
        rows = None
        with collector.paused():  # as the build loads the rows and renders
            if keep:
                slot = plan.list_rows()
                assert slot is not None
                rows = KeptRows.load(record, slot.code, slot.store, slot.listed)
            made = {page.path: page.make() for page in plan.pages(plan.list_paths)}
        if rows is not None:
            rows.save()
        return made

    def restore() -> None:  # the rows as the build before left them, before each run
        record.with_suffix(".rows").write_bytes(kept_file)

    kept_file = record.with_suffix(".rows").read_bytes()
    results = {}
    for keep in (False, True):
        # (planned beforehand: the digests of every page, the same either way)
        plans = [pages.SitePlan(added.show, added.published, added.page_keys) for _ in range(runs)]
        wall, cpu, results[keep] = timed(lambda k=keep: lists(k), runs, before=restore)
        label = "list pages shifted, rows " + ("kept" if keep else "rendered")
        line(
            label,
            wall,
            cpu,
            f"{len(results[keep])} pages, {cpu / len(results[keep]) * 1e6:.0f} µs CPU a page",
        )
    same = results[True] == results[False]
    print(f"{'list pages, kept rows = rendered rows':<40}{'yes' if same else 'NO: they differ'}")


def record_check(root: Path, runs: int) -> None:
    """What an episode added asks of the output folder before rendering: whether each page is as
    the last build left it (the record, one lstat a page), asked a page at a time as builds did
    (PageRecord.current) and in one loop (PageRecord.due); and the folders found for the pages
    it writes (every list page and one episode page: episodes/ is not listed for that one)."""
    out = root / "feeds"
    record = PageRecord.load(root, out)
    digests = {path: entry.partition(" ")[0] for path, entry in record.entries.items()}

    def one_at_a_time() -> list[str]:
        return [path for path, digest in digests.items() if not record.current(out, path, digest)]

    wall, cpu, due = timed(one_at_a_time, runs)
    line("record check, a page at a time", wall, cpu, f"{len(digests)} pages, {len(due)} due")
    wall, cpu, due_now = timed(lambda: record.due(out, digests), runs)
    line("record check, in one loop", wall, cpu, f"{len(digests)} pages, {len(due_now)} due")
    assert due_now == due, "the loop finds other pages due"
    added = [(path, b"") for path in digests if path.startswith(urls.LIST_DIR + "/")]
    added.append((next(path for path in digests if path.startswith(PAGES_EPISODES_DIR + "/")), b""))
    wall, cpu, found = timed(lambda: folders_there(out, added), runs)
    line("folders found for an episode added", wall, cpu, f"{len(added)} pages, {len(found)} folders listed")


def busy(seconds: float) -> None:
    """This process busy for `seconds` of CPU, as a build is while it lints its feed."""
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def fresh_renders(show: Show, episodes: list[Episode], keys: dict[str, bytes], runs: int) -> None:
    """The episode pages, then the list pages, as a cold build renders them: each run from a new
    plan, so that no shared part nor list row is rendered yet (a plan reused finds them all)."""
    figures: dict[str, tuple[list[float], list[float], int]] = {"episode": ([], [], 0), "list": ([], [], 0)}
    for _ in range(runs):
        planned = pages.plan(show, episodes, keys)
        for kind in figures:
            episode = kind == "episode"
            chosen = [p for p in planned if p.path.startswith(PAGES_EPISODES_DIR + "/") == episode]
            with collector.paused():
                wall, cpu = time.perf_counter(), cpu_seconds()
                for page in chosen:
                    page.make()
                walls, cpus, _ = figures[kind]
                walls.append(time.perf_counter() - wall)
                cpus.append(cpu_seconds() - cpu)
            figures[kind] = (walls, cpus, len(chosen))
    for kind, (walls, cpus, count) in figures.items():
        cpu = statistics.median(cpus)
        each = f"{count} pages, {cpu / count * 1e6:.0f} µs CPU a page (least: {min(cpus) / count * 1e6:.0f})"
        line(f"render the {kind} pages, fresh plan", statistics.median(walls), cpu, each)


def cold_pages(root: Path, show: Show, episodes: list[Episode], keys: dict[str, bytes], runs: int) -> None:
    """The pages of a cold build (no record of them): with feeds/ as the last build left it, and
    with none. The build plans them, lints for LINT_SECONDS of CPU (here: a busy loop), then
    renders and writes them; rendered ahead, one process renders meanwhile (site.plan). The wall
    time counted is the build's from lint's end: what the pages add to it."""
    out = root / "feeds"
    full = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("index.html")}
    for case in ("feeds/ there", "no feeds/"):
        figures: dict[bool, tuple[list[float], list[float]]] = {False: ([], []), True: ([], [])}
        for _ in range(runs):
            for ahead in (False, True):  # taken in turns: the machine's load moves less between them
                PageRecord.load(root, out).file.unlink(missing_ok=True)
                if case == "no feeds/":
                    shutil.rmtree(out / "episodes", ignore_errors=True)
                    shutil.rmtree(out / "page", ignore_errors=True)
                cpu = cpu_seconds()
                planned = site.plan(show, episodes, out, keys, ahead=ahead)
                busy(LINT_SECONDS)
                started = time.perf_counter()
                site.write(out, site.render(show, episodes, out, planned=planned))
                figures[ahead][0].append(time.perf_counter() - started)
                figures[ahead][1].append(cpu_seconds() - cpu - LINT_SECONDS)
        for ahead, (walls, cpus) in figures.items():
            label = f"cold pages, {case}, " + ("ahead" if ahead else "at write")
            line(label, statistics.median(walls), statistics.median(cpus), "wall from lint's end; CPU all")
    wrong = [path for path, data in full.items() if (out / path).read_bytes() != data]
    print(f"{'pages as the last build wrote them':<40}{len(full) - len(wrong)} of {len(full)}")


LINT_SECONDS = 0.4  # what a cold build at 10,000 episodes spends between planning pages and writing them


def whole_builds(root: Path, runs: int, edits: Edits) -> None:
    def cold(_: int) -> None:
        shutil.rmtree(root / ".podcast", ignore_errors=True)
        shutil.rmtree(root / "feeds", ignore_errors=True)

    figures = {}
    try:
        for enabled in (False, True):
            edits.pages(enabled)
            figures[enabled] = builds(root, runs, cold)
            label = "cold build, pages " + ("on" if enabled else "off")
            line(label, *figures[enabled])
        (off_wall, off_cpu), (on_wall, on_cpu) = figures[False], figures[True]
        print(f"{'cold, pages on / off':<40}{on_wall / off_wall:9.2f} ×  wall {on_cpu / off_cpu:9.2f} ×  CPU")
        line("one article edited, pages on", *builds(root, runs, edits.edit_article))
        line("one episode added, pages on", *builds(root, runs, edits.add_episode))
    finally:
        edits.undo()


def requests_per_second(url: str, path: str, count: int, headers: dict[str, str]) -> float:
    host, port = url.split("//")[1].rstrip("/").split(":")
    started = time.perf_counter()
    for _ in range(count):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", path, headers=headers)
        connection.getresponse().read()
        connection.close()
    return count / (time.perf_counter() - started)


def serving(root: Path) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = PreviewServer(root, port=0, say=lambda text: None)
    result = server.build()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        media = sorted(server.site.media)[0]
        page = "/" + result.catalog.published[0].slug.join(("episodes/", "/"))
        for label, path, headers in (
            ("episode page", page, {}),
            ("episode page, gzip", page, {"Accept-Encoding": "gzip"}),
            ("feed.xml, gzip", "/feed.xml", {"Accept-Encoding": "gzip"}),
            ("audio, 64 KB range", "/" + media, {"Range": "bytes=0-65535"}),
            ("audio, 304", "/" + media, {"If-None-Match": "*"}),
        ):
            rates = [requests_per_second(server.url, path, 200, headers) for _ in range(3)]
            print(f"serve {label:<34}{statistics.median(rates):9.0f} requests/s")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000, help="make a show of this many episodes")
    parser.add_argument("--show", type=Path, help="use this show directory instead (a copy: it is built in)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--builds", action="store_true", help="also time whole build processes")
    parser.add_argument(
        "--lists", action="store_true", help="only the list pages shifted by an episode added"
    )
    parser.add_argument(
        "--record", action="store_true", help="only the record check and folders an episode added asks"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="only the episode and list pages rendered from a fresh plan"
    )
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; medians of {args.runs} runs\n")
    with tempfile.TemporaryDirectory() as scratch:
        root = args.show
        if root is None:
            root = Path(scratch) / "show"
            make_show(root, args.episodes, quiet=True)
        edits = Edits(root)
        pipeline.build(root)  # fills the build cache
        if args.lists:
            shifted_lists(root, Path(scratch), args.runs, edits)
            return
        if args.record:
            record_check(root, args.runs)
            return
        if args.fresh:
            catalog = pipeline.read_catalog(root)
            fresh_renders(catalog.show, catalog.published, catalog.page_keys, args.runs)
            return
        in_process(root, Path(scratch), args.runs, edits)
        shifted_lists(root, Path(scratch), args.runs, edits)
        if args.builds:
            whole_builds(root, args.runs, edits)
        if args.show is None:
            serving(root)


if __name__ == "__main__":
    main()
