"""What the web pages cost: `python bench/bench_pages.py [--episodes 1000]` prints figures.

Makes a back catalog with bench/make_show.py (real MP3s and articles), reads it once,
then times rendering every page (pages.render), writing them into an empty folder and
again when nothing changed (site.write), and whole builds with pages on and off. Then
it serves the built show with the preview server and times requests over loopback.
Figures, not assertions.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_show import make_show  # noqa: E402

from podcast import pipeline  # noqa: E402
from podcast.serve.preview import PreviewServer  # noqa: E402
from podcast.web import pages, site  # noqa: E402


def timed(call, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return min(times), result


def requests_per_second(url: str, path: str, count: int, headers: dict[str, str]) -> float:
    host, port = url.split("//")[1].rstrip("/").split(":")
    started = time.perf_counter()
    for _ in range(count):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", path, headers=headers)
        connection.getresponse().read()
        connection.close()
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "show"
        make_show(root, args.episodes, quiet=True)
        catalog = pipeline.read_catalog(root)
        show, episodes = catalog.show, catalog.published
        seconds, rendered = timed(lambda: pages.render(show, episodes))
        size = sum(len(page) for page in rendered.values())
        print(f"{len(episodes)} episodes → {len(rendered)} pages, {size / 1e6:.1f} MB")
        per_page = seconds / len(rendered) * 1000
        print(f"render every page           {seconds * 1000:9.0f} ms ({per_page:.2f} ms/page)")
        out = Path(scratch) / "out"
        started = time.perf_counter()
        site.write(out, rendered)
        print(f"write them (empty folder)   {(time.perf_counter() - started) * 1000:9.0f} ms")
        seconds, _ = timed(lambda: site.write(out, rendered))
        print(f"write them (unchanged)      {seconds * 1000:9.0f} ms")
        pipeline.build(root)  # fills the build cache
        with_pages, _ = timed(lambda: pipeline.build(root))
        toml = root / "podcast.toml"
        toml.write_text(toml.read_text() + "\n[pages]\nenabled = false\n")
        pipeline.build(root)
        without, _ = timed(lambda: pipeline.build(root))
        print(f"warm build, pages on        {with_pages * 1000:9.0f} ms")
        print(f"warm build, pages off       {without * 1000:9.0f} ms")
        toml.write_text(toml.read_text().replace("enabled = false", "enabled = true"))

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        server = PreviewServer(root, port=0, say=lambda text: None)
        server.build()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            media = sorted(server.site.media)[0]
            for label, path, headers in (
                ("episode page", "/" + episodes[0].slug.join(("episodes/", "/")), {}),
                (
                    "episode page, gzip",
                    "/" + episodes[0].slug.join(("episodes/", "/")),
                    {"Accept-Encoding": "gzip"},
                ),
                ("feed.xml, gzip", "/feed.xml", {"Accept-Encoding": "gzip"}),
                ("audio, 64 KB range", "/" + media, {"Range": "bytes=0-65535"}),
                ("audio, 304", "/" + media, {"If-None-Match": "*"}),
            ):
                rates = [requests_per_second(server.url, path, 200, headers) for _ in range(3)]
                print(f"serve {label:<22}{statistics.median(rates):9.0f} requests/s")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
