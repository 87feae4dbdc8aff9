"""Episode chapters: `chapters.json` (JSON chapters 1.2) in, the feed's JSON chapters out.

An episode's chapters come from one source, in this order of precedence:
`chapters.json` in the episode folder, then the chapters in the audio (ID3
CHAP/CTOC, MP4 Nero chapters), then the timestamps found in the show notes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

from .errors import Problem
from .model import Chapter

CHAPTERS_FILE = "chapters.json"
CHAPTERS_TYPE = "application/json+chapters"
CHAPTERS_VERSION = "1.2.0"


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


def load(path: Path, rel: str, problems: list[Problem]) -> tuple[Chapter, ...] | None:
    """Read a chapters.json; None when there is none. Problems name the chapter and field."""
    try:
        raw = Path(path).read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, f"cannot be read: {exc}", hint="save it as UTF-8 JSON"))
        return ()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        problems.append(Problem(rel, f"not valid JSON: {exc.msg}", line=exc.lineno, hint="fix the JSON"))
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
        chapters.append(
            Chapter(
                start=start,
                end=end,
                title=str(entry.get("title") or "").strip(),
                url=entry.get("url") if isinstance(entry.get("url"), str) else None,
                image=entry.get("img") if isinstance(entry.get("img"), str) else None,
            )
        )
    return tuple(sorted(chapters, key=lambda c: c.start))


def _seconds(value: float) -> float | int:
    value = round(value, 3)
    return int(value) if value == int(value) else value


def to_json(chapters: tuple[Chapter, ...], image_url: Callable[[str], str]) -> bytes:
    """JSON chapters 1.2 for the feed. `image_url` turns a published file name into its URL."""
    entries = []
    for chapter in chapters:
        entry: dict = {"startTime": _seconds(chapter.start), "title": chapter.title}
        if chapter.end is not None:
            entry["endTime"] = _seconds(chapter.end)
        if chapter.image:
            image = chapter.image
            entry["img"] = image if image.startswith(("http://", "https://")) else image_url(image)
        if chapter.url:
            entry["url"] = chapter.url
        entries.append(entry)
    document = {"version": CHAPTERS_VERSION, "chapters": entries}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
