"""Telling the world the feed changed: WebSub hubs and Podcast Index's pubnotify.

A hub gets `hub.mode=publish` and `hub.url=<feed>` in a form POST (WebSub §7; the feed
names each hub in an `atom:link rel="hub"`); pubnotify gets a GET with `url=<feed>`.
Each is tried a few times with growing pauses when the server is down or busy; a ping
that still fails is reported, and the feed stays published.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from .. import net
from ..schema import is_loopback

ATTEMPTS = 3
BACKOFF = 1.0  # seconds before the second try; doubled before each further one


@dataclass(frozen=True)
class Ping:
    """What one endpoint said."""

    kind: str  # "websub" or "pubnotify"
    endpoint: str
    ok: bool
    detail: str  # "HTTP 204", or why it failed

    def to_dict(self) -> dict:
        return {"kind": self.kind, "endpoint": self.endpoint, "ok": self.ok, "detail": self.detail}


def _tried(kind: str, endpoint: str, call, backoff: float) -> Ping:
    for attempt in range(ATTEMPTS):
        try:
            response = call()
        except net.NetError as exc:
            detail, again = exc.reason, exc.retryable
        else:
            detail = f"HTTP {response.status} {response.reason_phrase}".strip()
            if response.ok:
                return Ping(kind, endpoint, True, detail)
            again = response.status in net.RETRY_STATUSES
        if not again or attempt == ATTEMPTS - 1:
            return Ping(kind, endpoint, False, detail)
        time.sleep(backoff * 2**attempt)
    raise AssertionError("unreachable")


def websub(client: net.Client, hub: str, feed_url: str, *, backoff: float = BACKOFF) -> Ping:
    form = {"hub.mode": "publish", "hub.url": feed_url}
    return _tried("websub", hub, lambda: client.post(hub, data=form, check=False), backoff)


def pubnotify(client: net.Client, endpoint: str, feed_url: str, *, backoff: float = BACKOFF) -> Ping:
    joiner = "&" if "?" in endpoint else "?"
    url = endpoint + joiner + urlencode({"url": feed_url})
    return _tried("pubnotify", endpoint, lambda: client.get(url, max_bytes=100_000, check=False), backoff)


def reachable(feed_url: str, endpoints: list[str]) -> tuple[list[str], list[str]]:
    """The endpoints that can fetch the feed, and those that cannot: a feed on this machine (a
    local test) is of no use to a hub or directory elsewhere, so they are not told of it."""
    if not is_loopback(feed_url):
        return list(endpoints), []
    return [e for e in endpoints if is_loopback(e)], [e for e in endpoints if not is_loopback(e)]


def tell_everyone(
    client: net.Client,
    feed_url: str,
    hubs: tuple[str, ...],
    pubnotify_url: str | None,
    *,
    backoff: float = BACKOFF,
) -> list[Ping]:
    """Ping each hub and pubnotify that can fetch the feed (see `reachable`)."""
    told, _ = reachable(feed_url, [*hubs, *([pubnotify_url] if pubnotify_url else [])])
    pings = [websub(client, hub, feed_url, backoff=backoff) for hub in hubs if hub in told]
    if pubnotify_url and pubnotify_url in told:
        pings.append(pubnotify(client, pubnotify_url, feed_url, backoff=backoff))
    return pings
