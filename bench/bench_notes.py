"""How long show notes take: `python bench/bench_notes.py [SHOW]` prints milliseconds per render.

Figures, not assertions: the example episode's article, the same article repeated to
about 200 KB, a Markdown version of it, and the saved-page fixture. With SHOW (a bench
show from bench/make_show.py, e.g. /tmp/bk/show-1000, only read), also every article of
its episodes rendered as a build renders it: the median µs per article (each article's
best of --runs), as wall time and as CPU time, which suffers less when the cores are shared;
and the notes' build-cache entries of those articles: their size, and the CPU µs per article
of what a cold build does (look the entry up, render, encode it in a worker; store it in the
build's process and commit) and of what a build with an unchanged article does (look it up
and decode it), medians of --runs, each through `BuildCache.notes` as a build calls it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import timeit
from pathlib import Path

from podcast import config, notes, pipeline
from podcast.cache import BuildCache
from podcast.pagetext import read_page

REPO = Path(__file__).resolve().parent.parent


def measure(label: str, call, number: int) -> None:
    best = min(timeit.repeat(call, number=number, repeat=5)) / number
    print(f"{label:<48} {best * 1000:8.2f} ms")


def measure_show(root: Path, runs: int) -> None:
    """Each article of the show rendered with the options a build gives it."""
    show, _ = config.load_show(root)
    episodes, _ = config.load_episodes(show)
    calls = []
    for episode in episodes:
        chapters_from = episode.chapters_from or show.chapters_from
        options = {
            "format": episode.article_format,
            "title": episode.title,
            "chapters_from": chapters_from,
            "duration": 1800.0 if chapters_from == "sections" else None,
            **notes.link_options(episode.link, show.link),
        }
        calls.append((episode.article, options))
    formats = [options["format"] for _, options in calls]
    walls = [float("inf")] * len(calls)
    cpus = [float("inf")] * len(calls)
    for _ in range(runs):
        for index, (article, options) in enumerate(calls):
            wall, cpu = time.perf_counter(), time.process_time()
            notes.render(article, **options)
            cpus[index] = min(cpus[index], time.process_time() - cpu)
            walls[index] = min(walls[index], time.perf_counter() - wall)
    for kind in ("all", "text", "markdown"):
        chosen = [i for i, f in enumerate(formats) if kind in ("all", f)]
        if not chosen:
            continue
        label = f"{root.name}: {len(chosen)} articles ({kind})"
        print(
            f"{label:<48} {statistics.median(walls[i] for i in chosen) * 1e6:8.1f} µs wall"
            f" {statistics.median(cpus[i] for i in chosen) * 1e6:8.1f} µs cpu (median per article)"
        )


def _cpu_per_call(work, count: int, runs: int) -> float:
    """Median CPU µs per item of `work()` (which does `count` items) over `runs` runs."""
    spent = []
    for _ in range(runs):
        started = time.process_time()
        work()
        spent.append(time.process_time() - started)
    return statistics.median(spent) / count * 1e6


def measure_entries(root: Path, runs: int) -> None:
    """The notes' cache entries of every article of the show, through `BuildCache.notes`."""
    show, _ = config.load_show(root)
    episodes, _ = config.load_episodes(show)
    all_inputs = [pipeline.notes_inputs(show, pipeline.with_page_link(show, e)) for e in episodes]
    count = len(all_inputs)

    def renderer(inputs):
        options = {key: value for key, value in inputs.items() if key != "article"}
        return lambda: notes.render(inputs["article"], **options)

    with tempfile.TemporaryDirectory() as scratch:
        cache = BuildCache(Path(scratch))
        worker = cache.for_worker()

        def cold_worker() -> None:  # the lookup misses (nothing stored yet): render and encode
            for inputs in all_inputs:
                worker.notes(inputs, renderer(inputs))

        def render_only() -> None:
            for inputs in all_inputs:
                renderer(inputs)()

        pending: list = []

        def cold_worker_kept() -> None:
            cold_worker()
            pending[:] = worker.take_pending()

        rendering = _cpu_per_call(render_only, count, runs)
        worker_side = _cpu_per_call(cold_worker_kept, count, runs)

        def store() -> None:
            cache.db.execute("DELETE FROM notes")
            cache.store(pending)
            cache.db.commit()

        storing = _cpu_per_call(store, count, runs)
        size = sum(len(values[1].encode()) for _, values in pending)

        def warm() -> None:
            for inputs in all_inputs:
                cache.notes(inputs, renderer(inputs))

        reading = _cpu_per_call(warm, count, runs)
        worker.close()
        cache.close()
    print(f"{root.name}: notes entries {size / count:8.0f} B each, {size / 1e6:.1f} MB for {count}")
    print(f"  render alone                                 {rendering:8.1f} µs cpu per article")
    print(f"  cold, in a worker: look up, render, encode   {worker_side:8.1f} µs cpu per article")
    print(f"  cold, in the build's process: store, commit  {storing:8.1f} µs cpu per article")
    print(f"  cold total                                   {worker_side + storing:8.1f} µs cpu per article")
    print(f"  article unchanged: look up and decode        {reading:8.1f} µs cpu per article")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    article = (REPO / "episodes/ketamine-for-chronic-migraine/episode.md").read_text("utf-8").split("+++")[2]
    big = "\n\n".join([article] * (200_000 // len(article.encode()) + 1))
    markdown = "\n".join(
        f"## {line}" if line and not line.endswith(".") else line for line in big.splitlines()
    )
    page = (REPO / "tests/data/saved-page.html").read_text("utf-8")
    # Show notes as producers write them: links, a list, timestamps (the bench show's have none).
    linked_text = (
        "Why sleep matters\n\nWe talk with Dr. Ann Example about sleep, memory and the brain.\n\n"
        "Links\n- Her lab: https://lab.example.org/sleep\n- The study: https://doi.example.org/10.1000/x\n"
        "- Book: www.example.com/books/sleep\n\n00:00 Intro\n02:15 What sleep does\n15:40 Memory\n\n"
        "Write to us at hello@example.com."
    )
    linked_markdown = (
        "# Why sleep matters\n\nWe talk with **Dr. Ann Example** about [sleep](https://example.org/why).\n\n"
        "## Links\n\n- [Her lab](https://lab.example.org/sleep)\n- [The study](https://doi.example.org/x)\n"
        "- Book: <https://www.example.com/books/sleep>\n\nWrite to us at hello@example.com."
    )
    print(f"example article: {len(article.encode())} bytes; big: {len(big.encode())} bytes")
    measure("example article (text)", lambda: notes.render(article, more_url="https://x.example/"), 50)
    measure(
        "example article, section chapters",
        lambda: notes.render(article, chapters_from="sections", duration=700),
        50,
    )
    measure("~200 KB article (text)", lambda: notes.render(big, more_url="https://x.example/"), 3)
    measure("~200 KB article (markdown)", lambda: notes.render(markdown, format="markdown"), 3)
    measure("links and a list (text)", lambda: notes.render(linked_text, title="Why sleep matters"), 50)
    measure("links and a list (markdown)", lambda: notes.render(linked_markdown, format="markdown"), 50)
    measure("saved page (html) → SavedPage", lambda: read_page(page), 50)
    if args.show:
        measure_show(args.show, args.runs)
        measure_entries(args.show, args.runs)


if __name__ == "__main__":
    main()
