"""One feed item: what it says (`ItemFields`, taken from the model once), and two ways to
write it that give the same bytes.

`to_entry` hands the fields to feedgen, whose `FeedEntry.rss_entry` and our extensions build
the item as an lxml tree: the reference. `to_text` writes the same item as text (xmltext), in
the order `rss_entry` writes RSS 2.0's own elements and then each extension's, in their
registration order: several times cheaper, and what the build uses.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from feedgen.entry import FeedEntry

from ..chapters import CHAPTERS_TYPE
from ..model import AudioInfo, Chapter, Episode, Show
from ..weburl import has_web_scheme
from . import xmltext
from .itunes import ItunesItem
from .podcastindex import AlternateEnclosure, PodcastIndexItem
from .psc import PSC_NS, PscItem
from .rss import RssItem
from .xmltext import CHILD, ITEM, attribute

# How an alternate enclosure is labelled for listeners choosing a version (≤ 32 characters).
FORMAT_NAMES = {"mp3": "MP3", "m4a": "AAC", "mp4": "MP4", "m4v": "MP4 video", "ogg": "Ogg", "opus": "Opus"}
# feedgen formats dates in the C locale; the names, whatever the process's locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TWO_DIGITS = tuple(f"{number:02d}" for number in range(100))  # a day, an hour, a minute, ...
# What urllib's quote leaves as it is (its always-safe characters and "/").
_SAFE_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")


def _quoted(path: str) -> str:
    """urllib's quote(path); most paths need none, which is quicker to see than to do."""
    return path if _SAFE_PATH.fullmatch(path) else quote(path)


def enclosure_url(show: Show, episode: Episode) -> str:
    if episode.audio is None and episode.remote_audio is not None:
        return episode.remote_audio.url  # as the producer wrote it
    path = episode.media_path
    assert path is not None
    return show.measured(show.url_for(_quoted(path)))


def _version(url: str, info: AudioInfo, *, default: bool = False) -> AlternateEnclosure:
    name = FORMAT_NAMES.get(info.format, info.format.upper() or "Audio")
    title = f"{name} {round(info.bitrate / 1000)} kbps" if info.bitrate else name
    return AlternateEnclosure(url, info.mime, info.size, info.bitrate, title, default)


def alternate_enclosures(show: Show, episode: Episode) -> tuple[AlternateEnclosure, ...]:
    """The main audio (default) and each other format, when there is more than one."""
    others = [a for a in episode.alternate_audio if a.info is not None]
    if not others or episode.info is None:
        return ()
    versions = [_version(enclosure_url(show, episode), episode.info, default=True)]
    for other in others:
        assert other.info is not None
        url = show.measured(show.url_for(_quoted(episode.media_path_of(other.path))))
        versions.append(_version(url, other.info))
    return tuple(versions)


def image_url(show: Show, episode: Episode) -> str | None:
    if episode.image_path:
        return show.url_for(episode.image_path)
    return episode.image


def _absolute_image(show: Show, chapter: Chapter) -> Chapter:
    """A chapter image published beside the feed is named relative to it; psc wants a URL."""
    if chapter.image and not has_web_scheme(chapter.image):
        return dataclasses.replace(chapter, image=show.url_for(_quoted(chapter.image)))
    return chapter


@dataclass
class ItemFields:
    """An item's values: RSS 2.0's own (as feedgen's FeedEntry takes them), and each
    namespace's, held by its item extension."""

    title: str
    guid: str
    published: datetime  # timezone-aware
    description: str
    link: str | None = None
    enclosure: tuple[str, str, str] | None = None  # url, length, type
    content: str | None = None  # the full notes' HTML, written as CDATA
    itunes: ItunesItem = dataclasses.field(default_factory=ItunesItem)
    podcastindex: PodcastIndexItem = dataclasses.field(default_factory=PodcastIndexItem)
    rss: RssItem = dataclasses.field(default_factory=RssItem)
    psc: PscItem = dataclasses.field(default_factory=PscItem)


# The item extensions, by the key each is registered under with feedgen, in that order.
EXTENSION_KEYS = ("itunes", "podcastindex", "rss", "psc")


# What each show setting that items read (pipeline.ITEM_ONLY) writes: tags of an item (short names
# as lint's documents give them, their children's included) or, for `type`, of the channel that
# lint of an item reads with it. Changing one leaves the rest of every item as it was; lint of an
# item keeps the findings of the rules that read none of these (ItemLinter.recheck). A setting
# not here may change anything.
SETTING_TAGS = {
    "author": ("itunes:author",),
    "explicit": ("itunes:explicit",),
    "type": ("itunes:type",),
    "simple_chapters": (f"{{{PSC_NS}}}chapters", f"{{{PSC_NS}}}chapter"),  # (no prefix lint knows)
    "persons": (),  # the channel's people: an item names the episode's own
    "license": (),  # the channel's, as are the locations
    "locations": (),
    "enclosure_prefix": ("enclosure", "podcast:alternateEnclosure", "podcast:source"),
}


def tags_written(settings: Iterable[str]) -> frozenset[str] | None:
    """The tags (SETTING_TAGS) that changing `settings` may change; None: any of them."""
    tags: set[str] = set()
    for name in settings:
        if name not in SETTING_TAGS:
            return None
        tags.update(SETTING_TAGS[name])
    return frozenset(tags)


