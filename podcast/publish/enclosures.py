"""The enclosure check: before the feed goes up, every file it names answers as the feed says.

Each enclosure URL (and each `podcast:alternateEnclosure` source) is asked at its public
address, through an analytics prefix's redirects when there is one, the way Apple asks:
HEAD must give 200 with the enclosure's byte length and its type, and a request for
`bytes=0-1` must give 206 (Apple refuses hosts that do not stream byte ranges).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

from .. import net
from ..feed.podcastindex import PODCAST_NS

RANGE_MAX_BYTES = 65536  # a server that ignores Range sends the whole file: stop reading early
WORKERS = 8  # enclosures asked at once: a show of 500 episodes is 1000 requests

# Types that name the same thing: servers and the feed may each use either.
_SAME_TYPE = (
    {"audio/x-m4a", "audio/mp4", "audio/m4a", "audio/mp4a-latm"},
    {"audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg"},
    {"video/x-m4v", "video/mp4", "video/m4v"},
    {"audio/ogg", "application/ogg", "audio/vorbis"},
    {"audio/opus", "audio/ogg"},  # Opus lives in an Ogg container; servers name either
    {"audio/flac", "audio/x-flac"},
    {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"},
    {"audio/aac", "audio/x-aac", "audio/aacp"},
)


@dataclass(frozen=True)
class Enclosure:
    """One file the feed points apps at."""

    url: str
    length: int | None
    type: str | None
    title: str  # the episode's title, for messages
    guid: str | None = None


def read_enclosures(document: bytes) -> list[Enclosure]:
    """Every enclosure and alternate source in a feed, once each, in document order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(document, parser)
    found: dict[str, Enclosure] = {}
    for item in root.iterfind("channel/item"):
        title = (item.findtext("title") or "").strip() or "(untitled)"
        guid = (item.findtext("guid") or "").strip() or None
        for url, length, kind in _files_of(item):
            if url and url not in found:
                found[url] = Enclosure(url, _int(length), kind, title, guid)
    return list(found.values())


def _files_of(item: etree._Element) -> Iterator[tuple[str, str | None, str | None]]:
    enclosure = item.find("enclosure")
    if enclosure is not None:
        yield (enclosure.get("url") or "").strip(), enclosure.get("length"), enclosure.get("type")
    for alternate in item.iterfind(f"{{{PODCAST_NS}}}alternateEnclosure"):
        for source in alternate.iterfind(f"{{{PODCAST_NS}}}source"):
            yield (source.get("uri") or "").strip(), alternate.get("length"), alternate.get("type")


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def same_type(served: str | None, said: str | None) -> bool:
    if not said:
        return True
    if not served:
        return False
    served, said = served.split(";")[0].strip().lower(), said.split(";")[0].strip().lower()
    return served == said or any(served in group and said in group for group in _SAME_TYPE)


def check(client: net.Client, enclosure: Enclosure) -> str | None:
    """What is wrong with how the server answers for `enclosure`, or None when all is right."""
    try:
        head = client.head(enclosure.url, check=False)
    except net.NetError as exc:
        return f"HEAD {enclosure.url}: {exc.reason}"
    where = head.final_url if head.final_url != enclosure.url else enclosure.url
    if head.status != 200:
        return f"HEAD {where}: HTTP {head.status} {head.reason_phrase}".strip()
    said = []
    if enclosure.length is not None and head.content_length != enclosure.length:
        served = f"{head.content_length:,}" if head.content_length is not None else "no"
        said.append(f"Content-Length {served} bytes, the feed says {enclosure.length:,}")
    if not same_type(head.content_type, enclosure.type):
        said.append(f"Content-Type {head.content_type or '(none)'}, the feed says {enclosure.type}")
    if said:
        return f"HEAD {where}: " + "; ".join(said)
    try:
        part = client.get(
            enclosure.url,
            headers={"Range": "bytes=0-1", "Accept-Encoding": "identity"},
            max_bytes=RANGE_MAX_BYTES,
            check=False,
        )
    except net.NetError as exc:
        if exc.status == 200:  # the whole file came back, too large to read: no byte ranges
            return f"GET {where} with Range: bytes=0-1: HTTP 200 with the whole file, not 206 Partial Content"
        return f"GET {where} with Range: bytes=0-1: {exc.reason}"
    if part.status != 206:
        return f"GET {where} with Range: bytes=0-1: HTTP {part.status}, not 206 Partial Content"
    return None


def check_all(
    enclosures: list[Enclosure], make_client: Callable[[], net.Client], workers: int = WORKERS
) -> list[tuple[Enclosure, str]]:
    """Check every enclosure, a few at a time; the failures, in feed order."""
    results = net.each_with_client(check, enclosures, make_client, workers)
    return [(e, trouble) for e, trouble in zip(enclosures, results, strict=True) if trouble]
