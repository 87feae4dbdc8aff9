"""Work on every core: batches done by forked workers come back in order; a failed one comes back
undone, for the caller to do itself."""

from __future__ import annotations

import os
import sys

import pytest

from podcast import parallel


def _squares(batch):
    if 13 in batch:
        raise ValueError("thirteen")
    return [(n * n, os.getpid()) for n in batch]


def test_batches_come_back_in_order_from_worker_processes():
    parts = parallel.batches(list(range(40)), 3)
    done = list(parallel.in_order(_squares, parts))
    assert [part for part, _ in done] == parts
    ok = [result for part, result in done if 13 not in part]
    assert [n for result in ok for n, _ in result] == [n * n for n in range(40) if n not in (12, 13, 14)]
    assert {pid for result in ok for _, pid in result} - {os.getpid()}  # not this process


def test_a_batch_that_fails_in_a_worker_comes_back_undone_and_the_rest_is_done():
    parts = parallel.batches(list(range(30)), 5)
    done = dict((tuple(part), result) for part, result in parallel.in_order(_squares, parts))
    assert done[(10, 11, 12, 13, 14)] is None
    assert all(result is not None for part, result in done.items() if 13 not in part)


_given = None


def _remember(value):
    global _given
    _given = value


def _given_value(batch):
    return [_given()] * len(batch)


def test_workers_start_with_what_the_initializer_was_given_unpickled():
    unpicklable = lambda: "made in the parent"  # noqa: E731 - a lambda cannot be pickled
    parts = parallel.batches(list(range(4)), 2)
    done = list(parallel.in_order(_given_value, parts, initializer=_remember, initargs=(unpicklable,)))
    assert [result for _, result in done] == [["made in the parent"] * 2] * 2


def test_the_threshold_is_taken_from_the_environment(monkeypatch):
    monkeypatch.delenv(parallel.MIN_ENVIRONMENT, raising=False)
    assert parallel.threshold() == parallel.PARALLEL_MIN
    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, "3")
    assert parallel.threshold() == 3
    monkeypatch.setenv(parallel.MIN_ENVIRONMENT, "many")
    assert parallel.threshold() == parallel.PARALLEL_MIN


def _dies_at_seven(batch):
    if 7 in batch:
        os._exit(3)  # a worker killed mid-batch (out of memory, a crash in a C library)
    return [n * n for n in batch]


def test_when_a_worker_dies_every_batch_still_comes_back_done_or_for_the_caller():
    parts = parallel.batches(list(range(20)), 2)
    done = list(parallel.in_order(_dies_at_seven, parts))
    assert [part for part, _ in done] == parts
    assert done[3] == ([6, 7], None)
    assert all(result == [n * n for n in part] for part, result in done if result is not None)


_KILLED_WHILE_SENDING = """
import os, struct, sys
from podcast import parallel

def dies_while_sending(batch):
    if 7 in batch:
        # As a worker killed by the OOM killer while sending its result: the message's header and
        # a part of it are in the pipe, the rest never comes.
        frame = sys._getframe()
        while frame.f_code.co_name != "_process_worker":
            frame = frame.f_back
        queue = frame.f_locals["result_queue"]
        queue._wlock.acquire()
        os.write(queue._writer.fileno(), struct.pack("!i", 1_000_000) + b"half a result")
        os._exit(9)
    return [n * n for n in batch]

if __name__ == "__main__":
    parts = parallel.batches(list(range(40)), 2)
    done = list(parallel.in_order(dies_while_sending, parts))
    assert [part for part, _ in done] == parts
    assert done[3] == ([6, 7], None), done[3]
    assert all(result == [n * n for n in part] for part, result in done if result is not None)
    print("finished")
"""


def test_a_worker_killed_while_sending_its_result_neither_hangs_the_build_nor_loses_a_batch(tmp_path):
    import signal
    import subprocess
    import sys

    script = tmp_path / "killed.py"
    script.write_text(_KILLED_WHILE_SENDING)
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
        raise AssertionError(f"in_order hung after a worker died mid-send: {out.decode()}") from None
    assert process.returncode == 0, out.decode()
    assert b"finished" in out


_KILLED_CALLER = """
import multiprocessing, sys, time
from podcast import parallel

def slow(batch):
    time.sleep(0.2)
    return list(batch)

if __name__ == "__main__":
    for _ in parallel.in_order(slow, parallel.batches(list(range(400)), 1)):
        pids = [process.pid for process in multiprocessing.active_children()]
        print(" ".join(map(str, pids)), flush=True)
        time.sleep(60)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel ends the workers on Linux")
def test_workers_do_not_outlive_a_build_killed_outright(tmp_path):
    import signal
    import subprocess
    import time

    script = tmp_path / "caller.py"
    script.write_text(_KILLED_CALLER)
    caller = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, start_new_session=True)
    try:
        workers = [int(pid) for pid in caller.stdout.readline().split()]
        assert workers
        caller.kill()  # SIGKILL, or SIGTERM: no clean-up runs in the caller
        caller.wait()
        deadline = time.monotonic() + 10
        while any(map(_running, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(_running, workers)), "worker processes left running after their build was killed"
    finally:
        os.killpg(caller.pid, signal.SIGKILL)


def _note_exit(folder):
    parallel.at_exit(lambda: (folder / str(os.getpid())).write_text("exited"))


def _pid(batch):
    return os.getpid()


def test_every_worker_runs_its_exit_callback_before_the_work_returns(tmp_path):
    parts = parallel.batches(list(range(40)), 2)
    done = parallel.in_order(_pid, parts, initializer=_note_exit, initargs=(tmp_path,))
    pids = {result for _, result in done}
    assert pids and os.getpid() not in pids
    assert pids <= {int(path.name) for path in tmp_path.iterdir()}  # by the time it returned


@pytest.mark.parametrize("count", [0, 1, 7, 16, 17, 63, 64, 65, 100, 255, 256, 257, 1000])
def test_batches_with_a_tail_hold_every_item_once_in_order_and_end_small(count):
    items = list(range(count))
    parts = parallel.batches(items, 16, tail=64)
    assert [item for part in parts for item in part] == items
    assert all(parts)
    assert all(len(part) <= 16 for part in parts)
    assert all(len(part) <= 4 for part in parts if part[0] >= count - 64)  # the last ones in small runs
    assert parallel.batches(items, 16) == parallel.batches(items, 16, tail=0)


_INTERRUPTED = """
import sys, time
from podcast import parallel

def quick(batch):
    return list(batch)

if __name__ == "__main__":
    print("started", flush=True)
    try:
        for _ in range(1000):
            for _ in parallel.in_order(quick, parallel.batches(list(range(40)), 2)):
                time.sleep(0.01)  # a caller slower than its workers: they wait for work
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
"""


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.05, 0.1, 0.3])
def test_ctrl_c_ends_the_caller_and_its_workers_without_a_worker_traceback(tmp_path, delay):
    """Ctrl-C reaches the whole foreground group: the workers as well as the caller. The caller
    stops them; a worker must neither print its own KeyboardInterrupt nor be left waiting."""
    import signal
    import subprocess
    import time

    script = tmp_path / "interrupted.py"
    script.write_text(_INTERRUPTED)
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == b"started\n"
        time.sleep(0.3 + delay)  # pools start and stop over and over: Ctrl-C lands at any step
        os.killpg(process.pid, signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
        raise AssertionError(f"Ctrl-C left the caller waiting: {out.decode()}") from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert b"Traceback" not in out, out.decode()
    assert b"interrupted" in out
