"""G1xx: each episode is itself, and stays itself: GUIDs, titles and enclosure URLs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

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
    values = subject.feed.texts(qname(tag))
    if len(set(values)) == len(values):
        return  # every value differs from every other (a blank one too): nothing is a copy
    yield from _copies(subject.feed, values, tag, what)


def _copies(feed: FeedDoc, values: list[str], tag: str, what: str) -> Iterator[Finding]:
    """`_duplicates`, item by item: each item whose `tag` text an older item has too."""
    first: dict[str, int] = {}
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
    feed = subject.feed
    by_url = _first_guids(subject.previous)
    # What the last feed had at each item's URL, in C's loops: the items that have what they had
    # (most, or all) are passed over, and the others looked at one by one.
    olds = list(map(by_url.get, feed.enclosure_urls()))
    guids = feed.texts("guid")
    if olds == guids:
        return
    changed = [index for index, (old, guid) in enumerate(zip(olds, guids, strict=True)) if old != guid]
    yield from _changed_guids(subject, by_url, changed)


def _first_guids(previous: FeedDoc) -> dict[str, str]:
    """By enclosure URL, the GUID of the last feed's first item with it (blank ones left out)."""
    guids, urls = previous.texts("guid"), previous.enclosure_urls()
    if all(guids) and all(urls):
        return dict(zip(reversed(urls), reversed(guids), strict=True))  # the first of each URL stays
    by_url: dict[str, str] = {}
    for guid, url in zip(guids, urls, strict=True):
        if guid and url:
            by_url.setdefault(url, guid)
    return by_url


def _changed_guids(subject: Subject, by_url: dict[str, str], indexes: Iterable[int]) -> Iterator[Finding]:
    """`changed_guids` of the items at `indexes` (every index: the long way); `by_url` is
    `_first_guids` of the last feed."""
    previous = subject.previous
    assert previous is not None
    by_media = _MediaFolders(previous)  # asked when an enclosure URL is not the last feed's
    derived: set[str] | None = None
    feed = subject.feed
    guids, urls = feed.texts("guid"), feed.enclosure_urls()
    for index in indexes:
        guid, url = guids[index], urls[index]
        if not url:
            continue
        old = by_url.get(url)
        if not old:
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


class _MediaFolders:
    """`_guids_by_media_folder(previous)`, asked a folder at a time. An episode added (its URL
    new) asks for one, where the whole map costs a regex for every item of the last feed (some
    27 ms at 10,000); only the last feed's URLs that hold the folder's name are read for it. Past
    a few folders, or when a URL holds what urlsplit takes out (a tab, a line break: its path is
    then no part of it), the map is made whole."""

    ASKED_ALONE = 8

    def __init__(self, previous: FeedDoc) -> None:
        self.guids, self.urls = previous.texts("guid"), previous.enclosure_urls()
        self.previous = previous
        self.found: dict[str, str | None] = {}
        self.whole: dict[str, str] | None = None
        joined = "\0".join(self.urls)
        self.unsafe = "\t" in joined or "\r" in joined or "\n" in joined

    def get(self, key: str) -> str | None:
        if not key:
            return None  # (no folder is named by nothing)
        if self.whole is None and key not in self.found:
            if len(self.found) >= self.ASKED_ALONE or self.unsafe:
                self.whole = _guids_by_media_folder(self.previous)
            else:
                self.found[key] = self._first(key)
        return self.whole.get(key) if self.whole is not None else self.found[key]

    def _first(self, key: str) -> str | None:
        # A URL's path is a part of it (urlsplit takes leading spaces and control characters off,
        # and no more where it holds no tab or line break): so is the folder named in the path.
        for index in [index for index, url in enumerate(self.urls) if key in url]:
            guid, url = self.guids[index], self.urls[index]
            if guid and _media_key(url) == key:
                return guid
        return None


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
    urls = feed.enclosure_urls()
    if len(set(urls)) == len(urls):
        return  # every URL differs from every other (a blank one too)
    yield from _shared_enclosures(feed, urls)


def _shared_enclosures(feed: FeedDoc, urls: list[str]) -> Iterator[Finding]:
    """`duplicate_enclosures`, item by item."""
    first: dict[str, etree._Element] = {}
    for item, url in zip(feed.items, urls, strict=True):
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
