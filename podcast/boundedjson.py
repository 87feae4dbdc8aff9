"""JSON from files people hand us, parsed only when it is shallow enough to be real.

Python's json module recurses once per nesting level, so `[[[[…]]]]` 100,000 deep
ends in RecursionError. Real chapter and transcript files nest three or four levels;
the depth is measured first, by a scan that skips over strings, before json parses it.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class TooDeep(ValueError):
    """JSON nested deeper than any real file of ours."""


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text` (strings skipped; not validated)."""
    deepest = level = 0
    for token in _TOKENS.finditer(text):
        char = token.group()[0]
        if char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads, after checking the nesting depth. Raises TooDeep or json.JSONDecodeError."""
    found = depth(text)
    if found > max_depth:
        raise TooDeep(f"nested {found} levels deep; at most {max_depth} are read")
    return json.loads(text)
