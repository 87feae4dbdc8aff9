"""`podcast lint`: what Apple, Spotify, Podcast Index and the apps will refuse, said first.

An ordered list of small rules. Each has a stable code, a severity, a line saying
what it checks and a hint; each yields findings located at a file and a field or
line. Rules read the feed XML (so they work on any feed, ours or one built
elsewhere), the model (when a show directory is linted) and, for a feed given by
URL, what its server answers.

Three ways in:
- `check_show(show, episodes, document)`: the feed `podcast build` is about to
  write, with every finding traced back to podcast.toml or the episode.md it came
  from; the audio and artwork are the local files.
- `check_feed_file(path)`: a feed file. Offline: the files it points to are checked
  only when they lie beside it in a show directory (feeds/, episodes/).
- `check_url(url)`: a published feed, fetched through net.py; every enclosure must
  answer HEAD and a byte-range request, and the artwork is downloaded and checked.

This module is the runner and the public API. The rest of the package:
- feeddoc.py: the parsed feed (`FeedDoc`) and places in it (`Where`, `Finding`);
- resources.py: how the files a feed names are reached (none, the show directory,
  the servers); the only module that talks HTTP;
- registry.py: `Rule`, `Subject` (what a rule looks at) and the ordered `RULES`;
- origin.py: a show directory's findings traced back to podcast.toml and episode.md;
- rules_apple.py (A), rules_identity.py (G), rules_media.py (M, U, D, S),
  rules_artwork.py (I), rules_network.py (N): the rules, one family per module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem, errors_in, warnings_in
from ..layout import FEED_FILENAME, FEEDS_DIR, SHOW_FILE
from ..model import Episode, Show
from .feeddoc import (
    ATOM_NS,
    CONTENT_NS,
    PREFIXES,
    FeedDoc,
    Finding,
    Origin,
    Where,
    artwork_urls,
    enclosure_url,
    parse_feed_xml,
    qname,
    short_name,
)
from .origin import show_origin
from .registry import MAX_FEED_BYTES, RULES, Rule, Subject, rule
from .remote_audio import check_remote_audio
from .resources import (
    ARTWORK_MAX_DOWNLOAD,
    FEED_MAX_DOWNLOAD,
    HTTP_DEADLINE,
    HTTP_TIMEOUT,
    USER_AGENT,
    Fetched,
    LocalFiles,
    Remote,
    Resources,
    new_client,
    show_files,
    show_probes,
)

if TYPE_CHECKING:
    from .. import net

# The rule families register their rules as they are imported: this order is the
# order rules run and the README's table (tests/test_lint.py pins it).
# isort: off
from . import rules_apple, rules_identity, rules_media, rules_artwork, rules_network  # noqa: F401

# isort: on
from ..artwork import ARTWORK_MAX_PX, ARTWORK_MIN_PX, IMAGE_EXTENSIONS
from .rules_apple import DESCRIPTION_MAX_BYTES, VALUE_MAX_CHARS
from .rules_artwork import Artwork
from .rules_media import APPLE_MEDIA_TYPES

__all__ = [
    "APPLE_MEDIA_TYPES",
    "ARTWORK_MAX_DOWNLOAD",
    "FEED_MAX_DOWNLOAD",
    "HTTP_DEADLINE",
    "ARTWORK_MAX_PX",
    "ARTWORK_MIN_PX",
    "ATOM_NS",
    "CONTENT_NS",
    "DESCRIPTION_MAX_BYTES",
    "HTTP_TIMEOUT",
    "IMAGE_EXTENSIONS",
    "MAX_FEED_BYTES",
    "PREFIXES",
    "RULES",
    "RULE_BY_CODE",
    "USER_AGENT",
    "VALUE_MAX_CHARS",
    "Artwork",
    "FeedDoc",
    "Fetched",
    "Finding",
    "LocalFiles",
    "Origin",
    "Remote",
    "Resources",
    "Rule",
    "Subject",
    "Where",
    "check_feed_file",
    "check_remote_audio",
    "check_show",
    "check_url",
    "failed",
    "parse_feed",
    "qname",
    "rule",
    "rules_table",
    "run",
    "short_name",
    "show_origin",
]

RULE_BY_CODE = {r.code: r for r in RULES}


# ---------------------------------------------------------------- running


def _problem(rule_: Rule, finding: Finding) -> Problem:
    where = finding.where
    return Problem(
        path=where.path,
        message=finding.message,
        field=where.field,
        line=where.line,
        hint=finding.hint or rule_.hint,
        severity=finding.severity or rule_.severity,
        code=rule_.code,
    )


def run(subject: Subject, rules: Sequence[Rule] = RULES) -> list[Problem]:
    """Every rule, in order, over `subject`."""
    return [_problem(r, finding) for r in rules for finding in r.run(subject)]


def failed(problems: Iterable[Problem], *, strict: bool = False) -> bool:
    """True when the problems should stop a build or fail `podcast lint`."""
    problems = list(problems)
    return bool(errors_in(problems) or (strict and warnings_in(problems)))


def parse_feed(data: bytes, source: str) -> tuple[FeedDoc | None, list[Problem]]:
    """Parse feed bytes; a document that is not RSS 2.0 is one X101 problem."""
    parsed = parse_feed_xml(data, source)
    if isinstance(parsed, Finding):
        return None, [_problem(RULE_BY_CODE["X101"], parsed)]
    return parsed, []


def check_show(
    show: Show,
    episodes: Sequence[Episode],
    document: bytes,
    *,
    previous: bytes | None = None,
    now: datetime | None = None,
    ordered: Sequence[Episode] | None = None,
    published_bytes: int | None = None,
) -> list[Problem]:
    """Lint the feed `document` rendered from `show` and its published `episodes`.

    `published_bytes` is the size of what apps fetch, when the show pages its feed and that is
    only the first page of `document`.

    `ordered` is the episodes in the order the feed lists them (newest first); with
    it, findings name podcast.toml or the episode.md to edit instead of feed lines.
    `previous` is the feed last built, for G103.
    """
    source = f"{FEEDS_DIR}/{FEED_FILENAME}"
    feed, problems = parse_feed(document, source)
    if feed is None:
        return problems
    if ordered is not None:
        feed.origin = show_origin(show, ordered, feed)
    known = show_files(show, episodes)
    last = None
    if previous is not None:
        last, _ = parse_feed(previous, source)
    subject = Subject(
        feed=feed,
        resources=LocalFiles(show.root, show.base_url, known),
        now=now or datetime.now(UTC),
        show=show,
        episodes=list(episodes),
        previous=last,
        published_bytes=published_bytes,
    )
    # Enclosures come from probed files: M103/M104 would re-read every one to agree
    # with itself. They matter for feeds made elsewhere, which check_feed_file reads.
    rules = [r for r in RULES if r.code not in ("M103", "M104")]
    return run(subject, rules)


def _self_url(feed: FeedDoc) -> str | None:
    for link in feed.channel.findall(qname("atom:link")):
        if link.get("rel") == "self" and link.get("href"):
            return link.get("href")
    return None


def check_feed_file(path: Path, *, now: datetime | None = None) -> list[Problem]:
    """Lint a feed file, offline. Files it points to are checked when found beside it."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Problem(str(path), f"cannot be read: {exc.strerror}", hint="check the path", code="X101")]
    feed, problems = parse_feed(data, str(path))
    if feed is None:
        return problems
    now = now or datetime.now(UTC)
    self_url = _self_url(feed)
    show_root = path.resolve().parent.parent
    if not (self_url and path.parent.name == FEEDS_DIR and (show_root / SHOW_FILE).is_file()):
        return run(Subject(feed=feed, resources=Resources(), now=now))
    with show_probes(show_root) as probes:
        resources = LocalFiles(show_root, self_url.rsplit("/", 1)[0] + "/", probes=probes)
        return run(Subject(feed=feed, resources=resources, now=now))


