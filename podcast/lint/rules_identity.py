"""G1xx: each episode is itself, and stays itself: GUIDs, titles and enclosure URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree

from .feeddoc import Finding, enclosure_url, qname, text
from .registry import Subject, rule


@rule(
    "G101",
    "error",
    "no two items share a `guid`",
    "every episode needs its own; give this one a new UUID, or apps merge the two",
)
def duplicate_guids(subject: Subject) -> Iterator[Finding]:
    yield from _duplicates(subject, "guid", "GUID")


@rule(
    "G102",
    "warning",
    "no two items share a `title`",
    "give each episode its own title; listeners cannot tell them apart in a list",
)
def duplicate_titles(subject: Subject) -> Iterator[Finding]:
    yield from _duplicates(subject, "title", "title")


def _duplicates(subject: Subject, tag: str, what: str) -> Iterator[Finding]:
    feed = subject.feed
    first: dict[str, etree._Element] = {}
    # Oldest first, so the copy (usually the newer episode) is the one reported.
    for item in reversed(feed.items):
        element = item.find(qname(tag))
        value = text(element)
        if not value:
            continue
        if value in first:
            other = first[value]
            elsewhere = feed.where(other.find(tag), tag)
            at = f"{elsewhere.path}:{elsewhere.line}" if elsewhere.line else elsewhere.path
            yield Finding(feed.where(element, tag), f'same {what} as {feed.label(other)} ({at}): "{value}"')
        else:
            first[value] = item


@rule(
    "G103",
    "error",
    "no episode's `guid` changed since the last built feed "
    "(same enclosure URL, or an enclosure in the same `media/<slug>/` folder)",
    "put the old GUID back; apps would show the episode again as new",
)
def changed_guids(subject: Subject) -> Iterator[Finding]:
    if subject.previous is None:
        return
    by_url: dict[str, str] = {}
    by_media: dict[str, str] = {}
    for item in subject.previous.items:
        guid, url = text(item.find("guid")), enclosure_url(item)
        if guid and url:
            by_url.setdefault(url, guid)
            key = _media_key(url)
            if key:
                by_media.setdefault(key, guid)
    feed = subject.feed
    for item in feed.items:
        guid, url = text(item.find("guid")), enclosure_url(item)
        if not url:
            continue
        old = by_url.get(url) or by_media.get(_media_key(url) or "")
        if old and guid != old:
            yield Finding(
                feed.where(item.find("guid") if item.find("guid") is not None else item, "guid"),
                f'{feed.label(item)}: GUID "{guid}" was "{old}" in the last built feed',
                hint=f'put it back: guid = "{old}"; apps would show the episode again as new',
            )


def _media_key(url: str) -> str | None:
    """media/<slug>/: the episode folder `podcast build` publishes audio from, whatever the
    base URL and the file's name (an episode has one main enclosure, so a renamed file is
    the same episode)."""
    path = urlsplit(url).path
    match = re.search(r"/(media/[^/]+/)[^/]+$", path)
    return match.group(1) if match else None


@rule(
    "G104",
    "error",
    "no two items share an enclosure URL",
    "give each episode its own file; Apple treats an enclosure URL it has seen as the same episode",
)
def duplicate_enclosures(subject: Subject) -> Iterator[Finding]:
    feed = subject.feed
    first: dict[str, etree._Element] = {}
    for item in feed.items:
        url = enclosure_url(item)
        if url and url in first:
            yield Finding(
                feed.where(item.find("enclosure"), "enclosure"),
                f"{feed.label(item)} uses the same file as {feed.label(first[url])}: {url}",
            )
        elif url:
            first[url] = item


@rule(
    "G105",
    "warning",
    "the channel's `podcast:guid` is the one the show had when `podcast import` read it",
    "put the imported guid back in podcast.toml; Podcast Index and apps know the show by it",
)
def imported_guid(subject: Subject) -> Iterator[Finding]:
    show = subject.show
    if show is None or not show.imported_guid or show.guid == show.imported_guid:
        return
    feed = subject.feed
    element = feed.channel.find(qname("podcast:guid"))
    yield Finding(
        feed.where(element if element is not None else feed.channel, "podcast:guid"),
        f'podcast:guid "{show.guid}" differs from "{show.imported_guid}", '
        f"which the feed had when imported from {show.imported_from}",
        hint=f'write guid = "{show.imported_guid}" in podcast.toml; the show keeps its identity only with it',
    )
