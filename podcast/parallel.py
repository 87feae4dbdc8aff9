"""Work spread over every core: forked worker processes take batches, results come back in order.

Workers are forked, so they start with everything the calling process holds (the show, the
loaded modules) and nothing has to be sent to them but the batches. Where the machine cannot
fork (Windows), or a worker fails, the caller is told which batches were not done and does
them itself: a bug in the work then surfaces in the calling process, reported the normal way,
never as a worker's traceback.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)

# Below this many items one process is quicker than starting others. The environment variable
# PODCAST_PARALLEL_MIN overrides it (tests set it low to take the parallel path with a few items).
PARALLEL_MIN = 40
MIN_ENVIRONMENT = "PODCAST_PARALLEL_MIN"

Item = TypeVar("Item")
Result = TypeVar("Result")


def threshold() -> int:
    """How many items make work worth spreading over the cores."""
    try:
        return max(1, int(os.environ[MIN_ENVIRONMENT]))
    except (KeyError, ValueError):
        return PARALLEL_MIN


def workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def batches(items: Sequence[Item], size: int) -> list[Sequence[Item]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def in_order(
    work: Callable[[Sequence[Item]], Result],
    parts: Sequence[Sequence[Item]],
    *,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple = (),
    progress: Callable[[Iterable[Future]], Iterable[Future]] | None = None,
) -> Iterator[tuple[Sequence[Item], Result | None]]:
    """`work(batch)` for each batch in forked workers, yielded as (batch, result) in the order
    of `parts` while the others are still being worked on. The result is None for a batch no
    worker could do (it raised, the pool broke, the system cannot fork): the caller does it.

    `initializer(*initargs)` runs once in each worker; with fork, nothing of it is pickled.
    """
    if not parts:
        return
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork here: every batch is the caller's
        for part in parts:
            yield part, None
        return
    pool = ProcessPoolExecutor(
        max_workers=min(workers(), len(parts)), mp_context=context, initializer=initializer, initargs=initargs
    )
    try:
        try:
            futures = [pool.submit(work, part) for part in parts]
        except (OSError, BrokenProcessPool) as exc:  # no process could be started
            log.warning("no worker process could be started (%s); working in this one", exc)
            for part in parts:
                yield part, None
            return
        for part, future in zip(parts, (progress or iter)(futures), strict=True):
            try:
                yield part, future.result()
            except BrokenProcessPool as exc:
                log.warning("a worker process died (%s); the rest is done in this one", exc)
                yield part, None
            except Exception as exc:  # noqa: BLE001 - the caller does the batch, and reports the error
                log.debug("a batch failed in a worker (%r); done again in this process", exc)
                yield part, None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
