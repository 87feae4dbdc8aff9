"""G1xx: each episode is itself, and stays itself: GUIDs, titles and enclosure URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from ..weburl import url_path
from .feeddoc import FeedDoc, Finding, enclosure_url, qname, text
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
    first: dict[str, int] = {}
    values = feed.texts(qname(tag))
    # Oldest first, so the copy (usually the newer episode) is the one reported.
    for index in range(len(values) - 1, -1, -1):
        value = values[index]
        if not value:
            continue
        if value in first:
            item, other = feed.items[index], feed.items[first[value]]
            elsewhere = feed.where(other.find(tag), tag)
            at = f"{elsewhere.path}:{elsewhere.line}" if elsewhere.line else elsewhere.path
            message = f'same {what} as {feed.label(other)} ({at}): "{value}"'
            yield Finding(feed.where(item.find(qname(tag)), tag), message)
        else:
            first[value] = index


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
    previous = subject.previous
    by_url: dict[str, str] = {}
    for guid, url in zip(previous.texts("guid"), previous.enclosure_urls(), strict=True):
        if guid and url:
            by_url.setdefault(url, guid)
    by_media: dict[str, str] | None = None  # made when an enclosure URL is not the last feed's
    derived: set[str] | None = None
    feed = subject.feed
    for index, (guid, url) in enumerate(zip(feed.texts("guid"), feed.enclosure_urls(), strict=True)):
        if not url:
            continue
        old = by_url.get(url)
        if not old:
            by_media = by_media if by_media is not None else _guids_by_media_folder(previous)
            old = by_media.get(_media_key(url) or "")
        if old and guid != old:
            item = feed.items[index]
            where = feed.where(item.find("guid") if item.find("guid") is not None else item, "guid")
            if derived is None:
                # Episodes whose front matter has no guid line: the build derived one from the folder name.
                derived = {e.guid for e in subject.episodes if "guid" not in e.lines}
            if guid in derived:
                yield Finding(
                    where,
                    f"{feed.label(item)}: the guid line is gone from its episode.md;"
                    f' the last built feed has "{old}"',
                    hint=f'restore this line: guid = "{old}"; apps would show the episode again as new',
                )
                continue
            yield Finding(
                where,
                f'{feed.label(item)}: GUID "{guid}" was "{old}" in the last built feed',
                hint=f'put it back: guid = "{old}"; apps would show the episode again as new',
            )


def _guids_by_media_folder(previous: FeedDoc) -> dict[str, str]:
    by_media: dict[str, str] = {}
    for guid, url in zip(previous.texts("guid"), previous.enclosure_urls(), strict=True):
        key = _media_key(url) if guid and url else None
        if key:
            by_media.setdefault(key, guid)
    return by_media


def _media_key(url: str) -> str | None:
    """media/<slug>/: the episode folder `podcast build` publishes audio from, whatever the
    base URL and the file's name (an episode has one main enclosure, so a renamed file is
    the same episode)."""
    path = url_path(url) or ""
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
    for item, url in zip(feed.items, feed.enclosure_urls(), strict=True):
        if url and url in first:
            yield Finding(
                feed.where(item.find("enclosure"), "enclosure"),
                f"{feed.label(item)} uses the same file as {feed.label(first[url])}: {url}",
            )
        elif url:
            first[url] = item


def _self_link(feed: FeedDoc) -> tuple[etree._Element | None, str]:
    for link in feed.channel.findall(qname("atom:link")):
        if link.get("rel") == "self" and link.get("href"):
            return link, link.get("href").strip()
    return None, ""


@rule(
    "G105",
    "warning",
    "the feed's address (`base_url`) is the one of the last built feed",
    "keep the old URLs working or redirect them (HTTP 301) to the new ones, so apps keep playing"
    " what they have; to move subscribers, publish the old feed with `new_feed_url` set and redirect it",
)
def moved_show(subject: Subject) -> Iterator[Finding]:
    if subject.previous is None:
        return
    _, old_feed = _self_link(subject.previous)
    link, new_feed = _self_link(subject.feed)
    if not old_feed or not new_feed or old_feed == new_feed:
        return
    old_base, new_base = old_feed.rsplit("/", 1)[0] + "/", new_feed.rsplit("/", 1)[0] + "/"
    old_urls = {text(item.find("guid")): enclosure_url(item) for item in subject.previous.items}
    moved = sum(
        1
        for item in subject.feed.items
        if old_urls.get(text(item.find("guid"))) not in (None, "", enclosure_url(item))
    )
    yield Finding(
        subject.feed.where(link, "atom:link"),
        f"moved from {old_base} to {new_base} since the last build: the feed's own URL and every"
        f" enclosure URL ({moved} episode(s)) changed; apps that subscribed know only the old ones",
        hint=(
            f"keep the old URLs working or redirect them (HTTP 301) to {new_base}; to move"
            f' subscribers, leave a feed at {old_feed} with new_feed_url = "{new_feed}"'
            " (itunes:new-feed-url) and redirect it"
        ),
    )


@rule(
    "G106",
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
