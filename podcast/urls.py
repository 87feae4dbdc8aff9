"""Which links may go out in a feed: web addresses only.

A chapter link, a person's page or a funding link is followed by apps, some of which
render it in a web view; `javascript:`, `data:` or `file:` there runs or reads
something in the listener's app. Only absolute http(s) URLs with a host are published.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f]")


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host, and no whitespace or control characters in it."""
    if _UNSAFE.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def scheme_of(value: str) -> str | None:
    """The scheme a value starts with (`javascript` of `javascript:alert(1)`), or None for a plain path."""
    match = _SCHEME.match(value)
    return match.group(1).lower() if match else None
