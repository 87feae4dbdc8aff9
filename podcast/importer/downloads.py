"""The files an import brings home: artwork, chapters, transcripts and (with --download) the audio.

Everything goes through podcast.net with a size cap, into the show directory only
(podcast.files.confined), and through an atomic write or net's .part-then-rename,
so an interrupted import never leaves half a file under its real name. Audio is
fetched several files at a time and resumed with Range when a .part is left over.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import audio, chapters, layout, net, transcripts
from ..artwork import refusal as artwork_refusal
from ..errors import Problem, errors_in
from ..files import confined, write_atomic

ARTWORK_MAX_BYTES = 20_000_000
SIDECAR_MAX_BYTES = 20_000_000  # chapters and transcripts
AUDIO_MAX_BYTES = 4_000_000_000
AUDIO_DEADLINE = 6 * 3600.0  # seconds for one audio file: hours of audio on a slow line
AUDIO_WORKERS = 4

_TRANSCRIPT_SUFFIX = {f.mime: f.suffix for f in transcripts.FORMATS} | {
    "text/srt": ".srt",
    "application/srt": ".srt",
    "text/x-srt": ".srt",
    "application/x-subrip": ".srt",
}
_AUDIO_SUFFIX = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/x-m4a": ".m4a",
    "audio/mp4": ".m4a",
    "audio/aac": ".aac",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "video/mp4": ".mp4",
    "video/x-m4v": ".m4v",
    "audio/flac": ".flac",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
}


def artwork(client: net.Client, url: str, root: Path) -> tuple[str | None, str | None]:
    """(the file written in the show directory, or None; why not, when not)."""
    try:
        data = client.get(url, max_bytes=ARTWORK_MAX_BYTES).body
    except net.NetError as exc:
        return None, f"the artwork {url} could not be fetched ({exc.reason}); its URL is kept"
    refusal = artwork_refusal(data)
    if refusal is not None:
        return None, f"the artwork {url} does not meet Apple's rules ({refusal}); its URL is kept"
    name = layout.ARTWORK_STEM + (".png" if data.startswith(b"\x89PNG") else ".jpg")
    write_atomic(confined(root, root / name, "artwork"), data)
    return name, None


def chapters_file(client: net.Client, url: str, root: Path, folder: str) -> str | None:
    """Write chapters.json into the episode folder; the reason when it was not kept."""
    target = confined(root, root / folder / layout.CHAPTERS_FILE, f"{folder}/{layout.CHAPTERS_FILE}")
    try:
        data = client.get(url, max_bytes=SIDECAR_MAX_BYTES).body
    except net.NetError as exc:
        return f"chapters {url}: {exc.reason}"
    write_atomic(target, data)
    trouble: list[Problem] = []
    chapters.load(target, f"{folder}/{layout.CHAPTERS_FILE}", trouble)
    if errors_in(trouble):
        target.unlink()
        return f"chapters {url} are not valid JSON chapters ({trouble[0].message}); left out"
    return None


def transcript_name(kind: str) -> str | None:
    """The file a transcript of this MIME type is kept as (transcript.vtt, …); None for a type
    podcast does not publish."""
    suffix = _TRANSCRIPT_SUFFIX.get(kind)
    return transcripts.TRANSCRIPT_STEM + suffix if suffix else None


def transcript_file(client: net.Client, url: str, kind: str, root: Path, folder: str) -> str | None:
    """Write transcript.<ext> into the episode folder; the reason when it was not kept."""
    name = transcript_name(kind)
    if name is None:
        return f"transcript {url}: type {kind or '(none)'} is not one podcast publishes; left out"
    suffix = Path(name).suffix
    target = confined(root, root / folder / name, f"{folder}/{name}")
    if target.is_file():
        return None  # brought in before (or put there by the producer): kept
    try:
        data = client.get(url, max_bytes=SIDECAR_MAX_BYTES).body
    except net.NetError as exc:
        return f"transcript {url}: {exc.reason}"
    write_atomic(target, data)
    _, trouble = transcripts.find(root / folder, folder, Path(folder).name, None)
    bad = [p for p in errors_in(trouble) if p.path.endswith(name)]
    if bad:
        target.unlink()
        return f"transcript {url} is not a valid {suffix} file ({bad[0].message}); left out"
    return None


def audio_name(url: str, kind: str, slug: str) -> str:
    """A safe file name for downloaded audio: the URL's own, else the slug with the type's suffix."""
    base = unquote(Path(urlsplit(url).path).name)
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip("-.")
    suffix = Path(base).suffix.lower()
    known = {s for f in audio.FORMATS.values() for s in f.suffixes}
    if base and suffix in known:
        return base
    return slug + _AUDIO_SUFFIX.get(kind, suffix if suffix in known else ".mp3")


@dataclass(frozen=True)
class AudioJob:
    url: str
    target: Path  # inside the show directory
    length: int  # what the feed says (0: unknown)
    label: str  # the episode, for messages


@dataclass(frozen=True)
class AudioDone:
    job: AudioJob
    size: int | None  # None when it failed
    reason: str | None = None


def fetch_audio(
    jobs: Sequence[AudioJob],
    make_client: Callable[[], net.Client],
    progress: Callable[[int], None] | None = None,
    workers: int = AUDIO_WORKERS,
) -> list[AudioDone]:
    """Download every job, several at a time; each resumes its .part file if one is there."""

    def one(job: AudioJob) -> AudioDone:
        if job.target.is_file():  # net.download renames a file into place only when it is whole
            return AudioDone(job, job.target.stat().st_size)
        with make_client() as client:
            try:
                size = client.download(
                    job.url, job.target, max_bytes=AUDIO_MAX_BYTES, deadline=AUDIO_DEADLINE, progress=progress
                )
            except net.NetError as exc:
                return AudioDone(job, None, exc.reason)
        return AudioDone(job, size)

    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        return list(pool.map(one, jobs))
