"""Lint of a feed the build put together from items, without parsing the whole document.

Most rules judge each item on its own (its tags and values, and the episode's own image), so
what they find in an item is kept with it (in the build cache, with the item) and found again
only when the item changes: `ItemLinter.check` runs them over a document of the show's channel
and that one item (an item as the build writes it, that they surely find nothing in, is judged
from its text: plainitem.py). The rules that compare items with each other, with the feed last built, with
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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from ..errors import Problem
from ..feed import CHANNEL_END, xmltext
from ..feed.itunes import ITUNES_NS
from ..layout import FEED_FILENAME, FEEDS_DIR
from ..model import Episode, Show
from . import run  # the package, with every rule family, is loaded before any of its modules
from .feeddoc import PREFIXES, FeedDoc, artwork_urls, qname, text
from .origin import show_origin
from .plainitem import PLAIN_CODES, verdict
from .registry import RULES, Rule, Subject
from .resources import LocalFiles, show_files
from .rules_apple import DESCRIPTION_MAX_BYTES
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
_DIGEST_NAMES = {qname(t): t for t in ("title", "guid", "enclosure", "pubDate", "itunes:image")}
_ITUNES_IMAGE_START = f'<itunes:image xmlns:itunes="{ITUNES_NS}"'
# Of those, the tags whose attributes the feed rules read only some of: the ones they read.
READ_ATTRIBUTES = {"enclosure": ("url",), "guid": ()}
SKIPPED = ("M103", "M104")  # as check_show: enclosures come from the files the build read itself
SOURCE = f"{FEEDS_DIR}/{FEED_FILENAME}"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

# The item rules that read of an item's show notes (its `description` and `content:encoded`) no
# more than whether the text is blank (A104) and whether the description is over
# DESCRIPTION_MAX_BYTES (A112; A113 passes both over): every one of ITEM_CODES, read for it. Of
# an item that holds the notes whole in one CDATA section each, as the build writes it, `check`
# parses a stand-in (see `notes_stand_ins`); a rule added to ITEM_CODES and not here turns that
# off until it is read and listed.
NOTES_BLIND_CODES = frozenset(
    {
        "A101", "A102", "A103", "A104", "A105", "A106", "A110", "A111", "A112", "A113",
        "A120", "A121", "A122", "M101", "M102", "U101", "U102", "U103", "D101",
        *ARTWORK_CODES,
    }
)  # fmt: skip
_CDATA_START, _CDATA_END = b"<![CDATA[", b"]]>"
_WORD = re.compile(rb"[0-9A-Za-z]")  # no character str.strip takes away
_NOT_KEPT = bytes(set(range(256)) - {*range(0x00, 0x09), 0x0A, 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20)})


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
    `itunes:type`), and keeps what the item adds to what that channel alone gives; a plain
    item's verdict (nothing) is read from its text instead, with the same digest.
    """

    def __init__(
        self,
        show: Show,
        head: bytes,
        tail: bytes,
        now: datetime,
        *,
        shortcuts: bool = True,
        verdicts: bool = True,
    ) -> None:
        """`shortcuts`: read a plain item's verdict from its text (plainitem; `verdicts` False:
        not), parse any other with its notes stood in for and write its digest as text, where
        that gives the same findings and bytes (False: the long way, to compare with)."""
        self.show, self.now = show, now
        self.shortcuts = shortcuts
        self.rules = item_rules()
        self.item_rules = [r for r in self.rules if r.code not in CHANNEL_CODES]
        # Most items name no image of their own: the artwork rules have nothing to read there.
        self.imageless_rules = [r for r in self.item_rules if r.code not in ARTWORK_CODES]
        self.item_codes = frozenset(r.code for r in self.item_rules)
        self.readers: dict[frozenset[str], list[Rule]] = {}  # the item rules that read any of these tags
        self.head, self.tail = _cut_down(head, tail)
        # In a document with a default namespace, "<description>" would name another tag.
        self.stand_ins = shortcuts and b"xmlns=" not in self.head and all(
            r.code in NOTES_BLIND_CODES for r in self.rules
        )
        # What the channel alone gives: taken away from each item's run, which sees it too.
        channel = _parse(self.head + self.tail)
        self.channel_only = _run(self.item_rules, _subject(show, channel, (), now))
        # A plain item's verdict is read from its text (plainitem), in a channel that declares
        # the prefixes as the build does and no default namespace.
        self.plain = (
            shortcuts
            and verdicts
            and self.item_codes <= PLAIN_CODES
            and all(channel.root.nsmap.get(p) == uri for p, uri in PREFIXES.items())
            and None not in channel.root.nsmap
        )
        self.serial = text(channel.channel.find(qname("itunes:type"))) == "serial"

    def findings(self, feed: FeedDoc, episodes: Sequence[Episode]) -> list[Problem]:
        """What the item rules find in `feed` (the channel, or the channel and items)."""
        return _run(self.rules, _subject(self.show, feed, episodes, self.now))

    def subject_of(self, episode: Episode, item: bytes) -> tuple[Subject, list[Rule]]:
        """What `check` looks at for `item`: the document of the channel and that item, and the
        rules it runs over it."""
        feed = _parse(self.head + (notes_stand_ins(item) if self.stand_ins else item) + self.tail)
        # An image the episode names by URL may be any file of the show's: the feed's run judges it.
        own_image = episode.image_path and next(feed.channel.iter(ITUNES_IMAGE), None) is not None
        rules = self.item_rules if own_image else self.imageless_rules
        return _subject(self.show, feed, [episode], self.now), rules

    def check(self, episode: Episode, item: bytes) -> ItemLint:
        if self.plain:
            digest = verdict(item, serial=self.serial)
            if digest is not None:
                return ItemLint((), digest)
        subject, rules = self.subject_of(episode, item)
        return ItemLint(tuple(self._item_findings(subject, rules)), self._digest(subject.feed))

    def recheck(
        self, episode: Episode, item: bytes, before: ItemLint, changed: frozenset[str] | None
    ) -> ItemLint:
        """What `check` finds in `item`, made again of the same episode after show settings
        changed that write only the tags `changed` (short names, as feed.item.SETTING_TAGS gives
        them; None: any) of an item and of the channel, given what `check` found in the item
        made before (`before`): a rule that reads none of those tags finds what it found, so
        only the others run; and the digest is the one before when it holds none of them.

        The long way (`check`) where that is not sure: without shortcuts, when a changed tag
        names or places findings (title, guid) or is one the artwork rules read, and when a
        finding before is not traced to a file of the show (its place in the document would
        be its line in it, which changed tags before it move)."""
        rules = self.item_rules
        if not self.shortcuts or changed is None or changed & _PLACING_TAGS:
            return self.check(episode, item)
        codes = self.item_codes
        if any(p.code not in codes or p.path == SOURCE for p in before.problems):
            return self.check(episode, item)
        again = self.readers.get(changed)
        if again is None:
            again = self.readers[changed] = [r for r in rules if _reads_any(r, changed)]
        if any(r.code in ARTWORK_CODES for r in again):
            return self.check(episode, item)
        same_digest = not changed & _DIGEST_SHORT_NAMES
        if not again and same_digest:
            return before
        if self.plain:  # an item made again that nothing is found in: its verdict is quicker
            digest = verdict(item, serial=self.serial)
            if digest is not None:
                return ItemLint((), digest)
        subject, _ = self.subject_of(episode, item)
        found = self._item_findings(subject, again)
        again_codes = {r.code for r in again}
        by_code: dict[str | None, list[Problem]] = {}
        for problem in (*(p for p in before.problems if p.code not in again_codes), *found):
            by_code.setdefault(problem.code, []).append(problem)
        problems = tuple(p for r in rules for p in by_code.get(r.code, ()))
        return ItemLint(problems, before.digest if same_digest else self._digest(subject.feed))

    def _item_findings(self, subject: Subject, rules: Sequence[Rule]) -> list[Problem]:
        """What `rules` find in the document of the channel and one item, but what they find in
        the channel alone."""
        found = run(subject, rules)
        channel_only = list(self.channel_only)
        problems = []
        for problem in found:
            if problem in channel_only:
                channel_only.remove(problem)
            else:
                problems.append(problem)
        return problems

    def _digest(self, feed: FeedDoc) -> bytes:
        """The digest of the document's one item (which the long way takes elements from)."""
        element = feed.items[0]
        if not self.shortcuts:
            return tree_digest(element)
        # The item's children by tag, which the rules took: in order, when no tag is there twice.
        children = feed.children()[0]
        written = _digest_text(element, children if len(children) == len(element) else None)
        return tree_digest(element) if written is None else written


