"""What lint costs a build: `python bench/bench_lint.py SHOW [--runs 5] [--verify]`.

SHOW is a copy of a bench show (bench/make_show.py); its build cache is written (the show is
read as a build reads it), so never point it at the shared /tmp/bk. Prints, as medians of
--runs, wall and CPU time (CPU suffers less when the cores are shared):

- per item: `ItemLinter.check` over every published item, as the build runs it on an episode
  whose record it could not keep, in µs per item; and the same without the verdicts read from
  an item's text (each item parsed, the rules run), and the long way (no shortcut at all), each
  checked to find the same;
- whole feed: `check_assembled`, the rules over the whole feed that an incremental build runs
  every time (from each item's kept findings and digest, against the feed last built, read
  afresh for each run as each build reads it), and `dropped_episodes` after it;
- and `ItemLinter` itself (made once per build and per worker).

With --verify, also checks that the findings equal `check_show`'s over the whole document.
With --rules, also prints where `ItemLinter.check` without verdicts spends its CPU time, per
item: the parse and subject, each item rule (in the order they run, each paying for what it
first asks of the document, as in a build), the digest (each a difference of medians of passes
over every item).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from podcast import feed, lastfeed, lint, pipeline
from podcast.layout import FEEDS_DIR
from podcast.lint import itemwise, plainitem
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

    # The same, each item parsed and the rules run over it (as before plainitem's verdicts), and
    # the long way: what the quick ways are held to.
    for label, others in (
        ("  without verdicts", ItemLinter(show, head, tail, now, verdicts=False)),
        ("  the long way", ItemLinter(show, head, tail, now, shortcuts=False)),
    ):
        other_wall, other_cpu, other_found = timed(
            lambda linter=others: [linter.check(ready, item) for ready, item in pairs], args.runs
        )
        if other_found != found:
            raise SystemExit(f"{label.strip()}: other findings or digests than ItemLinter.check")
        print(
            f"{label:<28} {other_wall / count * 1e6:9.1f} µs wall {other_cpu / count * 1e6:9.1f} µs cpu"
            f"   (check: {other_cpu / cpu:.1f}x less cpu)"
        )
    plain = sum(plainitem.verdict(item, serial=linter.serial) is not None for _, item in pairs)
    print(f"  items whose verdict is read from their text: {plain} of {count}")

    if args.rules:
        time_parts(ItemLinter(show, head, tail, now, verdicts=False), pairs, args.runs)

    rendered = feed.assemble(show, catalog.published, catalog.items)
    last = lastfeed.read(root, root / FEEDS_DIR)
    problems = [f.problems for f in found]
    digests = [f.digest for f in found]
    # Each run reads a last feed of its own, as each build does: what rules read of it is made
    # once per document, and a run after the first would find it made.
    lasts = [lastfeed.read(root, root / FEEDS_DIR) for _ in range(args.runs)]

    def whole():
        fresh = lasts.pop() if lasts else last
        findings = check_assembled(
            show,
            ordered,
            rendered.head,
            rendered.tail,
            problems,
            digests,
            now=now,
            previous=fresh.feed if fresh is not None else None,
            published_bytes=rendered.size,
            channel_linter=linter,
        )
        return findings, pipeline.dropped_episodes(catalog, fresh)

    wall, cpu, (findings, _) = timed(whole, args.runs)
    print(f"{'check_assembled + dropped':<28} {wall * 1e3:9.1f} ms wall {cpu * 1e3:9.1f} ms cpu")
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
    """CPU µs per item of each part of `ItemLinter.check`, as the build runs it, item after item.
    A CPU clock read costs about a µs here, as much as many a rule: so each figure is a
    difference of passes over every item, clock read once a pass. The rules run in order, the
    first n of them in the nth pass: each is charged what it adds, with what it first asks of
    the document (the items' children by tag, the elements by name, ...)."""
    count = len(pairs)
    codes = [r.code for r in linter.item_rules]

    def one_pass(rule_count: int, with_digest: bool = False) -> float:
        chosen = set(codes[:rule_count])
        cpu = time.process_time()
        for ready, item in pairs:
            subject, rules = linter.subject_of(ready, item)
            itemwise.run(subject, [r for r in rules if r.code in chosen])
            if with_digest:
                itemwise.digest(subject.feed.items[0])
        return (time.process_time() - cpu) / count * 1e6

    passes: dict[str, list[float]] = {}
    for _ in range(runs):
        for rule_count in range(len(codes) + 1):
            passes.setdefault(str(rule_count), []).append(one_pass(rule_count))
        passes.setdefault("digest", []).append(one_pass(0, with_digest=True))
    median = {key: statistics.median(values) for key, values in passes.items()}
    print(f"  {'parse, subject':<26} {median['0']:7.2f} µs cpu")
    for number, code in enumerate(codes, start=1):  # the artwork rules: only on an episode's own image
        added = median[str(number)] - median[str(number - 1)]
        print(f"  {code:<26} {added:7.2f} µs cpu")
    print(f"  {'digest':<26} {median['digest'] - median['0']:7.2f} µs cpu")
    print(f"  {'all':<26} {median[str(len(codes))] + median['digest'] - median['0']:7.2f} µs cpu")


if __name__ == "__main__":
    main()
