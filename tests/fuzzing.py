"""Shared settings and measurements for the fuzz tests (tests/test_fuzz_*.py).

The normal suite runs a short, derandomized pass (the same inputs every run, so CI is
repeatable). A longer, random run on demand:

    PODCAST_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz_*.py

Every example is measured: the memory Python allocated for it (tracemalloc's peak) must
stay under PEAK_MIB, and a hang trips hypothesis's deadline. With PODCAST_FUZZ_EXAMPLES
set, the session ends with a table per target: inputs run, the slowest example and the
largest allocation peak.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import HealthCheck, settings

LONG_RUN = "PODCAST_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("PODCAST_FUZZ_EXAMPLES", "30"))
PEAK_MIB = 64  # no input of a few hundred kilobytes may make us allocate more than this
HANG_SECONDS = 10  # an example still running after this is a hang, not a slow machine

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=HANG_SECONDS),
    derandomize=not LONG_RUN,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@dataclass
class Stats:
    examples: int = 0
    worst_seconds: float = 0.0
    worst_mib: float = 0.0
    errors: int = 0  # inputs answered with a clear error (PodcastError): expected, and counted


STATS: dict[str, Stats] = {}


@contextmanager
def measured(target: str):
    """Run one example of `target`, recording its time and allocation peak; fail above PEAK_MIB."""
    stats = STATS.setdefault(target, Stats())
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield stats
    finally:
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        stats.examples += 1
        stats.worst_seconds = max(stats.worst_seconds, seconds)
        stats.worst_mib = max(stats.worst_mib, peak / (1 << 20))
    assert peak < PEAK_MIB << 20, f"{target}: one input made us allocate {peak / (1 << 20):.0f} MiB"


def report() -> list[str]:
    rows = [f"{'target':<14} {'inputs':>7} {'clear errors':>12} {'slowest':>9} {'peak alloc':>11}"]
    for target, s in sorted(STATS.items()):
        rows.append(
            f"{target:<14} {s.examples:>7} {s.errors:>12} {s.worst_seconds:>8.3f}s {s.worst_mib:>9.1f} MiB"
        )
    return rows
