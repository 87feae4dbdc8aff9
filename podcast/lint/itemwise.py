"""Lint of a feed the build put together from items, without parsing the whole document.

Most rules judge each item on its own (its tags and values, and the episode's own image), so
what they find in an item is kept with it (in the build cache, with the item) and found again
only when the item changes: `ItemLinter.check` runs them over a document of the show's channel
and that one item. The rules that compare items with each other, with the feed last built, with
the clock or with the files they name (GUIDs, titles, enclosures, dates to come, size) run over
a digest of the feed: the real channel, and of each item only the tags those rules read.

The artwork rules judge an episode's own image (a file in its folder) with its item; an image
an episode names by URL is judged with the feed, each build, as it may be any file of the show.
Either way each image is judged once, where it first stands in the feed (the show's artwork,
or an earlier episode naming the same URL), as lint of the whole document does.

`check_assembled` merges both in the order of `RULES`, as `check_show` reports them over the
whole document. Every finding about an item is traced to the episode.md it came from, so
neither run depends on where the item stands in the feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from ..errors import Problem
from ..feed import CHANNEL_END
from ..layout import FEED_FILENAME, FEEDS_DIR
from ..model import Episode, Show
from . import run  # the package, with every rule family, is loaded before any of its modules
from .feeddoc import FeedDoc, artwork_urls, qname
from .origin import show_origin
from .registry import RULES, Rule, Subject
from .resources import LocalFiles, show_files
from .rules_artwork import read_artwork

# The artwork rules (I1xx): an episode's own image is read when its item is linted, not by
# every build.
ARTWORK_CODES = frozenset({"I101", "I102", "I103", "I104", "I105", "I106", "I107"})
# Rules whose findings in an item depend only on that item and the show's own settings.
ITEM_CODES = frozenset(
    {
        "A101", "A102", "A103", "A104", "A105", "A106", "A110", "A111", "A112", "A113",
        "A120", "A121", "A122", "M101", "M102", "U101", "U102", "U103", "D101",
        *ARTWORK_CODES,
    }
)  # fmt: skip
# Of those, the rules that look only at the channel, and the channel tags the others read.
CHANNEL_CODES = frozenset({"A101", "A102", "A105", "A106", "A110", "A111"})
CHANNEL_TAGS_FOR_ITEMS = frozenset({"title", qname("itunes:type")})
ITUNES_IMAGE = qname("itunes:image")
# What the other rules read of an item (G1xx, D102; the title names the item; the image URL
# tells whether the item's artwork findings are said at an earlier place).
DIGEST_TAGS = frozenset(qname(t) for t in ("title", "guid", "enclosure", "pubDate", "itunes:image"))
# Of those, the tags whose attributes the feed rules read only some of: the ones they read.
READ_ATTRIBUTES = {"enclosure": ("url",), "guid": ()}
SKIPPED = ("M103", "M104")  # as check_show: enclosures come from the files the build read itself
SOURCE = f"{FEEDS_DIR}/{FEED_FILENAME}"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def item_rules() -> list[Rule]:
    return [r for r in RULES if r.code in ITEM_CODES]


def feed_rules() -> list[Rule]:
    return [r for r in RULES if r.code not in ITEM_CODES and r.code not in SKIPPED]


@dataclass(frozen=True)
class ItemLint:
    """What the item rules found in one item, and the item's digest (for the feed rules)."""

    problems: tuple[Problem, ...]
    digest: bytes


def _subject(show: Show, feed: FeedDoc, episodes: Sequence[Episode], now: datetime, **more) -> Subject:
    feed.origin = show_origin(show, episodes, feed)
    # The episodes' files matter only when their items are in the document.
    files_of = episodes if feed.items else ()
    resources = LocalFiles(show.root, show.base_url, lambda: show_files(show, files_of))
    return Subject(feed=feed, resources=resources, now=now, show=show, episodes=list(episodes), **more)


def _run(rules: Sequence[Rule], subject: Subject) -> list[Problem]:
    return run(subject, rules)


class ItemLinter:
    """Runs the item rules over one item at a time, in a feed of the show's channel alone.

    `findings` runs them all over a channel (with no items); `check` runs those that look at
    items over one item, in a channel cut down to the tags they read of it (a serial show's
    `itunes:type`), and keeps what the item adds to what that channel alone gives.
    """

    def __init__(self, show: Show, head: bytes, tail: bytes, now: datetime) -> None:
        self.show, self.now = show, now
        self.rules = item_rules()
        self.item_rules = [r for r in self.rules if r.code not in CHANNEL_CODES]
        # Most items name no image of their own: the artwork rules have nothing to read there.
        self.imageless_rules = [r for r in self.item_rules if r.code not in ARTWORK_CODES]
        self.head, self.tail = _cut_down(head, tail)
        # What the channel alone gives: taken away from each item's run, which sees it too.
        self.channel_only = _run(self.item_rules, _subject(show, _parse(self.head + self.tail), (), now))

    def findings(self, feed: FeedDoc, episodes: Sequence[Episode]) -> list[Problem]:
        """What the item rules find in `feed` (the channel, or the channel and items)."""
        return _run(self.rules, _subject(self.show, feed, episodes, self.now))

    def subject_of(self, episode: Episode, item: bytes) -> tuple[Subject, list[Rule]]:
        """What `check` looks at for `item`: the document of the channel and that item, and the
        rules it runs over it."""
        feed = _parse(self.head + item + self.tail)
        # An image the episode names by URL may be any file of the show's: the feed's run judges it.
        own_image = episode.image_path and next(feed.channel.iter(ITUNES_IMAGE), None) is not None
        rules = self.item_rules if own_image else self.imageless_rules
        return _subject(self.show, feed, [episode], self.now), rules

    def check(self, episode: Episode, item: bytes) -> ItemLint:
        subject, rules = self.subject_of(episode, item)
        found = run(subject, rules)
        channel_only = list(self.channel_only)
        problems = []
        for problem in found:
            if problem in channel_only:
                channel_only.remove(problem)
            else:
                problems.append(problem)
        return ItemLint(tuple(problems), digest(subject.feed.items[0]))