def check_url(
    url: str,
    *,
    now: datetime | None = None,
    timeout: float = HTTP_TIMEOUT,
    deadline: float = HTTP_DEADLINE,
    client: net.Client | None = None,
) -> list[Problem]:
    """Fetch a published feed and lint it, asking its servers about every file.

    Every request goes through podcast/net.py: `timeout` per read, `deadline` per
    request in all, the feed capped at FEED_MAX_DOWNLOAD bytes once decoded.
    """
    owned = client is None
    if client is None:
        client = new_client(timeout, deadline)
    try:
        remote = Remote(client, make_client=lambda: new_client(timeout, deadline))
        document = remote.feed(url)
        if isinstance(document, Fetched):
            rule_ = RULE_BY_CODE["N101"]
            return [_problem(rule_, Finding(Where(url), f"cannot fetch the feed: {document.error}"))]
        feed, problems = parse_feed(document, url)
        if feed is None:
            return problems
        enclosures = [enclosure_url(item) for item in feed.items]
        remote.ask_ahead(heads=[*enclosures, *artwork_urls(feed)], ranges=enclosures)
        return run(Subject(feed=feed, resources=remote, now=now or datetime.now(UTC)))
    finally:
        if owned:
            client.close()


def rules_table() -> str:
    """The rules as a Markdown table (the README's)."""
    rows = ["| code | severity | what it checks | hint |", "|---|---|---|---|"]
    for r in RULES:
        rows.append(f"| {r.code} | {r.severity} | {r.checks} | {r.hint} |")
    return "\n".join(rows)
