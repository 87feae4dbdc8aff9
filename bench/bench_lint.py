"""What lint costs a build: `python bench/bench_lint.py SHOW [--runs 5] [--verify]`.

SHOW is a copy of a bench show (bench/make_show.py); its build cache is written (the show is
read as a build reads it), so never point it at the shared /tmp/bk. Prints, as medians of
--runs, wall and CPU time (CPU suffers less when the cores are shared):

- per item: `ItemLinter.check` over every published item, as the build runs it on an episode
  whose record it could not keep, in µs per item;
- whole feed: `check_assembled`, the rules over the whole feed that an incremental build runs
  every time (from each item's kept findings and digest, against the feed last built);
- and `ItemLinter` itself (made once per build and per worker).

With --verify, also checks that the findings equal `check_show`'s over the whole document.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from podcast import feed, lastfeed, lint, pipeline
from podcast.layout import FEEDS_DIR
from podcast.lint.itemwise import ItemLinter, check_assembled


def timed(call, runs: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of `runs` calls, and what the last call returned."""
    walls, cpus = [], []
    result = None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--verify", action="store_true", help="compare with check_show over the whole feed")
    args = parser.parse_args()
    root = args.show.resolve()
    now = datetime.now(UTC)

    catalog = pipeline.read_catalog(root, now=now)
    show = catalog.show
    ordered = feed.newest_first(catalog.published)
    records = [catalog.records[e.slug] for e in ordered]
    pairs = [(r.ready, r.item) for r in records if r.ready is not None and r.item is not None]
    count = len(pairs)
    head, tail = feed.channel_parts(show, [])
    print(f"{root.name}: {count} items")

    wall, cpu, linter = timed(lambda: ItemLinter(show, head, tail, now), args.runs)
    print(f"{'ItemLinter()':<28} {wall * 1e3:9.2f} ms wall {cpu * 1e3:9.2f} ms cpu")

    def check_all():
        return [linter.check(ready, item) for ready, item in pairs]

    wall, cpu, found = timed(check_all, args.runs)
    print(
        f"{'ItemLinter.check, per item':<28} {wall / count * 1e6:9.1f} µs wall"
        f" {cpu / count * 1e6:9.1f} µs cpu"
        f"   ({wall:.2f} s wall, {cpu:.2f} s cpu for {count})"
    )

    rendered = feed.assemble(show, catalog.published, catalog.items)
    last = lastfeed.read(root, root / FEEDS_DIR)
    problems = [f.problems for f in found]
    digests = [f.digest for f in found]

    def whole():
        return check_assembled(
            show,
            ordered,
            rendered.head,
            rendered.tail,
            problems,
            digests,
            now=now,
            previous=last.feed if last is not None else None,
            published_bytes=rendered.size,
            channel_linter=linter,
        )

    wall, cpu, findings = timed(whole, args.runs)
    print(f"{'check_assembled (whole feed)':<28} {wall * 1e3:9.1f} ms wall {cpu * 1e3:9.1f} ms cpu")
    wall, cpu, _ = timed(lambda: lastfeed.read(root, root / FEEDS_DIR), args.runs)
    print(f"{'lastfeed.read':<28} {wall * 1e3:9.1f} ms wall {cpu * 1e3:9.1f} ms cpu")
    print(f"findings: {len(findings)}")

    if args.verify:
        document = b"".join(rendered.parts)
        previous = (root / FEEDS_DIR / "feed.xml").read_bytes() if last is not None else None
        expected = lint.check_show(
            show,
            catalog.published,
            document,
            previous=previous,
            now=now,
            ordered=ordered,
            published_bytes=rendered.size,
        )
        same = expected == findings
        print(f"check_show over the whole document: {len(expected)} findings, same: {same}")
        if not same:
            for a, b in zip(expected, findings, strict=False):
                if a != b:
                    print("first difference:\n  whole:", a, "\n  split:", b)
                    break
            raise SystemExit(1)


if __name__ == "__main__":
    main()