def _cut_down(head: bytes, tail: bytes) -> tuple[bytes, bytes]:
    """The channel with only the tags the item rules read of it, cut where items go."""
    root = etree.fromstring(head + tail, etree.XMLParser(remove_blank_text=True))
    channel = root.find("channel")
    for child in list(channel):
        if child.tag not in CHANNEL_TAGS_FOR_ITEMS:
            channel.remove(child)
    data = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return data[: -len(CHANNEL_END)], CHANNEL_END


def _parse(document: bytes) -> FeedDoc:
    root = etree.fromstring(document, _PARSER)
    channel = root.find("channel")
    return FeedDoc(SOURCE, document, root, channel, channel.findall("item"))


def digest(item: etree._Element) -> bytes:
    """The item with only the tags the feed rules read, in their order, on one line, and of those
    only the attributes they read (an enclosure's URL, not its length and type; not a guid's
    isPermaLink). It stands on its own (the namespaces it uses declared in it) and is short:
    10,000 of them are parsed for every build, and the last feed's too (each attribute left out
    is some 250 bytes of parsed tree an item: 8 MB a feed of 10,000)."""
    digest = etree.Element(item.tag, dict(item.attrib))
    for child in list(item):
        tag = child.tag
        if tag in DIGEST_TAGS:
            child.tail = None
            if tag in READ_ATTRIBUTES:
                kept = {name: child.get(name) for name in READ_ATTRIBUTES[tag] if name in child.attrib}
                child.attrib.clear()
                child.attrib.update(kept)
            digest.append(child)  # moved, with the namespace it uses: the item is not used again
    return etree.tostring(digest, encoding="UTF-8") + b"\n"


def check_assembled(
    show: Show,
    ordered: Sequence[Episode],
    head: bytes,
    tail: bytes,
    item_problems: Sequence[Sequence[Problem]],
    digests: Sequence[bytes],
    *,
    now: datetime,
    previous: FeedDoc | None,
    published_bytes: int,
    channel_linter: ItemLinter,
) -> list[Problem]:
    """The findings `check_show` gives for the document head + items + tail, from each item's
    own findings (`item_problems`, in the feed's order) and a digest of the feed."""
    channel_findings = channel_linter.findings(_parse(head + tail), ordered)
    feed = _parse(b"".join((head, *digests, tail)))  # one copy of the digests, not two
    subject = _subject(show, feed, ordered, now, previous=previous, published_bytes=published_bytes)
    item_problems = _artwork_judged_once(subject, ordered, item_problems)
    whole = _run(feed_rules(), subject)
    by_code: dict[str, list[Problem]] = {}
    for problem in (*channel_findings, *(p for problems in item_problems for p in problems), *whole):
        by_code.setdefault(problem.code or "", []).append(problem)
    return [p for r in RULES for p in by_code.get(r.code, ())]


def _artwork_judged_once(
    subject: Subject, ordered: Sequence[Episode], item_problems: Sequence[Sequence[Problem]]
) -> list[Sequence[Problem]]:
    """Each item's findings with the artwork findings of its image where lint of the whole
    document says them: once for each URL, where it first stands (the show's artwork is judged
    with the channel). An episode's own image was judged with its item; an image named by URL
    is judged here. `subject.feed` is the digest, which keeps each item's itunes:image."""
    feed = subject.feed
    problems_of = list(item_problems)
    images = [e for e in feed.channel.iter(ITUNES_IMAGE) if e.getparent().tag == "item"]
    if not images:
        return problems_of
    first_at = {url: feed.item_of(element) for url, element in artwork_urls(feed).items()}
    position = {item: index for index, item in enumerate(feed.items)}
    artwork_rules = [r for r in RULES if r.code in ARTWORK_CODES]
    for image in images:
        item = image.getparent()
        index = position.get(item)
        url = (image.get("href") or "").strip()
        if index is None or not url or item.find(ITUNES_IMAGE) is not image:
            continue  # an item's first itunes:image is its image
        first = first_at.get(url) is item
        if ordered[index].image_path:  # the episode's own image: judged with its item
            if not first and any(p.code in ARTWORK_CODES for p in problems_of[index]):
                problems_of[index] = [p for p in problems_of[index] if p.code not in ARTWORK_CODES]
        elif first:
            artwork = read_artwork(subject.resources, url, image)
            if artwork is not None:
                subject.artworks = [artwork]
                problems_of[index] = [*problems_of[index], *_run(artwork_rules, subject)]
                subject.artworks = None
    return problems_of
