"""Episode chapters: `chapters.json` (JSON chapters 1.2) in, the feed's JSON chapters out.

An episode's chapters come from one source, in this order of precedence:
`chapters.json` in the episode folder, then the chapters in the audio (ID3
CHAP/CTOC, MP4 Nero chapters), then the timestamps found in the show notes.
The audio's chapters count only when someone other than `podcast tag` put them
there (`from_audio`); the build and `podcast tag` both ask here.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from pathlib import Path

from . import boundedjson
from .errors import PodcastError, Problem
from .files import FolderListing, confined, link_kind, read_bounded
from .model import AudioFile, Chapter
from .weburl import has_web_scheme

CHAPTERS_TYPE = "application/json+chapters"
CHAPTERS_VERSION = "1.2.0"
CHAPTERS_MAX_BYTES = 2_000_000  # an hour of chapters is a few kilobytes


def from_audio(found: AudioFile) -> tuple[Chapter, ...]:
    """The audio's own chapters as a source: none when `podcast tag` wrote them, since those
    are copies of the notes' or chapters.json's, which are the source."""
    return () if found.chapters_written_by_tag else found.chapters


def resolve(
    from_file: tuple[Chapter, ...] | None,
    from_audio: tuple[Chapter, ...],
    from_notes: tuple[Chapter, ...],
) -> tuple[Chapter, ...]:
    """The chapters an episode publishes. A chapters.json that exists wins, even when empty."""
    if from_file is not None:
        return from_file
    return from_audio or from_notes


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def load(
    path: Path | str,
    rel: str,
    problems: list[Problem],
    *,
    root: Path | None = None,
    listing: FolderListing | None = None,
) -> tuple[Chapter, ...] | None:
    """Read a chapters.json; None when there is none. Problems name the chapter and field.

    The file must lie inside `root` (default: its own folder) once links are followed,
    be a regular file of at most CHAPTERS_MAX_BYTES, and nest no deeper than real
    chapters do; anything else is refused before it is read. `listing`: its folder's, when
    the caller has one (that the file is not there is then known without asking the system).
    """
    if listing is not None and not listing.may_hold(os.path.basename(path)):
        return None  # most episodes have no chapters.json
    path = path if isinstance(path, Path) else Path(path)
    if link_kind(path) is None:  # one lstat
        return None
    data = _read_json(path, rel, problems, root if root is not None else path.parent)
    if data is _UNUSABLE:
        return ()
    entries = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        problems.append(
            Problem(
                rel,
                "has no chapters list",
                field="chapters",
                hint='write {"version": "1.2.0", "chapters": [...]}',
            )
        )
        return ()
    return _entries(entries, rel, problems)


_UNUSABLE = object()  # what _read_json gives for a file it reported (JSON's null is None)


def _read_json(path: Path, rel: str, problems: list[Problem], root: Path) -> object:
    """The parsed JSON of a chapters file inside `root`; _UNUSABLE, with the problem, when it is not."""
    try:
        confined(root, path, rel)
        raw = read_bounded(path, CHAPTERS_MAX_BYTES, rel).decode("utf-8")
        return boundedjson.loads(raw)
    except PodcastError as exc:
        problems.append(
            Problem(rel, _without_name(str(exc), rel), hint="keep a chapters.json of your own here")
        )
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, f"cannot be read: {exc}", hint="save it as UTF-8 JSON"))
    except boundedjson.TooDeep as exc:
        problems.append(
            Problem(rel, f"not usable JSON: {exc}", hint="write chapters as the JSON chapters format does")
        )
    except json.JSONDecodeError as exc:
        problems.append(Problem(rel, f"not valid JSON: {exc.msg}", line=exc.lineno, hint="fix the JSON"))
    return _UNUSABLE


def _entries(entries: list, rel: str, problems: list[Problem]) -> tuple[Chapter, ...]:
    """The chapters of a chapters.json's list, by start; an entry without a usable start is a problem."""
    chapters: list[Chapter] = []
    for index, entry in enumerate(entries, start=1):
        where = f"chapters[{index}]"
        start = _number(entry.get("startTime")) if isinstance(entry, dict) else None
        if start is None or start < 0:
            problems.append(
                Problem(rel, "needs a startTime in seconds, from 0", field=where, hint='e.g. "startTime": 90')
            )
            continue
        if entry.get("toc") is False:
            continue  # silent chapters: for apps' artwork changes, not the table of contents
        end = _number(entry.get("endTime"))
        title, url, image = (
            _whole_characters(value, rel, f"{where}.{key}", problems) if isinstance(value, str) else None
            for key in ("title", "url", "img")
            for value in [entry.get(key)]
        )
        chapters.append(
            Chapter(
                start=start,
                end=end,
                title=(title if title is not None else str(entry.get("title") or "")).strip(),
                url=url,
                image=image,
            )
        )
    return tuple(sorted(chapters, key=lambda c: c.start))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole_characters(text: str, rel: str, field: str, problems: list[Problem]) -> str:
    """`text` with each half of a character (JSON's "\\ud800" escape written alone) made U+FFFD,
    with a warning: no UTF-8 file, feed or page can hold one."""
    fixed = _LONE_SURROGATE.sub("\ufffd", text)
    if fixed != text:
        problems.append(
            Problem(
                rel,
                "holds half of a character (a lone \\ud800-\\udfff escape); published as \ufffd",
                field=field,
                severity="warning",
                hint="write the character itself, or both halves of its escape",
            )
        )
    return fixed


def _without_name(message: str, rel: str) -> str:
    return message[len(rel) + 2 :] if message.startswith(f"{rel}: ") else message


def _seconds(value: float) -> float | int:
    value = round(value, 3)
    return int(value) if value == int(value) else value


# A JSON string as json.dumps writes it with ensure_ascii=False (a number: its repr, as json's;
# _seconds has refused NaN and infinity already).
_string = json.encoder.encode_basestring


def to_json(chapters: tuple[Chapter, ...], image_url: Callable[[str], str]) -> bytes:
    """JSON chapters 1.2 for the feed. `image_url` turns a published file name into its URL.

    The bytes of `json.dumps(document, indent=2, ensure_ascii=False)`, written out line by line:
    with an indent, json encodes in Python, a value at a time (about 40 µs for an episode of
    a dozen chapters, made for every episode with chapters on a cold build)."""
    lines = ["{", f'  "version": {_string(CHAPTERS_VERSION)},']
    if not chapters:
        lines.append('  "chapters": []')
    else:
        lines.append('  "chapters": [')
        last = len(chapters) - 1
        for index, chapter in enumerate(chapters):
            fields = [
                f'      "startTime": {_seconds(chapter.start)!r}',
                f'      "title": {_string(chapter.title)}',
            ]
            if chapter.end is not None:
                fields.append(f'      "endTime": {_seconds(chapter.end)!r}')
            if chapter.image:
                image = chapter.image
                fields.append(f'      "img": {_string(image if has_web_scheme(image) else image_url(image))}')
            if chapter.url:
                fields.append(f'      "url": {_string(chapter.url)}')
            lines.append("    {")
            lines.append(",\n".join(fields))
            lines.append("    }," if index < last else "    }")
        lines.append("  ]")
    lines.append("}\n")
    return "\n".join(lines).encode("utf-8")
