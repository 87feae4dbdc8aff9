"""Benchmark: what reading one audio file costs (`audio.read`), per file, over a show's audio.

Reads every audio file of a show directory (or of a generated one) several times over
and prints the median milliseconds per file, wall and user+sys CPU (the CPU figure
suffers less when other work shares the cores), split by the kind of MP3 stream; then
what a build's probe costs, per file in CPU microseconds: reading what a build reads
(`audio.read(path, with_tags=False)`) and making its cache entry (`cache.to_json`), and
the entry's size. Run from a checkout whose audio.read has no `with_tags` (before it),
the build's probe is `audio.read(path)`, as the build read then:

    python bench/bench_probe.py --show /tmp/bk/show-1000 [--runs 5]
    python bench/bench_probe.py [--episodes 100] [--seconds 600]   # a show of headerless VBR MP3s

Only reads: the files are never written. With --cache (a copy of a show only: it removes the
show's build cache .podcast/) it also prints what a cold build's folder worker spends on each
file through the build cache, `BuildCache.read` as a worker calls it (stat, key, lookup, read,
entry made and set aside to store), in CPU microseconds a file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import lameenc

from podcast import audio, cache
from podcast.audio import frames


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


def kind_of(path: Path) -> str:
    """'xing' (a Xing/Info/VBRI header states the length), 'counted' (frames walked), or the suffix."""
    if path.suffix.lower() != ".mp3":
        return path.suffix.lower().lstrip(".")
    data = path.read_bytes()
    stream = frames.scan_mpeg(data, count=False)
    return "xing" if stream is not None and stream.header_frames else "counted"


def one_pass(paths: list[Path]) -> tuple[float, float]:
    """(wall seconds, user+sys CPU seconds) of reading every file once."""
    start, cpu = time.perf_counter(), os.times()
    for path in paths:
        audio.read(path)
    after = os.times()
    return time.perf_counter() - start, (after.user - cpu.user) + (after.system - cpu.system)


def measure(paths: list[Path], runs: int) -> str:
    one_pass(paths[:20])  # warm the page cache and the imports
    walls, cpus = zip(*(one_pass(paths) for _ in range(runs)), strict=True)
    wall, cpu = statistics.median(walls) / len(paths) * 1e3, statistics.median(cpus) / len(paths) * 1e3
    spread = f"{min(walls) / len(paths) * 1e3:.3f}–{max(walls) / len(paths) * 1e3:.3f}"
    return f"{len(paths):>6} files  wall {wall:7.3f} ms/file ({spread})  user+sys {cpu:7.3f} ms/file"


def build_probe(paths: list[Path], runs: int) -> str:
    """CPU µs a file of what a cold build's worker does for each audio file: read it as a build
    does, and make the probe entry it sends to be stored; and the entry's mean size."""
    try:
        audio.read(paths[0], with_tags=False)
        read = lambda path: audio.read(path, with_tags=False)  # noqa: E731
    except TypeError:  # before `with_tags`: the build read everything
        read = audio.read
    entries = [cache.to_json(read(path)) for path in paths]  # also warms the page cache
    reads, entry_cpus = [], []
    for _ in range(runs):
        start = time.process_time()
        found = [read(path) for path in paths]
        middle = time.process_time()
        for each in found:
            cache.to_json(each)
        reads.append(middle - start)
        entry_cpus.append(time.process_time() - middle)
    read_us = statistics.median(reads) / len(paths) * 1e6
    entry_us = statistics.median(entry_cpus) / len(paths) * 1e6
    size = sum(len(e) for e in entries) / len(entries)
    return (
        f"{len(paths):>6} files  read {read_us:6.1f} + entry {entry_us:5.1f}"
        f" = {read_us + entry_us:6.1f} µs/file"
        f" cpu (median of {runs}); entry {size:,.0f} bytes/file"
    )


def worker_probe(show: Path, paths: list[Path], runs: int) -> str:
    """CPU µs a file of `BuildCache.read` in a worker's copy of a fresh build cache (as a cold
    build's folder workers read every file), median of `runs` passes over `paths`."""
    shutil.rmtree(show / ".podcast", ignore_errors=True)
    with cache.BuildCache(show) as build_cache:
        build_cache.commit()  # the workers' snapshot is taken with no transaction of this process's open
        cpus = []
        for _ in range(runs):
            worker = build_cache.for_worker()
            start = time.process_time()
            for path in paths:
                worker.read(path)
            cpus.append(time.process_time() - start)
            worker.pending = []
    shutil.rmtree(show / ".podcast", ignore_errors=True)
    per_file = statistics.median(cpus) / len(paths) * 1e6
    return f"{len(paths):>6} files  {per_file:6.1f} µs/file cpu (median of {runs})"


def audio_files(show: Path) -> list[Path]:
    suffixes = {suffix for f in audio.FORMATS.values() for suffix in f.suffixes}
    return sorted(p for p in (show / "episodes").glob("*/*") if p.suffix.lower() in suffixes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=Path, help="a show directory whose audio to read (never written)")
    parser.add_argument("--episodes", type=int, default=100, help="without --show: files to generate")
    parser.add_argument("--seconds", type=float, default=600, help="without --show: length of each")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--cache",
        action="store_true",
        help="with --show: BuildCache.read as a worker (removes .podcast/)",
    )
    args = parser.parse_args()
    workdir = None
    try:
        if args.show is not None:
            paths = audio_files(args.show)
            label = str(args.show)
        else:
            workdir = Path(tempfile.mkdtemp(prefix="bench-probe-"))
            mp3 = encode(args.seconds)
            paths = []
            for number in range(args.episodes):
                path = workdir / f"ep{number:04d}.mp3"
                path.write_bytes(mp3)
                paths.append(path)
            label = (
                f"{args.episodes} headerless VBR MP3s of {args.seconds:g} s ({len(mp3) / 1e6:.2f} MB each)"
            )
        print(f"audio.read over {label}, median of {args.runs} passes")
        by_kind: dict[str, list[Path]] = {}
        for path in paths:
            by_kind.setdefault(kind_of(path), []).append(path)
        print(f"  {'all':<8}{measure(paths, args.runs)}")
        if len(by_kind) > 1:
            for kind, group in sorted(by_kind.items()):
                print(f"  {kind:<8}{measure(group, args.runs)}")
        print("a build's probe (read as a build reads, and its cache entry made)")
        print(f"  {'all':<8}{build_probe(paths, args.runs)}")
        if len(by_kind) > 1:
            for kind, group in sorted(by_kind.items()):
                print(f"  {kind:<8}{build_probe(group, args.runs)}")
        if args.cache and args.show is not None:
            print("a cold build's worker: BuildCache.read of every file (stat, key, lookup, read, entry)")
            print(f"  {'all':<8}{worker_probe(args.show, paths, args.runs)}")
            if len(by_kind) > 1:
                for kind, group in sorted(by_kind.items()):
                    print(f"  {kind:<8}{worker_probe(args.show, group, args.runs)}")
    finally:
        if workdir is not None:
            shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
