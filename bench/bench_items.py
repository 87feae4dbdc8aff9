"""What the feed's items and their assembly cost: `python bench/bench_items.py [--episodes N | --show DIR]`.

Reads a back catalog (made with bench/make_show.py: real MP3s and articles, in a temporary
folder; or the show at DIR, whose build cache .podcast/ is written: give it a copy), then, in
this process:

- renders every item both ways: as text (feed.ItemRenderer, what the build does) and with
  feedgen (feed.FeedgenItemRenderer, the reference), checks they are the same bytes, and
  prints the median µs an item of each, and the ratio;
- times what puts the feed together around the items: the channel (channel_parts), the
  whole feed from items already rendered (assemble, as an incremental build does), the
  document's bytes, and its RFC 5005 pages with `feed_items = 300`: from the parts, as the
  build does (paging.from_parts), and from the document, as publish does (paging.split).

Figures are medians of --runs, in wall and user+sys CPU time (the machine's cores may be
shared: CPU time suffers less from that). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_show import make_show  # noqa: E402

from podcast import feed, pipeline  # noqa: E402
from podcast.feed import paging  # noqa: E402


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(call: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of `runs` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), cpu_seconds()
        result = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def line(label: str, wall: float, cpu: float, extra: str = "") -> None:
    print(f"{label:<44}{wall * 1000:9.2f} ms wall {cpu * 1000:9.2f} ms CPU  {extra}", flush=True)


def measure(root: Path, runs: int) -> None:
    catalog = pipeline.read_catalog(root)
    show, episodes = catalog.show, catalog.published
    count = len(episodes)
    print(f"{count} items; median of {runs} runs")

    per_item = {}
    rendered = {}
    for label, renderer_class in (("feedgen", feed.FeedgenItemRenderer), ("text", feed.ItemRenderer)):
        renderer = renderer_class(show)
        wall, cpu, items = timed(lambda r=renderer: {e.slug: r.render(e) for e in episodes}, runs)
        per_item[label] = (wall / count * 1e6, cpu / count * 1e6)
        rendered[label] = items
        item_wall, item_cpu = per_item[label]
        print(f"  render an item, {label:<8} {item_wall:8.1f} µs wall {item_cpu:8.1f} µs CPU")
    same = rendered["text"] == rendered["feedgen"]
    wall_ratio = per_item["feedgen"][0] / per_item["text"][0]
    cpu_ratio = per_item["feedgen"][1] / per_item["text"][1]
    print(f"  text is {wall_ratio:.1f}x quicker (wall), {cpu_ratio:.1f}x (CPU); same bytes: {same}")
    if not same:
        raise SystemExit("the two ways gave different items")

    items = rendered["text"]
    ordered = feed.newest_first(episodes)
    wall, cpu, _ = timed(lambda: feed.newest_first(episodes), runs)
    line("  newest_first", wall, cpu)
    wall, cpu, _ = timed(lambda: feed.channel_parts(show, ordered), runs)
    line("  channel_parts", wall, cpu)
    wall, cpu, whole = timed(lambda: feed.assemble(show, episodes, items), runs)
    line("  assemble (every item rendered before)", wall, cpu)
    wall, cpu, document = timed(lambda: whole.document, runs)
    line("  the document's bytes", wall, cpu, f"{len(document) / 1e6:.1f} MB")
    paged = dataclasses.replace(show, feed_items=300)
    wall, cpu, pages = timed(lambda: paging.from_parts(paged, whole), runs)
    line("  paging.from_parts (feed_items = 300)", wall, cpu, f"{len(pages)} pages")
    wall, cpu, split = timed(lambda: paging.split(paged, document), runs)
    line("  paging.split of the document (publish)", wall, cpu, f"{len(split)} pages")
    relint(catalog, runs)


# Item settings changed, as a build after the change makes the items again (pipeline._remade).
CHANGES = {
    "author": {"author": "Another Host"},
    "explicit": {"explicit": True},
    "type": {"type": "serial"},
    "enclosure_prefix": {"enclosure_prefix": "https://op3.dev/e/"},
}


def relint(catalog: pipeline.Catalog, runs: int) -> None:
    """Lint of every item made again after one item setting changed: all of lint's rules over
    one item, as before (ItemLinter.check), and only those that read the tags the setting
    writes, the others' findings kept (ItemLinter.recheck); the same findings and digests."""
    from podcast.cache import BuildCache
    from podcast.model import replaced

    show = catalog.show
    readies = []
    with BuildCache(show.root) as cache:  # each with the notes' description, as `_remade` reads it
        for ready in catalog.published:
            key = catalog.records[ready.slug].notes_key
            kept = cache.stored_notes_html(key) if key and ready.notes and ready.notes.html else None
            notes = replaced(ready.notes, description_html=kept[1]) if kept else ready.notes
            readies.append(replaced(ready, notes=notes))
    print(f"  lint of {len(readies)} items made again after one setting changed, an item:")
    for name, values in CHANGES.items():
        relint_one(name, show, replaced(show, **values), readies, runs)


def relint_one(name: str, show, changed, readies: list, runs: int) -> None:
    from podcast.lint.itemwise import ItemLinter

    now = datetime.now(UTC)
    before = ItemLinter(show, *feed.channel_parts(show, []), now)
    renderer = feed.ItemRenderer(show)
    found = [before.check(ready, renderer.render(ready)) for ready in readies]
    renderer = feed.ItemRenderer(changed)
    items = [renderer.render(ready) for ready in readies]
    settings = pipeline.changed_settings(pipeline.item_key(show), pipeline.item_key(changed))
    tags = feed.item.tags_written(settings or ())
    linter = ItemLinter(changed, *feed.channel_parts(changed, []), now)
    pairs = list(zip(readies, items, found, strict=True))
    wall_all, cpu_all, every = timed(lambda: [linter.check(r, i) for r, i, _ in pairs], runs)
    wall_some, cpu_some, some = timed(lambda: [linter.recheck(r, i, f, tags) for r, i, f in pairs], runs)
    if some != every:
        raise SystemExit(f"{name}: recheck found other than check")
    count = len(pairs)
    print(
        f"    {name:<17} every rule {cpu_all / count * 1e6:6.1f} µs CPU ({wall_all / count * 1e6:6.1f} wall);"
        f" the rules reading {', '.join(sorted(tags or ())) or 'nothing'}:"
        f" {cpu_some / count * 1e6:6.1f} µs CPU ({wall_some / count * 1e6:6.1f} wall),"
        f" {cpu_all / cpu_some:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--episodes", type=int, default=1000, help="make a show of N episodes (default 1000)")
    source.add_argument("--show", type=Path, help="a show directory (a copy: its build cache is written)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.show:
        measure(args.show, args.runs)
        return
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "show"
        make_show(root, args.episodes, quiet=True)
        measure(root, args.runs)


if __name__ == "__main__":
    main()
