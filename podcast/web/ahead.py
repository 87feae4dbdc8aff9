"""Pages rendered ahead, in one forked process, while the build still lints its feed.

A build may not write a byte before lint has passed, but it may render: the process renders the
pages due, last first, and compares each with the file already there (a cold build of a show
whose feeds/ is there finds most of them holding their bytes). A page that differs is kept, up to
HELD_MAX_BYTES in all; then the process waits. Nothing is written until the build says go
(`finish`): then the process writes what it kept and goes on down from where it was, while the
build takes the pages from the first up, until they meet (`_Claims`: whoever is quicker does
more, so both end together, whatever the pages cost). A build that stops instead (`cancel`, or
the handle dropped) ends the process, which has written nothing.

So the second core, idle while one process lints, renders pages; what is left is shared between
both cores as before (forked.py).
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import os
import pickle
import select
import signal
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from .forked import child_result, reap, send_outcome
from .pagefiles import Written, folders_there, found_holding, write_page, write_pages

HELD_MAX_BYTES = 8_000_000  # of pages rendered that differ from the file there, kept until go
_GO, _STOP = b"g", b"s"

Item = tuple[str, Callable[[], bytes]]  # a page's path under the output folder, and how to render it


class _Claims:
    """Which of `count` items each of two processes takes, each exactly once: the build takes
    them from the first up, the page process from the last down, under one lock they share
    (made before the fork; a semaphore, taken without a system call when free).

    On the build's side, `other` is the page process. A lock it was killed holding (the OOM
    killer, a kill -9) would be waited for for ever: the build looks at it every
    LOCK_WATCH_SECONDS, and once it has ended goes on alone, without the lock (what the process
    had taken is then the build's, or its death is reported: see `Ahead.finish`)."""

    def __init__(self, count: int) -> None:
        self._shared = mmap.mmap(-1, 16)  # anonymous and shared: both processes see one [low, high]
        self._bounds = memoryview(self._shared).cast("q")
        self._bounds[1] = count
        import multiprocessing  # (~5 ms: only a build with many pages due renders ahead)

        self._lock = multiprocessing.get_context("fork").Lock()
        self.other: int | None = None
        self._alone = False  # the other has ended: no lock is needed, nor to be had

    def first(self, index: int) -> bool:
        """Item `index` (the lowest not taken) taken by the build; False once they have met."""
        with self._held():
            if index >= self._bounds[1]:
                return False
            self._bounds[0] = index + 1
            return True

    def last(self) -> int | None:
        """The highest item not taken, taken by the page process (None once they have met)."""
        with self._lock:
            high = self._bounds[1]
            if high <= self._bounds[0]:
                return None
            self._bounds[1] = high - 1
            return high - 1

    def high(self) -> int:
        """Where the page process's items start (those it took, and may still be holding)."""
        with self._held():
            return self._bounds[1]

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        """The lock, on the build's side: or none, once the page process has ended."""
        while not self._alone:
            if self._lock.acquire(timeout=LOCK_WATCH_SECONDS):
                try:
                    yield
                finally:
                    self._lock.release()
                return
            self._alone = self.other is not None and _ended(self.other)
        yield


LOCK_WATCH_SECONDS = 1.0


def _ended(pid: int) -> bool:
    """Whether the child `pid` has ended (it is left to be waited for as it was)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


class Ahead:
    """One process rendering `items` ahead of the build's go."""

    def __init__(
        self,
        out: Path,
        items: Sequence[Item],
        after: Callable[[], object] | None = None,
        after_from: int | None = None,
    ) -> None:
        """`after`: called in the process once it has taken every item from `after_from` on (and
        rendered them), else once it has written its pages; what it returns is sent back
        (`sent`), e.g. what the process rendered that the build keeps. Made (and pickled) as
        soon as it can be, it is not made while the build waits for the process's last word."""
        self.out = out
        self.items = items
        self.sent: object = None
        self._claims = _Claims(len(items))
        control_read, control = os.pipe()
        results, results_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(control)
            os.close(results)
            sending = _After(after, len(items) if after_from is None else after_from)
            _child(out, items, self._claims, control_read, results_write, sending)  # never returns
        os.close(control_read)
        os.close(results_write)
        self._claims.other = pid
        self._control, self._results, self._pid = control, results, pid
        self._cancel = weakref.finalize(self, _stop, pid, control, results)

    def cancel(self) -> None:
        """The build stopped (or wrote its pages): the process ends, having written nothing more,
        and is waited for."""
        self._cancel()

    def finish(
        self, folders: dict[str, bool], first: Callable[[Sequence[Item]], Iterable[Item]]
    ) -> list[Written]:
        """Go: every page of `items` written (or found holding its bytes), this process taking
        them from the first up (through `first`, e.g. a progress bar, which is given every page
        the other has not taken yet) until it meets the other; what the record needs of each.
        `folders`: every page's folder, made and checked for links."""
        if not self._cancel.alive:
            raise RuntimeError("pages rendered ahead were cancelled")
        self._cancel.detach()  # from here the process is waited for below, come what may
        going = False
        try:
            try:
                os.write(self._control, _GO)
            except BrokenPipeError:
                pass  # it has ended
            mine = write_pages(self.out, self._taken(first(self.items[: self._claims.high()])), folders)
            going = _read(self._results, 1) == _GO  # said as soon as it read go, before writing
            if not going:  # it ended before go (killed): it wrote nothing, so its pages are ours
                mine += write_pages(self.out, self.items[self._claims.high() :], folders)
        finally:
            # It has sent all it wrote: it is waited for once the build has gone on (`cancel`).
            ok, value = _end(self._pid, self._control, self._results, wait=False)
            self._cancel = weakref.finalize(self, reap, self._pid)
        if not going:
            return mine
        if not ok:
            raise value  # type: ignore[misc]
        written, sent = value  # type: ignore[misc]
        self.sent = pickle.loads(sent) if sent is not None else None
        return mine + written

    def _taken(self, offered: Iterable[Item]) -> Iterator[Item]:
        """The items of `offered` (the first ones, in order) this process takes before it meets
        the other; the rest are gone through, not taken (a progress bar goes to its end)."""
        met = False
        for index, item in enumerate(offered):
            if not met and self._claims.first(index):
                yield item
            else:
                met = True


class _After:
    """In the page process: `after`'s answer, pickled, made once the process takes an item
    below `at` (it has taken, and rendered, every item from `at` on: they go from the last
    down), or at the end."""

    def __init__(self, after: Callable[[], object] | None, at: int) -> None:
        self.after = after
        self.at = at
        self.made: bytes | None = None

    def taking(self, index: int) -> None:
        if index < self.at and self.made is None and self.after is not None:
            self.made = pickle.dumps(self.after())

    def answer(self) -> bytes | None:
        if self.made is None and self.after is not None:
            self.made = pickle.dumps(self.after())
        return self.made


def _read(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        more = os.read(fd, size - len(data))
        if not more:
            break
        data += more
    return data


def _stop(pid: int, control: int, results: int) -> None:
    try:
        os.write(control, _STOP)
    except OSError:
        pass  # it has ended
    _end(pid, control, results)


def _end(pid: int, control: int, results: int, *, wait: bool = True) -> tuple[bool, object]:
    """The process's result once it has ended, or (not `wait`) sent it whole; its pipes closed."""
    os.close(control)
    return child_result(pid, results, "a page process", wait=wait)


def _child(
    out: Path,
    items: Sequence[Item],
    claims: _Claims,
    control: int,
    results: int,
    after: _After,
) -> None:
    """The process: never returns into the caller's frames, never runs the parent's exit handlers."""
    status = 1
    try:
        gc.disable()  # it lives for one build; a pass would also copy every page of the parent it touches
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it; the parent reports
        found, kept = _render_ahead(out, items, claims, control, after)
        if os.read(control, 1) != _GO:  # stopped, or the parent is gone: nothing is written
            status = 0
            return
        os.write(results, _GO)

        def write() -> tuple[list[Written], bytes | None]:
            folders = folders_there(out, items)
            written = [
                write_page(out, rel, data if isinstance(data, bytes) else data(), folders)
                for rel, data in kept
            ]
            while (index := claims.last()) is not None:
                after.taking(index)
                rel, make = items[index]
                written.append(write_page(out, rel, make(), folders))
            return found + written, after.answer()

        send_outcome(results, write)
        status = 0
    finally:
        os._exit(status)


def _render_ahead(
    out: Path, items: Sequence[Item], claims: _Claims, control: int, after: _After
) -> tuple[list[Written], list[tuple[str, bytes | Callable[[], bytes]]]]:
    """Take and render items from the last down until the parent says anything, the kept bytes
    reach HELD_MAX_BYTES or all are taken: the pages found holding their bytes, and those
    rendered that do not (with their bytes; or, when rendering failed, how to render it again
    after go, where the error is raised)."""
    found: list[Written] = []
    kept: list[tuple[str, bytes | Callable[[], bytes]]] = []
    held = 0
    waiting = select.poll()
    waiting.register(control, select.POLLIN)
    while held <= HELD_MAX_BYTES and not waiting.poll(0):
        index = claims.last()
        if index is None:
            break
        after.taking(index)
        rel, make = items[index]
        try:
            data = make()
        except Exception:  # noqa: BLE001 - rendered again after go, where the error is raised
            kept.append((rel, make))
            break
        there = found_holding(out, rel, data)
        if there is not None:
            found.append(there)
        else:
            kept.append((rel, data))
            held += len(data)
    return found, kept
