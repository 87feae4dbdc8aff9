"""What reading an episode folder and making it ready cost in podcast's own modules:
`python bench/bench_prepare.py [SHOW] [--runs 5]` prints µs per episode.

Figures, not assertions. SHOW defaults to the example show; a bench show (bench/make_show.py,
e.g. a copy of /tmp/bk/show-1000) is only read. Each row is the median of --runs passes over
every episode folder, as wall time and as user+sys CPU time (the CPU figure suffers less when
other work shares the cores), in one process:

- read_episode_folder: `config.read_episode_folder` (episode.md read, checked, its files found);
- transcripts.find: the transcripts of each folder (pipeline's `_add_transcripts`);
- chapters.load: each folder's chapters.json, or that it has none (pipeline's `episode_chapters`);
- audio.read: the probe of each episode's audio (what the build's workers do on a cold build);
- Episode replace x6: `dataclasses.replace` of a read episode, as each stage of making it ready
  does (six times an episode); model.replaced x6: the same with `model.replaced` (where the
  code has it);
- chain: what a worker process of a cold build does for each folder, from the folder to the
  ready record (`read_episode_folder`, then `pipeline._ready_record`: audio read, transcripts,
  notes rendered, chapters, item rendered and linted, the record slimmed, its JSON chapters and
  page key), with an empty build cache kept outside the show; then what of it went to reading
  the audio (BuildCache.read), rendering notes (BuildCache.notes) and the item and its lint
  (pipeline._Finisher), each timed inside the chain, reading the folder (read_episode_folder,
  with its listing), and the rest: the chain's own work (the part no other row isolates). Each
  step runs among the others, as in a build, which costs more than running it alone (the rows
  above). "one at a time": each folder read and made ready before the next; "in batches": as a
  worker does now (pipeline._read_and_ready), FOLDER_BATCH folders a step at a time.

With --pieces, only the pieces of that chain that read a folder and keep a record, each over
every episode (min and median of --runs; run it against older code with PYTHONPATH to compare):
front matter split (config.split_front_matter) and read (config.read_front_matter), the
episode copied with one change (model.replaced), the notes rendered (notes.render), the notes'
entry made and keyed (cache.encode_notes, cache.notes_key), the record pickled
(cache.pickle_record), and whether it may be kept (pipeline._keepable).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import inspect
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from podcast import audio, chapters, config, model, pipeline, transcripts
from podcast.cache import BuildCache, Prepared
from podcast.files import FolderListing
from podcast.layout import CHAPTERS_FILE, EPISODES_DIR

REPO = Path(__file__).resolve().parent.parent


def cpu_seconds() -> float:
    return time.process_time()  # user + sys, to the microsecond (os.times counts in 10 ms ticks)


def measure(label: str, count: int, call: Callable[[], object], runs: int) -> None:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), cpu_seconds()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    wall_us = statistics.median(walls) / count * 1e6
    cpu_us = statistics.median(cpus) / count * 1e6
    print(f"{label:<20} {wall_us:8.1f} µs/episode wall {cpu_us:8.1f} µs/episode cpu  ({count} episodes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", nargs="?", type=Path, default=REPO)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chain", action="store_true", help="only the chain's rows")
    parser.add_argument("--pieces", action="store_true", help="only the pieces' rows")
    args = parser.parse_args()
    show, _ = config.load_show(args.show)
    folders = config.episode_folders(show.root)
    if args.pieces:
        measure_pieces(show, folders, args.runs)
        return
    problems: list = []
    episodes = [e for f in folders if (e := config.read_episode_folder(show, f, problems)) is not None]
    with_audio = [e for e in episodes if e.audio is not None]

    def read_folders() -> None:
        found: list = []
        for folder in folders:
            config.read_episode_folder(show, folder, found)

    def find_transcripts() -> None:
        for episode in episodes:
            transcripts.find(
                show.root / episode.folder, episode.folder, episode.slug, show.language, root=show.root
            )

    def load_chapters() -> None:
        found: list = []
        for folder in folders:
            rel = f"{EPISODES_DIR}/{folder.name}/{CHAPTERS_FILE}"
            chapters.load(show.root / rel, rel, found, root=show.root)

    def probe() -> None:
        for episode in with_audio:
            try:
                audio.read(episode.audio)
            except Exception:  # noqa: BLE001, S112 - a broken file costs what it costs
                continue

    def replace() -> None:
        for episode in episodes:
            for _ in range(6):
                dataclasses.replace(episode, transcripts=())

    def replace_quickly() -> None:
        for episode in episodes:
            for _ in range(6):
                model.replaced(episode, transcripts=())

    print(f"show: {show.root}")
    if args.chain:
        measure_chain(show, folders, args.runs)
        return
    measure("read_episode_folder", len(folders), read_folders, args.runs)
    measure("transcripts.find", len(episodes), find_transcripts, args.runs)
    measure("chapters.load", len(folders), load_chapters, args.runs)
    measure("audio.read", len(with_audio), probe, args.runs)
    measure("Episode replace x6", len(episodes), replace, args.runs)
    if hasattr(model, "replaced"):
        measure("model.replaced x6", len(episodes), replace_quickly, args.runs)
    if hasattr(pipeline, "_ready_record"):
        measure_chain(show, folders, args.runs)


class _TimedCache(BuildCache):
    """The build cache, with the CPU time spent reading audio and rendering notes through it."""

    def read(self, path: Path) -> model.AudioFile:
        started = cpu_seconds()
        try:
            return super().read(path)
        finally:
            self.spent["audio (BuildCache.read)"] += cpu_seconds() - started

    def notes(self, inputs, render, key=None):
        started = cpu_seconds()
        try:
            return super().notes(inputs, render, key)
        finally:
            self.spent["notes (BuildCache.notes)"] += cpu_seconds() - started


class _TimedFinisher(pipeline._Finisher):
    """The item renderer and linter of a build, with the CPU time spent in them."""

    spent = 0.0

    def items(self, *args):  # (before: __call__, with the record)
        started = cpu_seconds()
        try:
            return super().items(*args)
        finally:
            self.spent += cpu_seconds() - started

    def __call__(self, *args):
        started = cpu_seconds()
        try:
            return super().__call__(*args)
        finally:
            self.spent += cpu_seconds() - started


def measure_chain(show: model.Show, folders: list[Path], runs: int) -> None:
    """The chain from folder to ready record as a cold build's worker runs it (see the docstring)."""
    now = pipeline.datetime.now(pipeline.UTC)
    real_root = os.path.realpath(show.root)
    # The code as it is, or as it was before a folder's listing served the whole chain.
    listed = "listing" in inspect.signature(pipeline._ready_record).parameters
    gc.freeze()  # as in a worker process, which leaves what it inherited out of collections

    def one_at_a_time(cache: BuildCache, finish: pipeline._Finisher) -> float:
        """Each folder read and made ready before the next; returns the CPU time reading."""
        reading = 0.0
        for folder in folders:
            problems: list = []
            more: tuple = ()
            read_from = cpu_seconds()
            if listed:
                more = (FolderListing(show.root, folder, real_root=real_root),)
            episode = config.read_episode_folder(show, folder, problems, *more)
            reading += cpu_seconds() - read_from
            record = Prepared(episode, tuple(problems))
            if episode is not None and pipeline._is_due(episode, now):
                pipeline._ready_record(show, record, cache, finish, *more)
        return reading

    def in_batches(cache: BuildCache, finish: pipeline._Finisher) -> None:
        """As a worker does now: FOLDER_BATCH folders at a time, a step at a time over them."""
        for start in range(0, len(folders), pipeline.FOLDER_BATCH):
            batch = folders[start : start + pipeline.FOLDER_BATCH]
            pipeline._read_and_ready(show, now, cache, finish, batch, real_root)

    ways = [("chain, one at a time", one_at_a_time)]
    if hasattr(pipeline, "_read_and_ready"):
        ways.append(("chain, in batches", in_batches))
    with tempfile.TemporaryDirectory() as empty:
        for label, way in ways:
            totals: list[float] = []
            parts: dict[str, list[float]] = {}
            for _ in range(runs):
                cache = BuildCache(Path(empty)).for_worker()
                cache.__class__ = _TimedCache
                cache.real_root = real_root  # its keys as a build of this show makes them
                cache.spent = {"audio (BuildCache.read)": 0.0, "notes (BuildCache.notes)": 0.0}
                finish = _TimedFinisher(show, now)
                started = cpu_seconds()
                reading = way(cache, finish)
                totals.append(cpu_seconds() - started)
                timed = [
                    *([("reading the folder", reading)] if reading is not None else []),
                    *cache.spent.items(),
                    ("item, lint (_Finisher)", finish.spent),
                ]
                for part, spent in timed:
                    parts.setdefault(part, []).append(spent)
            _print_chain(label, len(folders), totals, parts)


