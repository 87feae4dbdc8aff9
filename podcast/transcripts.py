"""Transcripts in an episode folder: found by name, parsed, checked, described.

`transcript.vtt`, `.srt`, `.json`, `.html` and `.txt` next to episode.md are an
episode's transcripts. Each is read with a real parser (webvtt-py for WebVTT, srt
for SubRip, json for the Podcasting 2.0 JSON format) and every fault is a
`Problem` naming the file, the line and the cue, so a broken file never reaches
the feed. Reading happens here; copying into feeds/ is the pipeline's job.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import boundedjson, clock
from .errors import PodcastError, Problem
from .files import FolderListing, confined, read_bounded
from .layout import TRANSCRIPTS_DIR
from .model import Transcript

TRANSCRIPT_STEM = "transcript"
# A three-hour show's WebVTT is about 300 KB; twenty times that is no transcript.
TRANSCRIPT_MAX_BYTES = 10_000_000


@dataclass(frozen=True)
class Format:
    suffix: str
    mime: str
    timed: bool  # has time codes: linked with rel="captions"


# The order transcripts are listed in the feed: WebVTT first, as Apple ingests it.
FORMATS = (
    Format(".vtt", "text/vtt", True),
    Format(".srt", "application/x-subrip", True),
    Format(".json", "application/json", True),
    Format(".html", "text/html", False),
    Format(".txt", "text/plain", False),
)
BY_SUFFIX = {f.suffix: f for f in FORMATS}

_VTT_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_VTT_TIMING = re.compile(rf"^({_VTT_TIME})[ \t]+-->[ \t]+({_VTT_TIME})(?:[ \t]+.*)?$")
_SRT_TIME = r"\d+:[0-5]\d:[0-5]\d[,.]\d{1,3}"
_SRT_TIMING = re.compile(rf"^({_SRT_TIME})\s+-->\s+({_SRT_TIME})(\s.*)?$")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _timing_lines(lines: list[str]) -> list[int]:
    """Line numbers (from 1) of every cue timing line: the lines with an arrow."""
    return [number for number, line in enumerate(lines, start=1) if "-->" in line]


Cue = tuple[int, int | None, float, float | None]  # (number from 1, line, start, end)


def _check_order(path: str, cues: list[Cue], problems: list[Problem], unit: str) -> None:
    """Every cue must end after it starts and start no earlier than the cue above it."""
    previous = 0.0
    for number, line, start, end in cues:
        if end is not None and end <= start:
            problems.append(
                Problem(
                    path,
                    f"{unit} {number} ends ({end:.3f} s) before it starts ({start:.3f} s)",
                    line=line,
                    hint="fix the time after the arrow",
                )
            )
        if start < previous:
            problems.append(
                Problem(
                    path,
                    f"{unit} {number} starts at {start:.3f} s, before the {unit} above it",
                    line=line,
                    hint=f"put the {unit}s in time order",
                )
            )
        previous = max(previous, start)


def _readable_timings(lines: list[str], timings: list[int], pattern: re.Pattern) -> list[Cue]:
    """The cues whose timing line can be read, so a bad one does not hide faults in the others."""
    cues: list[Cue] = []
    for number, line in enumerate(timings, start=1):
        match = pattern.match(lines[line - 1].strip())
        if match:
            cues.append((number, line, clock.parse(match.group(1)), clock.parse(match.group(2))))
    return cues


def check_vtt(path: str, text: str) -> list[Problem]:
    problems: list[Problem] = []
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not re.match(r"^WEBVTT([ \t].*)?$", lines[0]):
        return [Problem(path, "does not start with WEBVTT", line=1, hint="make the first line WEBVTT")]
    timings = _timing_lines(lines)
    for cue, number in enumerate(timings, start=1):
        if not _VTT_TIMING.match(lines[number - 1].strip()):
            problems.append(
                Problem(
                    path,
                    f"cue {cue}: timing {lines[number - 1].strip()!r} is not HH:MM:SS.mmm --> HH:MM:SS.mmm",
                    line=number,
                    hint="write times like 00:01:02.500, with a dot and three decimals",
                )
            )
    if problems:
        _check_order(path, _readable_timings(lines, timings, _VTT_TIMING), problems, "cue")
        return problems
    import webvtt  # (~10 ms to import, only for a show with such a transcript)
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.from_string(text.lstrip("\ufeff")).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        return [Problem(path, f"not valid WebVTT: {exc}", hint="check it against the WebVTT format")]
    if not captions:
        return [Problem(path, "has no cues", hint="add cues, or remove the file")]
    if len(captions) != len(timings):
        # webvtt-py skips blocks it cannot read; name the first cue it did not take.
        return [
            Problem(
                path,
                f"{len(timings) - len(captions)} cue(s) could not be read",
                line=timings[len(captions)] if len(captions) < len(timings) else None,
                hint="each cue is a timing line, its text, then a blank line",
            )
        ]
    cues = [
        (n, line, clock.parse(c.start), clock.parse(c.end))
        for n, (line, c) in enumerate(zip(timings, captions, strict=True), start=1)
    ]
    _check_order(path, cues, problems, "cue")
    return problems


def check_srt(path: str, text: str) -> list[Problem]:
    problems: list[Problem] = []
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    timings = _timing_lines(lines)
    for cue, number in enumerate(timings, start=1):
        if not _SRT_TIMING.match(lines[number - 1].strip()):
            problems.append(
                Problem(
                    path,
                    f"subtitle {cue}: timing {lines[number - 1].strip()!r} "
                    "is not HH:MM:SS,mmm --> HH:MM:SS,mmm",
                    line=number,
                    hint="write times like 00:01:02,500",
                )
            )
    if problems:
        _check_order(path, _readable_timings(lines, timings, _SRT_TIMING), problems, "subtitle")
        return problems
    import srt  # (only for a show with such a transcript)

    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        line = _line_of(text, exc.actual_start)
        return [
            Problem(
                path,
                "not valid SubRip: this block is not a number, a timing line and text",
                line=line,
                hint="each subtitle is a number, HH:MM:SS,mmm --> HH:MM:SS,mmm, text, a blank line",
            )
        ]
    if not subtitles:
        return [Problem(path, "has no subtitles", hint="add subtitles, or remove the file")]
    # srt folds a block without a proper number line into the subtitle above it.
    for index, subtitle in enumerate(subtitles):
        if "-->" in subtitle.content and index + 1 < len(timings):
            return [
                Problem(
                    path,
                    f"not valid SubRip: subtitle {index + 2} has no number line above its timing",
                    line=timings[index + 1] - 1,
                    hint="each subtitle is a number, HH:MM:SS,mmm --> HH:MM:SS,mmm, text, a blank line",
                )
            ]
    cues = [
        (n, timings[n - 1] if n <= len(timings) else None, s.start.total_seconds(), s.end.total_seconds())
        for n, s in enumerate(subtitles, start=1)
    ]
    _check_order(path, cues, problems, "subtitle")
    return problems


def check_json(path: str, text: str) -> list[Problem]:
    try:
        data = boundedjson.loads(text)
    except boundedjson.TooDeep as exc:
        return [Problem(path, f"not usable JSON: {exc}", hint="write the Podcasting 2.0 transcript format")]
    except json.JSONDecodeError as exc:
        return [
            Problem(path, f"not valid JSON: {exc.msg}", line=exc.lineno, hint="check commas and quotes there")
        ]
    hint = 'the format is {"version": "1.0.0", "segments": [{"startTime": 0.5, "endTime": 2.0, "body": "…"}]}'
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        return [Problem(path, "has no list of segments", hint=hint)]
    if not data["segments"]:
        return [Problem(path, "has no segments", hint="add segments, or remove the file")]
    problems: list[Problem] = []
    cues: list[Cue] = []
    for index, segment in enumerate(data["segments"], start=1):
        segment = segment if isinstance(segment, dict) else {}
        start, end, body = segment.get("startTime"), segment.get("endTime"), segment.get("body")
        if not _is_number(start) or not (end is None or _is_number(end)) or not isinstance(body, str):
            problems.append(
                Problem(path, f"segment {index} needs a startTime in seconds and a body", hint=hint)
            )
            continue
        cues.append((index, None, float(start), None if end is None else float(end)))
    _check_order(path, cues, problems, "segment")
    return problems


def _is_number(value: object) -> bool:
    # Python's json reads NaN and Infinity, which are no time in the audio.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_text(path: str, text: str) -> list[Problem]:
    if not text.strip():
        return [Problem(path, "is empty", hint="write the transcript, or remove the file")]
    return []


def last_cue_end(path: Path) -> tuple[int, int, float] | None:
    """(cue number, its timing line, end in seconds) of the cue that ends last in a .vtt or
    .srt file; None for other formats or a file without readable cues."""
    patterns = {".vtt": _VTT_TIMING, ".srt": _SRT_TIMING}
    pattern = patterns.get(path.suffix.lower())
    if pattern is None:
        return None
    try:
        lines = (
            read_bounded(path, TRANSCRIPT_MAX_BYTES, path.name).decode("utf-8").lstrip("\ufeff").splitlines()
        )
    except (OSError, UnicodeDecodeError, PodcastError):
        return None
    cues = _readable_timings(lines, _timing_lines(lines), pattern)
    ends = [(number, line, end) for number, line, _, end in cues if end is not None and line is not None]
    return max(ends, key=lambda cue: cue[2], default=None)


CHECKS = {".vtt": check_vtt, ".srt": check_srt, ".json": check_json, ".html": check_text, ".txt": check_text}


def read(path: Path, rel: str, root: Path | None = None) -> tuple[str | None, list[Problem]]:
    """The file's text, or a problem naming where it is not UTF-8, or why it was not read.

    The file must lie inside `root` (default: its folder) once links are followed and
    be a regular file of at most TRANSCRIPT_MAX_BYTES: it is copied into feeds/.
    """
    try:
        confined(root if root is not None else path.parent, path, rel)
        data = read_bounded(path, TRANSCRIPT_MAX_BYTES, rel)
    except PodcastError as exc:
        message = str(exc)
        message = message[len(rel) + 2 :] if message.startswith(f"{rel}: ") else message
        return None, [Problem(rel, message, hint="put the transcript file itself in the episode folder")]
    except OSError as exc:
        return None, [Problem(rel, f"cannot be read: {exc.strerror}")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(rel, "is not UTF-8 text", line=line, hint="save it as UTF-8")]


def _named_transcript(folder: Path | str, listing: FolderListing | None = None) -> list[Path]:
    """The files (or links) in `folder` named transcript.*, sorted: what
    `sorted(folder.glob("transcript.*"))` finds, filtered by is_file() or is_symlink(), from
    one scandir and no stat for the other files (every episode folder is asked); from the
    entries of the folder's `listing` when it has them (no scandir at all)."""
    prefix = TRANSCRIPT_STEM + "."
    listed = listing.entries() if listing is not None else None
    if listed is not None:
        named = [entry for name, entry in listed.items() if name.startswith(prefix)]
    else:
        try:
            with os.scandir(folder) as entries:
                named = [entry for entry in entries if entry.name.startswith(prefix)]
        except OSError:
            return []  # as glob finds nothing in a folder it cannot list
    if not named:
        return []
    return [Path(folder, entry.name) for entry in sorted(named, key=lambda e: e.name) if _file_or_link(entry)]


