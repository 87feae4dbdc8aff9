"""The progress callback the build takes, for the CLI to draw.

Kept low in the package so that the pipeline and the pages it writes share one type
without either importing the other for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

# Wraps work in a progress bar with a label (the CLI draws it on a terminal); must yield every item.
Progress = Callable[[Iterable, str], Iterable]
