"""Work spread over every core: forked worker processes take batches, results come back in order.

Workers are forked, so they start with everything the calling process holds (the show, the
loaded modules) and nothing has to be sent to them but the batches. Where the machine cannot
fork (Windows), or a worker fails, the caller is told which batches were not done and does
them itself: a bug in the work then surfaces in the calling process, reported the normal way,
never as a worker's traceback.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
# multiprocessing and concurrent.futures (~8 ms to import) are imported when a pool starts: most
# builds after the first have too little to spread.

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


def batches(items: Sequence[Item], size: int, *, tail: int = 0) -> list[Sequence[Item]]:
    """`items` cut into runs of `size` (the last one shorter); with `tail`, the last `tail` items
    in runs a quarter as long, so that the workers finish close together (large batches cost
    less to hand out and send back, small ones leave no core waiting long at the end)."""
    tail = min(tail, len(items))
    head = len(items) - tail
    small = max(1, size // 4)
    return [items[i : min(i + size, head)] for i in range(0, head, size)] + [
        items[i : i + small] for i in range(head, len(items), small)
    ]


def in_order(
    work: Callable[[Sequence[Item]], Result],
    parts: Sequence[Sequence[Item]],
    *,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple = (),
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
) -> Iterator[tuple[Sequence[Item], Result | None]]:
    """`work(batch)` for each batch in forked workers, yielded as (batch, result) in the order
    of `parts` while the others are still being worked on. The result is None for a batch no
    worker could do (it raised, the pool broke, the system cannot fork): the caller does it.

    Only a few batches per worker are given out ahead of the one the caller waits for, so a
    caller slower than its workers does not gather every result in memory. `initializer(*initargs)`
    runs once in each worker; with fork, nothing of it is pickled. `progress` wraps the batches'
    numbers as they are yielded (a progress bar).
    """
    if not parts:
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork here: every batch is the caller's
        for part in parts:
            yield part, None
        return
    count = min(workers(), len(parts))
    start = (os.getpid(), initializer, initargs)
    # What the workers inherit is left out of their garbage collector's passes: a pass over it
    # would cost them a full collection's time and copy every page it touches (copy-on-write).
    frozen = gc.get_freeze_count() == 0
    if frozen:
        gc.freeze()
    pool = ProcessPoolExecutor(count, mp_context=context, initializer=_start, initargs=start)
    ahead = AHEAD * count
    futures: dict[int, Future] = {}
    broken = False  # once the pool cannot take work, every batch left is the caller's
    try:
        for index in (progress or iter)(range(len(parts))):
            for following in range(index, min(index + ahead, len(parts))):
                if not broken and following not in futures:
                    try:
                        with _ctrl_c_held():  # the first submit forks the workers
                            futures[following] = pool.submit(work, parts[following])
                    except (OSError, RuntimeError, BrokenProcessPool) as exc:  # no worker could start
                        log.warning("no worker process takes work (%s); the rest is done in this one", exc)
                        broken = True
            future = futures.pop(index, None)
            result = None
            if future is not None:
                try:
                    result = _result(pool, future)
                except BrokenProcessPool as exc:
                    if not broken:
                        log.warning("a worker process died (%s); the rest is done in this one", exc)
                    broken = True
                except Exception as exc:  # noqa: BLE001 - the caller does the batch, and reports the error
                    log.debug("a batch failed in a worker (%r); done again in this process", exc)
            yield parts[index], result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if frozen:
            gc.unfreeze()


def _result(pool: ProcessPoolExecutor, future: Future) -> Any:
    """The future's result, or BrokenProcessPool once a worker has died. A worker killed while
    sending a result (the OOM killer picks a big one) leaves half a message in the pool's pipe: the
    pool would wait for the rest for ever. So the caller watches the workers, and on a death ends
    the others and closes its own end of that pipe, so the pool reads its end and sees it broken.
    (The pool's `_processes` and `_result_queue` are the standard library's, in 3.9-3.13.)"""
    from concurrent.futures.process import BrokenProcessPool

    while True:
        try:
            return future.result(timeout=WATCH_SECONDS)
        except TimeoutError:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            if all(process.is_alive() for process in processes):
                continue
            for process in processes:
                process.kill()
            pool._result_queue._writer.close()
            raise BrokenProcessPool("a worker process was killed") from None


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """SIGINT held back from the calling thread (and so from a worker forked meanwhile, until it
    ignores it, `_start`); a Ctrl-C then arrives as the block ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _start(caller: int, initializer: Callable[..., Any] | None, initargs: tuple) -> None:
    """A worker's start: with the cyclic garbage collector on, whatever the caller had paused.
    Ctrl-C reaches the whole foreground group; a worker leaves it to the caller, which stops the
    pool (a worker interrupted while waiting for work printed a traceback, or, interrupted in a
    lock, left the caller waiting for it for ever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with(caller)
    gc.enable()
    if initializer is not None:
        initializer(*initargs)


def at_exit(callback: Callable[[], Any]) -> None:
    """In a worker (from `initializer` or the work): call `callback` as the worker exits, when the
    pool shuts down (`in_order` returns once it has run). A worker that is killed never calls it."""

    def call() -> None:
        try:
            callback()
        except Exception as exc:  # noqa: BLE001 - else multiprocessing prints its traceback
            log.debug("a worker's exit callback failed (%r)", exc)

    import multiprocessing.util

    multiprocessing.util.Finalize(None, call, exitpriority=0)


def _die_with(caller: int) -> None:
    """Have the kernel kill this worker when `caller` dies: a build killed (SIGTERM, SIGKILL, the
    OOM killer) would leave its workers waiting for work for ever. Linux only; elsewhere a no-op."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != caller:  # died before the request took
        os._exit(1)


PR_SET_PDEATHSIG = 1  # linux/prctl.h

# How often the caller, waiting for a result, looks whether a worker has died.
WATCH_SECONDS = 0.5

# Batches given out per worker ahead of the one waited for.
AHEAD = 3