def item_fields(show: Show, episode: Episode) -> ItemFields:
    """What the item of `episode` says."""
    info = episode.info
    notes = episode.notes if episode.notes is not None and episode.notes.html else None
    fields = ItemFields(
        title=episode.title,
        guid=episode.guid,
        published=episode.date,
        link=episode.link or None,
        enclosure=(enclosure_url(show, episode), str(info.size), info.mime) if info is not None else None,
        description=episode.title if notes is None else notes.description_html,
        content=None if notes is None else notes.html,
    )
    fields.rss.description_is_html = notes is not None

    itunes = fields.itunes
    itunes.author = ", ".join(episode.hosts) or show.author
    if info is not None and info.duration > 0:  # remote audio of unknown duration has none
        itunes.duration = round(info.duration)
    itunes.explicit = show.explicit if episode.explicit is None else episode.explicit
    itunes.episode_type = episode.episode_type
    itunes.season = episode.season
    itunes.episode = episode.number
    itunes.title = episode.itunes_title or episode.title
    itunes.image = image_url(show, episode)

    index = fields.podcastindex
    index.season = episode.season
    index.episode = episode.number
    index.transcripts = tuple((show.url_for(_quoted(t.publish_path)), t) for t in episode.transcripts)
    index.persons = episode.persons
    index.soundbites = episode.soundbites
    index.alternate_enclosures = alternate_enclosures(show, episode)
    index.locations = episode.locations
    index.license = episode.license

    # The chapters the build chose (chapters.json > audio > notes): JSON always, psc when asked for.
    if show.simple_chapters:
        fields.psc.chapters = tuple(_absolute_image(show, c) for c in episode.chapters)
    if episode.chapters:
        index.chapters = (show.url_for(episode.chapters_path), CHAPTERS_TYPE)
    return fields


def to_entry(fe: FeedEntry, fields: ItemFields) -> None:
    """Give feedgen's entry (with our extensions registered) the item's values."""
    fe.title(fields.title)
    fe.guid(fields.guid, permalink=False)
    fe.pubDate(fields.published)
    if fields.link:
        fe.link(href=fields.link)
    if fields.enclosure is not None:
        fe.enclosure(*fields.enclosure)
    fe.description(fields.description)
    if fields.content is not None:
        fe.content(fields.content, type="CDATA")
    # feedgen made the entry its own extension objects; they take on the values of ours.
    for key in EXTENSION_KEYS:
        vars(getattr(fe, key)).update(vars(getattr(fields, key)))


def rfc2822(date: datetime) -> str:
    """As feedgen's formatRFC2822 writes a date ('%a, %d %b %Y %H:%M:%S %z' in the C locale),
    without switching the process's locale, and without strftime for the usual dates."""
    day, month = _DAYS[date.weekday()], _MONTHS[date.month - 1]
    offset = date.utcoffset()
    if offset is None or offset.microseconds or offset.seconds % 60 or date.year < 1000:
        # strftime's forms for these (%z with seconds, a short %Y) are its own.
        return date.strftime(f"{day}, %d {month} %Y %H:%M:%S %z")
    minutes = offset.days * 1440 + offset.seconds // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    # Two-digit fields looked up rather than formatted: a third quicker than %-formatting them.
    two = _TWO_DIGITS
    return (
        f"{day}, {two[date.day]} {month} {date.year}"
        f" {two[date.hour]}:{two[date.minute]}:{two[date.second]} {sign}{two[hours]}{two[minutes]}"
    )


def to_text(fields: ItemFields) -> str:
    """The item as `to_entry` and feedgen write it in the feed, indentation and all; raises
    xmltext.Unfit for a value lxml would refuse (not every one: see xmltext.unfit)."""
    title, description, content = fields.title, fields.description, fields.content
    if not (title or description or content) or fields.published.tzinfo is None:
        raise xmltext.Unfit("an item feedgen refuses")  # it says why
    # The lines of RSS 2.0's own elements are written out here (xmltext.element's form): an item
    # has a dozen lines, and a call for each was a sixth of what writing one cost.
    out = [f"{ITEM}<item>\n"]
    if title:
        out.append(f"{CHILD}<title>{xmltext.text(title)}</title>\n")
    if fields.link:
        out.append(f"{CHILD}<link>{xmltext.text(fields.link)}</link>\n")
    if description and content:
        out.append(f"{CHILD}<description>{fields.rss.description(description)}</description>\n")
        out.append(f"{CHILD}<content:encoded>{xmltext.cdata(content)}</content:encoded>\n")
    elif description:
        out.append(f"{CHILD}<description>{fields.rss.description(description)}</description>\n")
    elif content:  # rss_entry writes the content, as CDATA, for the description
        out.append(f"{CHILD}<description>{fields.rss.description(content, cdata=True)}</description>\n")
    if fields.guid:
        out.append(f'{CHILD}<guid isPermaLink="false">{xmltext.text(fields.guid)}</guid>\n')
    if fields.enclosure is not None:
        url, length, kind = fields.enclosure
        out.append(
            f'{CHILD}<enclosure url="{attribute(url)}" length="{attribute(length or "0")}"'
            f' type="{attribute(kind)}"/>\n'
        )
    out.append(f"{CHILD}<pubDate>{rfc2822(fields.published)}</pubDate>\n")
    fields.itunes.write(out)
    fields.podcastindex.write(out)
    fields.psc.write(out)
    out.append(f"{ITEM}</item>\n")
    return "".join(out)
