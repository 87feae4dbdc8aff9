"""How long show notes take: `python bench/bench_notes.py [SHOW]` prints milliseconds per render.

Figures, not assertions: the example episode's article, the same article repeated to
about 200 KB, a Markdown version of it, and the saved-page fixture. With SHOW (a bench
show from bench/make_show.py, e.g. /tmp/bk/show-1000, only read), also every article of
its episodes rendered as a build renders it: the median µs per article (each article's
best of --runs), as wall time and as CPU time, which suffers less when the cores are shared.
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit
from pathlib import Path

from podcast import config, notes
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
    print(f"example article: {len(article.encode())} bytes; big: {len(big.encode())} bytes")
    measure("example article (text)", lambda: notes.render(article, more_url="https://x.example/"), 50)
    measure(
        "example article, section chapters",
        lambda: notes.render(article, chapters_from="sections", duration=700),
        50,
    )
    measure("~200 KB article (text)", lambda: notes.render(big, more_url="https://x.example/"), 3)
    measure("~200 KB article (markdown)", lambda: notes.render(markdown, format="markdown"), 3)
    measure("saved page (html) → SavedPage", lambda: read_page(page), 50)
    if args.show:
        measure_show(args.show, args.runs)


if __name__ == "__main__":
    main()
