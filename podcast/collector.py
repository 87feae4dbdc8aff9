"""The cyclic garbage collector around the build's bulk work.

A large show's build makes tens of thousands of objects that hold no cycles (episodes, records,
pages); each batch of them would set off a pass over everything the build holds, a fifth of a
second each at 10,000 episodes. These keep the collector out of that work.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused(*, frozen: bool = False) -> Iterator[None]:
    """No cyclic garbage collection inside (many records unpickled, many pages rendered): they
    hold no cycles, and the collector would go over every one of them again and again.

    `frozen`: what is alive at the end (the records, kept for the build) is left out of later
    passes too (as `settle` leaves the whole catalog): else the first passes once the collector
    is back go over every one of them (10,000 records: ~0.07 s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if frozen:
            gc.freeze()
    finally:
        if was_enabled:
            gc.enable()


_settled = False  # whether `settle` froze the objects of an earlier catalog in this process


def settle() -> None:
    """Leave every object alive now (a catalog just loaded: thousands of episodes and records)
    out of the cyclic garbage collector's later passes in this process: a full pass over a
    10,000-episode catalog costs ~0.15 s, and the rest of a build would make a few. They hold
    no cycles, so they are still freed when dropped. A process that loads catalogs again (the
    preview server) first puts the earlier ones back and collects, so what became garbage since
    is not kept for ever."""
    global _settled
    if _settled:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    _settled = True