def _print_chain(label: str, count: int, totals: list[float], parts: dict[str, list[float]]) -> None:
    total = statistics.median(totals) / count * 1e6
    print(f"{label:<20} {total:8.1f} µs/episode cpu  ({count} folders), of which:")
    others = 0.0
    for part, spent in parts.items():
        share = statistics.median(spent) / count * 1e6
        others += share
        print(f"  {part:<30} {share:8.1f} µs/episode cpu")
    rest = "the rest (the chain itself)" if "reading the folder" in parts else "the rest (reading, the chain)"
    print(f"  {rest:<30} {total - others:8.1f} µs/episode cpu")


def measure_pieces(show: model.Show, folders: list[Path], runs: int) -> None:
    """CPU per episode of each piece of reading a folder and keeping its record (see --pieces)."""
    from podcast import cache as build_cache
    from podcast import notes
    from podcast.textfiles import decode_utf8

    now = pipeline.datetime.now(pipeline.UTC)
    sources = [decode_utf8((folder / "episode.md").read_bytes()) for folder in folders]
    rel = "episodes/x/episode.md"
    records = []
    with tempfile.TemporaryDirectory() as empty:
        cache = BuildCache(Path(empty)).for_worker()
        cache.real_root = os.path.realpath(show.root)
        finish = pipeline._Finisher(show, now)
        for start in range(0, len(folders), pipeline.FOLDER_BATCH):
            batch = folders[start : start + pipeline.FOLDER_BATCH]
            records += pipeline._read_and_ready(show, now, cache, finish, batch, cache.real_root)
    readies = [record.ready for record in records if record.ready is not None]
    # As read (a ready record's episode is without its article: `_spent`).
    read = [e for folder in folders if (e := config.read_episode_folder(show, folder, [])) is not None]
    inputs = [pipeline.notes_inputs(show, episode) for episode in read]

    def render(given: dict) -> object:
        return notes.render(given["article"], **{k: v for k, v in given.items() if k != "article"})

    rendered = [render(given) for given in inputs]
    renderer = build_cache._renderer_fingerprint()
    gc.freeze()
    pieces: list[tuple[str, list, Callable[[Any], object]]] = [
        ("front matter split", sources, lambda source: config.split_front_matter(source, rel, [])),
        ("front matter read", sources, lambda source: config.read_front_matter(source, rel, [])),
        ("model.replaced", read, lambda episode: model.replaced(episode, link="https://example.com/")),
        ("notes.render", inputs, render),
        ("notes entry", rendered, build_cache.encode_notes),
        ("notes key", inputs, lambda i: build_cache.notes_key(renderer, i)),
        ("pickle_record", records, build_cache.pickle_record),
        ("_keepable", records, lambda record: pipeline._keepable(show, record)),
    ]
    print(f"{len(readies)} ready of {len(folders)} folders")
    for label, items, call in pieces:
        cpus = []
        for _ in range(runs):
            started = cpu_seconds()
            for item in items:
                call(item)
            cpus.append(cpu_seconds() - started)
        low, middle = min(cpus) / len(items) * 1e6, statistics.median(cpus) / len(items) * 1e6
        print(f"  {label:<20} {low:8.2f} µs/episode cpu (min) {middle:8.2f} (median)  ({len(items)})")


if __name__ == "__main__":
    main()