# The tags every rule reads of an item, to name it and trace a finding to its episode.md.
_PLACING_TAGS = frozenset({"title", "guid"})
_DIGEST_SHORT_NAMES = frozenset(_DIGEST_NAMES.values())


def _reads_any(rule: Rule, tags: frozenset[str]) -> bool:
    """Whether `rule` reads any of `tags` (Rule.reads; a name ending in ":" is every tag of
    that prefix)."""
    reads = rule.reads
    if reads is None:
        return bool(tags)
    prefixes = [name for name in reads if name.endswith(":")]
    return any(tag in reads or tag.startswith(tuple(prefixes)) for tag in tags)


def notes_stand_ins(item: bytes) -> bytes:
    """`item` with the text of its show notes replaced by a stand-in the item rules cannot tell
    from it, where that is sure: "x" and the text's line feeds (every element after stays on
    its line). libxml2 reads a CDATA section several times slower than other text, and the notes
    are most of an item: they were most of what parsing one cost.

    A stand-in replaces the CDATA section that is all of a `description` or `content:encoded`
    (no attribute, nothing else in it) when its text is not blank (an ASCII letter or digit in
    it), a description's is at most DESCRIPTION_MAX_BYTES, there is no carriage return in it
    (which XML reads as a line end) and every character is one XML takes (else the item does not
    parse either way). Sections are found as paging.cut finds them: one ends at the first "]]>",
    and "<![CDATA[" outside one begins one (text and attributes have "<" escaped). A comment or a
    processing instruction, where one could hide a "<![CDATA[", or a namespace declaration (a
    default one would make "<description>" another tag), before a section leaves the item as it
    is from there on."""
    pieces: list[bytes] = []
    find = item.find
    kept = position = 0  # kept: where the bytes not yet copied begin
    while (start := find(_CDATA_START, position)) >= 0:
        if find(b"<!--", position, start) >= 0 or find(b"<?", position, start) >= 0:
            break
        if find(b"xmlns", position, start) >= 0:
            break
        body = start + len(_CDATA_START)
        end = find(b"]", body)  # "]" is found several times faster than "]]>", and notes hold few
        while end >= 0 and not item.startswith(_CDATA_END, end):
            end = find(b"]", end + 1)
        if end < 0:
            break
        position = end + len(_CDATA_END)
        if item.endswith(b"<description>", 0, start):
            if end - body > DESCRIPTION_MAX_BYTES or not item.startswith(b"</description>", position):
                continue
        elif not item.endswith(b"<content:encoded>", 0, start):
            continue
        elif not item.startswith(b"</content:encoded>", position):
            continue
        lines = _stand_in(item[body:end])
        if lines is not None:
            pieces += (item[kept:body], b"x", lines)
            kept = end
    if not pieces:
        return item
    pieces.append(item[kept:])
    return b"".join(pieces)


