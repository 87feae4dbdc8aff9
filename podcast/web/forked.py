"""Work split into slices done at once on the machine's cores, in forked processes.

Forked, not spawned: a child starts with everything the parent holds (the show, the plan,
the compiled templates), so nothing is sent to it but its results back. The parent does the
first slice itself, then collects each child's result through a pipe, in order.

A child's exception is raised in the parent, as itself when it can be pickled; a child that
dies without a result (killed) is a PodcastError. Either way the parent waits for every
child before it raises, so no child is still writing when the caller reports a failure.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from ..errors import PodcastError

Item = TypeVar("Item")
Result = TypeVar("Result")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether forking is safe here: a POSIX system. A child inherits no thread but the one that
    forks; a lock another thread held then stays held in it, which the child's work (rendering,
    writing, pickling: no logging, no pools; Python takes the import lock around a fork) never
    waits on. Python 3.12 warns of any fork while other threads run, so there it waits for them."""
    return hasattr(os, "fork") and (sys.version_info < (3, 12) or threading.active_count() == 1)


def map_slices(
    work: Callable[[Iterable[Item]], Result],
    items: Sequence[Item],
    processes: int,
    first: Callable[[Sequence[Item]], Iterable[Item]] | None = None,
) -> list[Result]:
    """`work` over `processes` interleaved slices of `items` (items[0::n], items[1::n], …), the
    first in this process (through `first`, e.g. a progress bar, when given), the others in
    forked children; their results in slice order. With one process (or no fork) it is
    `[work(items)]`."""
    if processes <= 1 or len(items) < 2 or not can_fork():
        return [work(first(items) if first else items)]
    slices = [items[index::processes] for index in range(processes)]
    children: list[tuple[int, int]] = []
    try:
        for part in slices[1:]:
            if part:
                children.append(_start(work, part))
        own = work(first(slices[0]) if first else slices[0])
    finally:
        outcomes = [child_result(pid, reader) for pid, reader in children]  # every child ended
    results = [own]
    for ok, value in outcomes:
        if not ok:
            raise value
        results.append(value)
    return results


def _start(work: Callable[[Iterable[Item]], Result], part: Sequence[Item]) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    # The child: never returns into the caller's frames, never runs the parent's exit handlers.
    status = 1
    try:
        os.close(reader)
        gc.disable()  # it lives for one slice; a pass would also copy every page of the parent it touches
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it; the parent reports
        send_outcome(writer, lambda: work(part))
        status = 0
    finally:
        os._exit(status)


def send_outcome(writer: int, compute: Callable[[], object]) -> None:
    """In a forked child: what `compute()` gives, or the exception it raises, sent on `writer`
    for `child_result` (which raises that exception in the parent)."""
    try:
        outcome: tuple[bool, object] = (True, compute())
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        outcome = (False, exc)
    send_result(writer, outcome)


def send_result(writer: int, outcome: tuple[bool, object]) -> None:
    """In a forked child: `outcome` ((True, value) or (False, exception)) sent on `writer` and
    the pipe closed, for `child_result`; an exception that does not pickle is told in words."""
    try:
        data = pickle.dumps(outcome)
    except Exception:  # noqa: BLE001 - an exception that does not pickle, told in words
        data = pickle.dumps((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
    with os.fdopen(writer, "wb") as pipe:
        pipe.write(data)


def child_result(
    pid: int, reader: int, who: str = "a worker process", *, wait: bool = True
) -> tuple[bool, object]:
    """What the forked child `pid` sent on `reader` ((True, value) or (False, exception)), once it
    has ended; an error saying how it ended when it sent nothing whole.

    With `wait` false, a child that sent its whole result is not waited for: all it has left to do
    is end, which costs a child of a large build ~0.05 s (the kernel frees what it copied); the
    caller reaps it later (`reap`), while it does other work."""
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    if data and not wait:
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 - cut short; waited for and reported below
            pass
    _, status = os.waitpid(pid, 0)
    if data:
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 - cut short; reported below
            pass
    code = os.waitstatus_to_exitcode(status)
    ended = f"signal {-code}" if code < 0 else f"exit status {code}"
    return False, PodcastError(f"{who} ended without its result ({ended}); run the build again")


def reap(pid: int) -> None:
    """Wait for the forked child `pid` to end, unless it was waited for already."""
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