def _file_or_link(entry: os.DirEntry) -> bool:
    """Path.is_file() or Path.is_symlink() of a folder entry (a link is not followed to ask)."""
    if entry.is_symlink():
        return True
    try:
        return entry.is_file()
    except OSError:
        return False


def find(
    folder: Path | str,
    rel_folder: str,
    slug: str,
    language: str,
    *,
    root: Path | None = None,
    listing: FolderListing | None = None,
) -> tuple[tuple[Transcript, ...], list[Problem]]:
    """The transcripts in an episode folder, checked. Broken ones are left out, with a problem.

    Each must lie inside `root` (default: the folder) once links are followed. `listing` is the
    folder's, when the caller has one (the folder is then not listed again).
    """
    found: list[Transcript] = []
    problems: list[Problem] = []
    named = _named_transcript(folder, listing)
    if not named:
        return (), problems
    present = {p.suffix.lower(): p for p in named}
    for suffix, path in present.items():
        if suffix not in BY_SUFFIX:
            problems.append(
                Problem(
                    f"{rel_folder}/{path.name}",
                    "is not a transcript format podcast apps read",
                    severity="warning",
                    hint="use " + ", ".join(TRANSCRIPT_STEM + f.suffix for f in FORMATS),
                )
            )
    for fmt in FORMATS:
        path = present.get(fmt.suffix)
        if path is None:
            continue
        rel = f"{rel_folder}/{path.name}"
        text, trouble = read(path, rel, root)
        if text is not None:
            trouble = CHECKS[fmt.suffix](rel, text)
        if trouble:
            problems.extend(trouble)
            continue
        found.append(
            Transcript(
                path=path,
                mime=fmt.mime,
                language=language,
                captions=fmt.timed,
                publish_path=f"{TRANSCRIPTS_DIR}/{slug}{fmt.suffix}",
            )
        )
    return tuple(found), problems
