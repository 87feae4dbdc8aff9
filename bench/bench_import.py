"""Time and memory of `podcast import` on a generated feed of N items.

    python bench/bench_import.py --items 50000

Writes a feed file of N items (each with about 1 KB of HTML notes, an enclosure and a
duration), imports it into a temporary show directory in a child process (so its peak
memory is its own), imports it again (nothing changed), and prints the figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.xml"
        write_feed(feed, args.items)
        size = feed.stat().st_size
        print(f"feed: {args.items:,} items, {size / 1e6:.1f} MB")
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


if __name__ == "__main__":
    main()
