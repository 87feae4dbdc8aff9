"""Web addresses: the one rule for telling an http(s) address from a file name, and for
judging an address we may fetch or publish.

Kept apart from net.py (which loads requests) so that the model, the schema and the
commands can ask without loading an HTTP library.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

WEB_SCHEMES = ("http", "https")
WEB_PREFIXES = ("http://", "https://")

_NOT_IN_URLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # control characters (a space is sloppy, not unsafe)


def has_web_scheme(value: str) -> bool:
    """True when `value` is written as an http:// or https:// address, not as a file name.

    Only the form is read: whether the address is usable is `is_web_url`'s question (or
    the schema's, which says what is wrong with it).
    """
    return value.startswith(WEB_PREFIXES)


def url_path(url: str) -> str | None:
    """The path of `url` as `urlsplit` reads it; None for an address it cannot read at all
    (brackets that hold no IPv6 host, say), which lint's U103 reports."""
    try:
        return urlsplit(url).path
    except ValueError:
        return None


def joined(base: str, url: str) -> str | None:
    """`url` resolved against `base` (urljoin); None where either cannot be read as an address
    (brackets that hold no IPv6 host): a hostile page or feed should not stop an import."""
    try:
        return urljoin(base, url)
    except ValueError:
        return None


def is_readable_url(url: str) -> bool:
    """False for an address `urlsplit` refuses outright: no app can fetch it."""
    if url.isascii() and "[" not in url and "]" not in url:
        return True  # urlsplit refuses only unmatched or bad brackets, and a non-ASCII host
    try:
        urlsplit(url).hostname  # noqa: B018 - reading the host is what checks the brackets
    except ValueError:
        return False
    return True


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host: the only kind we fetch or publish.

    Control characters (a line break among them) are refused too: a URL holding one is
    mangled by some clients and a way to smuggle a second line into a header or a log.
    """
    if _NOT_IN_URLS.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in WEB_SCHEMES and bool(host)
