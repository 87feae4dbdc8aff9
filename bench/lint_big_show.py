"""How long `podcast lint` takes on a big show: N episodes, each a real 3-second MP3.

    python bench/lint_big_show.py [N]        # default 1000 episodes

Prints the seconds for reading the show (probe + notes), for linting the feed it
would build (DIR mode, without the reading), and for linting the feed file. Needs
the test extra (lameenc).
"""

from __future__ import annotations

import array
import math
import sys
import tempfile
import time
from pathlib import Path

import lameenc
from PIL import Image

from podcast import feed, lint, pipeline, scaffold


def tone(seconds: float = 3.0, rate: int = 22050) -> bytes:
    samples = array.array(
        "h", (int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate)))
    )
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    return bytes(encoder.encode(samples.tobytes()) + encoder.flush())


def make_show(root: Path, count: int) -> None:
    scaffold.init_show(
        root,
        title="Bench Show",
        author="Ann Host",
        owner_email="ann@example.com",
        base_url="https://cdn.example.com/bench/",
        category="Health & Fitness > Medicine",
    )
    Image.new("RGB", (1400, 1400), "teal").save(root / "cover.jpg")
    toml = root / "podcast.toml"
    toml.write_text(toml.read_text().replace('# artwork = "artwork.jpg"', 'artwork = "cover.jpg"'))
    audio = tone()
    article = "\n\n".join(f"Paragraph {i} of the show notes, a sentence or two long." for i in range(20))
    for number in range(1, count + 1):
        folder = root / "episodes" / f"ep-{number:04d}"
        folder.mkdir(parents=True)
        (folder / "audio.mp3").write_bytes(audio)
        day = 1 + number % 28
        (folder / "episode.md").write_text(
            f'+++\ntitle = "Episode {number}"\ndate = 2020-{1 + number % 12:02d}-{day:02d}\n'
            f'guid = "bench-{number:06d}"\naudio = "audio.mp3"\n+++\n{article}\n'
        )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "show"
        make_show(root, count)
        pipeline.build(root, force=True)
        started = time.perf_counter()
        catalog = pipeline.read_catalog(root)
        document = feed.render(catalog.show, catalog.published)
        read = time.perf_counter() - started
        started = time.perf_counter()
        problems = pipeline.lint_rendered(catalog, document)
        rules = time.perf_counter() - started
        started = time.perf_counter()
        file_problems = lint.check_feed_file(root / "feeds" / "feed.xml")
        on_file = time.perf_counter() - started
    print(f"{count} episodes, feed {len(document):,} bytes")
    print(f"  read + render the show:        {read:6.2f} s")
    print(f"  lint rules on the built feed:  {rules:6.2f} s  ({len(problems)} findings)")
    print(f"  lint the feed file (offline):  {on_file:6.2f} s  ({len(file_problems)} findings)")


if __name__ == "__main__":
    main()
