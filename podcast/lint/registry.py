"""What a rule is, what it looks at (`Subject`), and the ordered list they are kept in.

`@rule(code, severity, checks, hint)` appends a function to `RULES`; the rule
modules are imported in a fixed order by `podcast.lint`, and that order is the
order rules run and the README's table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from lxml import etree

from ..errors import Severity
from ..model import Episode, Show
from .feeddoc import FeedDoc, Finding, qname
from .resources import Resources

if TYPE_CHECKING:
    from PIL import Image

# Our own threshold, not a directory's published limit: every app re-downloads the
# whole feed on each refresh, and some directories stop reading very large feeds.
MAX_FEED_BYTES = 1_000_000


@dataclass(frozen=True)
class Artwork:
    """One artwork URL of the feed, read once and shared by the I1xx rules."""

    element: etree._Element
    url: str
    image: Image.Image | None
    error: str | None


@dataclass
class Subject:
    """Everything one lint run looks at."""

    feed: FeedDoc
    resources: Resources
    now: datetime
    show: Show | None = None  # with episodes: a show directory
    episodes: Sequence[Episode] = ()
    previous: FeedDoc | None = None  # the feed last built, to keep GUIDs stable
    max_feed_bytes: int = MAX_FEED_BYTES
    published_bytes: int | None = None  # feed.xml's size, when it is the first page of `feed`
    artworks: list[Artwork] | None = None  # read once, shared by the I1xx rules


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    checks: str  # what it checks, one line (the README's rules table)
    hint: str  # what to do about it
    run: Callable[[Subject], Iterable[Finding]] = field(repr=False, compare=False)
    # The tags (short names; "podcast:" for every tag of that prefix) whose elements, attributes
    # and text it reads, beyond an item's title and guid (which name and place every finding);
    # None: it may read anything. Lint of an item made again after a show setting changed keeps
    # the findings of the rules that read none of the tags the setting writes (itemwise).
    reads: frozenset[str] | None = field(default=None, compare=False)


RULES: list[Rule] = []


def rule(code: str, severity: Severity, checks: str, hint: str, *, reads: Iterable[str] | None = None):
    def register(function: Callable[[Subject], Iterable[Finding]]):
        tags = None if reads is None else frozenset(reads)
        RULES.append(Rule(code, severity, checks, hint, function, tags))
        return function

    return register


def _none(_: Subject) -> Iterable[Finding]:
    return ()


# X101 is raised by parse_feed; it is listed here so it has its place in the table.
rule(
    "X101",
    "error",
    'the document is well-formed XML with `<rss version="2.0">` and a `<channel>`',
    "fix the XML at that line; every app gives up on a feed that does not parse",
)(_none)


def items_with(subject: Subject, tag: str) -> Iterator[tuple[etree._Element, etree._Element | None]]:
    """Each item with its first `tag` child (None when it has none)."""
    name = qname(tag)
    feed = subject.feed
    for item, children in zip(feed.items, feed.children(), strict=True):
        yield item, children.get(name)
