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
With --rules, also prints where `ItemLinter.check` spends its time, per item: the parse, the
subject, each item rule (in the order they run, each paying for what it first asks of the
document, as in a build), the digest (CPU, medians of --runs over every item).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from podcast import feed, lastfeed, lint, pipeline
from podcast.layout import FEEDS_DIR
from podcast.lint import itemwise
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
    parser.add_argument("--rules", action="store_true", help="time each part of ItemLinter.check")
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

    if args.rules:
        time_parts(linter, pairs, args.runs)

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


def time_parts(linter: ItemLinter, pairs: list, runs: int) -> None:
    """µs per item of each part of `ItemLinter.check`, item by item as the build runs it. A CPU
    clock read costs about a µs here, as much as many a rule: the parts are read on the
    performance counter (some 50 ns a read), and the median of --runs leaves out the runs the
    process was made to wait in."""
    count = len(pairs)
    clock = time.perf_counter
    totals: dict[str, list[float]] = {}
    for _ in range(runs):
        spent: dict[str, float] = {}
        for ready, item in pairs:
            start = clock()
            subject, rules = linter.subject_of(ready, item)
            spent["parse, subject"] = spent.get("parse, subject", 0.0) + clock() - start
            for rule in rules:
                start = clock()
                itemwise.run(subject, [rule])
                spent[rule.code] = spent.get(rule.code, 0.0) + clock() - start
            start = clock()
            itemwise.digest(subject.feed.items[0])
            spent["digest"] = spent.get("digest", 0.0) + clock() - start
        for label, seconds in spent.items():
            totals.setdefault(label, []).append(seconds / count * 1e6)
    for label, values in totals.items():
        print(f"  {label:<26} {statistics.median(values):7.2f} µs")
    print(f"  {'sum':<26} {sum(statistics.median(v) for v in totals.values()):7.2f} µs")


if __name__ == "__main__":
    main()
