"""Benchmark: a cold build (empty probe cache) against a cached rebuild of a large show.

Makes a show with N episodes, each a copy of one MP3 (VBR, no Xing header, so
every cold read walks all its frames), then times `pipeline.build` several times
each way and prints the medians.

    python bench/bench_probe.py [--episodes 300] [--seconds 600] [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import lameenc

from podcast import pipeline, scaffold
from podcast.cache import CACHE_FILE


def encode(seconds: float) -> bytes:
    """A headerless VBR MP3 of quiet noise bursts: lameenc, 44.1 kHz mono."""
    rate = 44100
    encoder = lameenc.Encoder()
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_vbr(4)
    encoder.set_vbr_quality(5)
    second = bytes(range(256)) * (rate * 2 // 256) + bytes(rate * 2 % 256)
    return bytes(encoder.encode(second * int(seconds)) + encoder.flush())


def make_show(root: Path, episodes: int, mp3: bytes) -> None:
    scaffold.init_show(
        root, title="Bench", author="Bench", owner_email="b@example.com", base_url="https://example.com/b/"
    )
    for number in range(episodes):
        folder = root / "episodes" / f"ep{number:04d}"
        folder.mkdir(parents=True)
        (folder / "ep.mp3").write_bytes(mp3)
        (folder / "episode.md").write_text(
            f'+++\ntitle = "Episode {number}"\ndate = 2025-01-01\nguid = "bench-guid-{number:06d}"\n'
            f'audio = "ep.mp3"\n+++\nA short paragraph of notes.\n'
        )


def timed(root: Path, *, cold: bool) -> float:
    if cold:
        (root / CACHE_FILE).unlink(missing_ok=True)
    start = time.perf_counter()
    pipeline.build(root)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=600, help="length of each episode's audio")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    mp3 = encode(args.seconds)
    workdir = Path(tempfile.mkdtemp(prefix="bench-probe-"))
    try:
        root = workdir / "show"
        make_show(root, args.episodes, mp3)
        cold = [timed(root, cold=True) for _ in range(args.runs)]
        cached = [timed(root, cold=False) for _ in range(args.runs)]
    finally:
        shutil.rmtree(workdir)
    size = len(mp3) / 1e6
    print(f"show: {args.episodes} episodes, each a {args.seconds:g} s headerless VBR MP3 of {size:.2f} MB")
    print(f"cold build (no cache):  median {statistics.median(cold):.3f} s over {args.runs} runs")
    print(f"cached rebuild:         median {statistics.median(cached):.3f} s over {args.runs} runs")
    print(f"speed-up: {statistics.median(cold) / statistics.median(cached):.1f}x")


if __name__ == "__main__":
    main()
