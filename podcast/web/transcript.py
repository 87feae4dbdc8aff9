"""A transcript file → what an episode page shows: timed cues the player follows, or text.

The build has already checked every transcript (transcripts.find), so reading one
here does not fail on its format; it only picks the kind a listener can follow best.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .. import notes
from ..model import Transcript

# A transcript's page is the episode's, so its <head> (a title, styles) is not text to show.
DROPPED = notes.DROPPED_WITH_CONTENT | {"head", "title"}


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    text: str
    speaker: str | None = None


# A transcript larger than this is linked from the page, not shown in it: a page stays light.
PAGE_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class PageTranscript:
    cues: tuple[Cue, ...] = ()  # timed: each cue seeks the player, the current one is marked
    html: str = ""  # untimed: sanitized HTML
    too_large: bool = False  # neither: the page links to the file


# Markup inside a cue: SubRip's <i>, <b>, <font color=…> and {\an8}; WebVTT's tags are gone already.
_CUE_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|\{\\[^{}]*\}")


def _cue_text(text: str) -> str:
    """What a cue says, as text: its markup removed and its entities (&amp; for &) read."""
    return html.unescape(_CUE_MARKUP.sub("", text))


def _vtt(path: Path) -> tuple[Cue, ...]:
    import webvtt  # (~10 ms to import: only when a page shows such a transcript)

    return tuple(
        Cue(caption.start_in_seconds + caption.start_time.milliseconds / 1000, _cue_text(caption.text))
        for caption in webvtt.read(str(path))
    )


def _srt(text: str) -> tuple[Cue, ...]:
    import srt

    return tuple(Cue(sub.start.total_seconds(), _cue_text(sub.content)) for sub in srt.parse(text))


def _json(text: str) -> tuple[Cue, ...]:
    segments = json.loads(text).get("segments", [])
    cues = []
    for segment in segments:
        if isinstance(segment, dict):
            speaker = segment.get("speaker")  # a name; anything else ({}, 3) is no one to show
            speaker = speaker if isinstance(speaker, str) and speaker.strip() else None
            cues.append(Cue(float(segment["startTime"]), str(segment.get("body", "")), speaker))
    return tuple(cues)


def _merge(cues: tuple[Cue, ...]) -> tuple[Cue, ...]:
    """Cues split mid-sentence read badly as lines: join a cue to the one before until a sentence ends."""
    merged: list[Cue] = []
    for cue in cues:
        text = " ".join(cue.text.split())
        if not text:
            continue
        last = merged[-1] if merged else None
        if last and last.speaker == cue.speaker and not last.text.endswith((".", "!", "?", "…", '"')):
            merged[-1] = Cue(last.start, f"{last.text} {text}", last.speaker)
        else:
            merged.append(Cue(cue.start, text, cue.speaker))
    return tuple(merged)


def read(transcript: Transcript) -> PageTranscript:
    path = transcript.path
    if path.stat().st_size > PAGE_MAX_BYTES:
        return PageTranscript(too_large=True)
    text = path.read_text("utf-8")
    suffix = path.suffix.lower()
    if suffix == ".vtt":
        return PageTranscript(cues=_merge(_vtt(path)))
    if suffix == ".srt":
        return PageTranscript(cues=_merge(_srt(text)))
    if suffix == ".json":
        return PageTranscript(cues=_merge(_json(text)))
    if suffix == ".html":
        import nh3

        clean = nh3.clean(
            text,
            tags=notes.ALLOWED_TAGS,
            attributes=notes.ALLOWED_ATTRIBUTES,
            url_schemes=notes.URL_SCHEMES,
            clean_content_tags=DROPPED,
            link_rel="nofollow noopener",
        )
        return PageTranscript(html=clean.strip())
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    return PageTranscript(html="".join(f"<p>{html.escape(p)}</p>" for p in paragraphs))


def for_page(transcripts: tuple[Transcript, ...]) -> PageTranscript | None:
    """The transcript a page shows: the first in the feed's order (timed formats come first)."""
    return read(transcripts[0]) if transcripts else None
