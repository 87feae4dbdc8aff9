"""N1xx: a published feed (`podcast lint URL`) and whether its servers answer as Apple asks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .feeddoc import Finding, artwork_urls, enclosure_url
from .registry import Subject, items_with, rule


@rule(
    "N101",
    "error",
    "(URL) the feed URL answers with the feed",
    "check the address, and that the server is up and serves the file publicly",
)
def _feed_fetched(_: Subject) -> Iterable[Finding]:
    return ()  # found by check_url before any rule runs


@rule(
    "N102",
    "error",
    "(URL) every enclosure and artwork URL answers HEAD",
    "publish the file there; Apple checks media and artwork with HEAD requests",
)
def answers_head(subject: Subject) -> Iterator[Finding]:
    if not subject.resources.online:
        return
    feed = subject.feed
    targets = [
        (e, "enclosure", enclosure_url(i)) for i in feed.items if (e := i.find("enclosure")) is not None
    ]
    targets += [(e, "itunes:image", url) for url, e in artwork_urls(feed).items()]
    for element, tag, url in targets:
        if not url:
            continue
        facts = subject.resources.head(url)
        if facts is not None and facts.error:
            yield Finding(feed.where(element, tag), f"HEAD {url}: {facts.error}")


@rule(
    "N103",
    "error",
    "(URL) every enclosure answers a byte-range request with 206 Partial Content",
    "turn on byte-range support on the server; Apple requires it so listeners can stream and seek",
)
def answers_range(subject: Subject) -> Iterator[Finding]:
    if not subject.resources.online:
        return
    feed = subject.feed
    for item, enclosure in items_with(subject, "enclosure"):
        url = enclosure_url(item)
        if not url or enclosure is None:
            continue
        head = subject.resources.head(url)
        if head is not None and head.error:
            continue  # N102 already says it is not there
        answer = subject.resources.range_request(url)
        if answer is not None and answer.error:
            yield Finding(feed.where(enclosure, "enclosure"), f"Range: bytes=0-1 on {url}: {answer.error}")
