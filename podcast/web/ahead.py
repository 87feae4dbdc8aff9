"""Pages rendered ahead, in one forked process, while the build still lints its feed.

A build may not write a byte before lint has passed, but it may render: the process renders the
pages due, last first, and compares each with the file already there (a cold build of a show
whose feeds/ is there finds most of them holding their bytes). A page that differs is kept, up to
HELD_MAX_BYTES in all; then the process waits. Nothing is written until the build says go
(`finish`): then the process tells how far it came, the build takes the first half of what is
left, the process writes what it kept and does the other half. A build that stops instead
(`cancel`, or the handle dropped) ends the process, which has written nothing.

So the second core, idle while one process lints, renders pages; what is left is shared between
both cores as before (forked.py).
"""

from __future__ import annotations

import gc
import os
import select
import signal
import weakref
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .forked import child_result, send_outcome
from .pagefiles import Written, ensure_folder, folders_there, found_holding, write_page, write_pages

HELD_MAX_BYTES = 8_000_000  # of pages rendered that differ from the file there, kept until go
_GO, _STOP = b"g", b"s"
_COUNT = 8  # bytes of a page count on a pipe

Item = tuple[str, Callable[[], bytes]]  # a page's path under the output folder, and how to render it


class Ahead:
    """One process rendering `items` ahead of the build's go."""

    def __init__(self, out: Path, items: Sequence[Item], after: Callable[[], object] | None = None) -> None:
        """`after`: called in the process once it has written its pages; what it returns is sent
        back (`sent`), e.g. what the process rendered that the build keeps."""
        self.out = out
        self.items = items
        self.sent: object = None
        control_read, control = os.pipe()
        results, results_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(control)
            os.close(results)
            _child(out, items, control_read, results_write, after)  # never returns
        os.close(control_read)
        os.close(results_write)
        self._control, self._results, self._pid = control, results, pid
        self._cancel = weakref.finalize(self, _stop, pid, control, results)

    def cancel(self) -> None:
        """The build stopped (or wrote its pages): the process ends, having written nothing more."""
        self._cancel()

    def finish(
        self, folders: dict[str, bool], first: Callable[[Sequence[Item]], Iterable[Item]]
    ) -> list[Written]:
        """Go: every page of `items` written (or found holding its bytes), this process doing the
        first part of what the other has not rendered (through `first`, e.g. a progress bar);
        what the record needs of each. `folders`: every page's folder, made and checked for links."""
        if not self._cancel.alive:
            raise RuntimeError("pages rendered ahead were cancelled")
        self._cancel.detach()  # from here the process is waited for below, come what may
        try:
            try:
                os.write(self._control, _GO)
                reached = _read(self._results, _COUNT)
            except BrokenPipeError:
                reached = b""
            if len(reached) < _COUNT:  # it ended before go (killed): it wrote nothing, so all is ours
                own = len(self.items)
            else:
                own = int.from_bytes(reached, "big") // 2
                os.write(self._control, own.to_bytes(_COUNT, "big"))
            mine = write_pages(self.out, first(self.items[:own]), folders)
        finally:
            ok, value = _end(self._pid, self._control, self._results)
        if own == len(self.items):
            return mine
        if not ok:
            raise value  # type: ignore[misc]
        written, self.sent = value  # type: ignore[misc]
        return mine + written


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


def _end(pid: int, control: int, results: int) -> tuple[bool, object]:
    """The process's result once it has ended (and its pipes closed)."""
    os.close(control)
    return child_result(pid, results, "a page process")


def _child(
    out: Path, items: Sequence[Item], control: int, results: int, after: Callable[[], object] | None
) -> None:
    """The process: never returns into the caller's frames, never runs the parent's exit handlers."""
    status = 1
    try:
        gc.disable()  # it lives for one build; a pass would also copy every page of the parent it touches
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it; the parent reports
        found, kept, left = _render_ahead(out, items, control)
        if os.read(control, 1) != _GO:  # stopped, or the parent is gone: nothing is written
            status = 0
            return
        os.write(results, left.to_bytes(_COUNT, "big"))
        start = int.from_bytes(_read(control, _COUNT), "big")

        def write() -> tuple[list[Written], object]:
            work = [*kept, *items[start:left]]
            folders = folders_there(out, work)
            for rel, _ in work:
                ensure_folder(out, rel.rpartition("/")[0], folders)
            written = [write_page(out, rel, data, folders) for rel, data in kept]
            written += write_pages(out, items[start:left], folders)
            return found + written, after() if after is not None else None

        send_outcome(results, write)
        status = 0
    finally:
        os._exit(status)


def _render_ahead(
    out: Path, items: Sequence[Item], control: int
) -> tuple[list[Written], list[tuple[str, bytes]], int]:
    """Render items from the last back until the parent says anything, the kept bytes reach
    HELD_MAX_BYTES or all are done: the pages found holding their bytes, those rendered that do
    not (with their bytes), and how many items are left (from the first)."""
    found: list[Written] = []
    kept: list[tuple[str, bytes]] = []
    held = 0
    left = len(items)
    waiting = select.poll()
    waiting.register(control, select.POLLIN)
    while left and held <= HELD_MAX_BYTES and not waiting.poll(0):
        rel, make = items[left - 1]
        try:
            data = make()
        except Exception:  # noqa: BLE001 - rendered again after go, where the error is raised
            break
        left -= 1
        there = found_holding(out, rel, data)
        if there is not None:
            found.append((rel, False, there))
        else:
            kept.append((rel, data))
            held += len(data)
    return found, kept, left