def _stand_in(text: bytes) -> bytes | None:
    """The line feeds of the notes' `text` when a stand-in may replace it, else None."""
    if _WORD.search(text) is None:
        return None
    if not text.isascii():
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if b"\xef\xbf\xbe" in text or b"\xef\xbf\xbf" in text:  # U+FFFE, U+FFFF
            return None
    # One pass keeps the line feeds, the carriage returns and the control characters XML refuses.
    lines = text.translate(None, _NOT_KEPT)
    return None if lines.strip(b"\n") else lines


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
    channel = next(root.iterchildren("channel"))  # iterchildren: C's loop, where find is Python's
    return FeedDoc(SOURCE, document, root, channel, list(channel.iterchildren("item")))


def digest(item: etree._Element) -> bytes:
    """The item with only the tags the feed rules read, in their order, on one line, and of those
    only the attributes they read (an enclosure's URL, not its length and type; not a guid's
    isPermaLink). It stands on its own (the namespaces it uses declared in it) and is short:
    10,000 of them are parsed for every build, and the last feed's too (each attribute left out
    is some 250 bytes of parsed tree an item: 8 MB a feed of 10,000).

    Written as text as lxml would serialize it (xmltext: several times quicker than moving the
    elements into a tree of their own and serializing that, which is still the way for an item
    that is not as plain as the build writes them); the item is left as it was."""
    written = _digest_text(item)
    return written if written is not None else tree_digest(item)


def tree_digest(item: etree._Element) -> bytes:
    """`digest` the long way: the elements moved into a tree of their own, serialized by lxml.
    The item is not used again: its elements are taken from it."""
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


def _digest_text(item: etree._Element, children: dict[str, etree._Element] | None = None) -> bytes | None:
    """`tree_digest`'s bytes, written out; None for an item it does not know how to write (one
    with attributes, a digest tag holding elements, comments or a namespaced attribute, an
    itunes:image under another prefix). `children`: the item's children by tag, when each is
    its only one (FeedDoc.children), in their order."""
    if len(item.attrib):
        return None
    out = ["<item>"]
    if children is None:
        found = item.iterchildren(*DIGEST_TAGS)  # in document order, the others passed over in C
    else:
        found = (child for tag, child in children.items() if tag in DIGEST_TAGS)
    for child in found:
        tag = child.tag
        if len(child):
            return None
        if tag == "enclosure":
            url = child.get("url")
            out.append("<enclosure" if url is None else f'<enclosure url="{xmltext.attribute(url)}"')
        elif tag == "guid":
            out.append("<guid")
        else:
            if tag == ITUNES_IMAGE:
                if child.prefix != "itunes":
                    return None
                out.append(_ITUNES_IMAGE_START)
            else:
                out.append(f"<{tag}")
            for name, value in child.items():
                if name[0] == "{":
                    return None
                out.append(f' {name}="{xmltext.attribute(value)}"')
        value = child.text
        if value is None:
            out.append("/>")
        elif not value:
            return None  # no parsed element holds empty text; lxml's way is sure for one that does
        else:
            out.append(f">{xmltext.text(value)}</{_DIGEST_NAMES[tag]}>")
    out.append("</item>\n")
    return "".join(out).encode("utf-8")


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
