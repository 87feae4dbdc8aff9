"""Running a `podcast` command with its memory and time bounded, as a user's machine would not.

A case that would exhaust memory or hang is run in a child process with an address-space
limit (RLIMIT_AS) and a timeout, so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from dataclasses import dataclass

MiB = 1 << 20


@dataclass(frozen=True)
class Outcome:
    returncode: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float  # CPU time the child used
    peak_rss_mib: float  # its peak resident memory

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_podcast(*args: object, memory_mib: int = 600, timeout: float = 30.0) -> Outcome:
    """`podcast ARGS…` in a child limited to `memory_mib` of address space and `timeout` seconds."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mib * MiB, memory_mib * MiB))

    command = [sys.executable, "-c", _CHILD, *map(str, args)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, preexec_fn=limit)
    except subprocess.TimeoutExpired as exc:
        return Outcome(None, _text(exc.stdout), _text(exc.stderr), timeout, 0.0)
    stderr, _, usage = done.stderr.rpartition(_MARK)
    if not _:
        return Outcome(done.returncode, done.stdout, done.stderr, 0.0, 0.0)
    cpu, rss = usage.split()
    return Outcome(done.returncode, done.stdout, stderr, float(cpu), int(rss) / 1024)


_MARK = "\n--usage-- "
# The child reports its own CPU time and peak RSS as it exits (whatever the exit code).
_CHILD = f"""
import resource, sys
try:
    from podcast.cli import main
    main()
finally:
    u = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write({_MARK!r} + f"{{u.ru_utime + u.ru_stime:.3f}} {{u.ru_maxrss}}")
"""


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value or ""
