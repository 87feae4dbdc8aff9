"""`podcast lint --online`: remote audio (`audio_url`) answers as its front matter says.

Offline, the length, type and duration an episode.md records for remote audio are
taken on trust (the schema checks their form). Online, each URL is asked, through
podcast.net: it must answer HEAD (N102), with the recorded length (M103) and type
(M104), and serve a byte range (N103), as Apple asks of any enclosure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..errors import Problem
from ..model import Episode
from .registry import RULES

if TYPE_CHECKING:
    from .. import net

RANGE_MAX_BYTES = 65536  # what a two-byte range may bring back (a server that ignores it sends more)


def _problem(episode: Episode, code: str, field: str, message: str) -> Problem:
    rule_ = next(r for r in RULES if r.code == code)  # looked up late: the rule modules fill RULES
    return Problem(
        episode.source,
        message,
        field=field,
        line=episode.lines.get(field),
        hint=rule_.hint,
        severity=rule_.severity,
        code=code,
    )


def check_remote_audio(
    episodes: Iterable[Episode], make_client: Callable[[], net.Client] | None = None, workers: int = 8
) -> list[Problem]:
    """Ask the server of every remote audio URL about it, `workers` at a time (each with a client
    from `make_client`, a plain `net.Client` by default); one problem per disagreement, in the
    episodes' order."""
    from .. import net  # only now: a build that asks no server does not load the HTTP library

    remote = [e for e in episodes if e.is_remote and e.remote_audio is not None]
    found = net.each_with_client(_check_one, remote, make_client or net.Client, workers)
    return [problem for problems in found for problem in problems]


def _check_one(client: net.Client, episode: Episode) -> list[Problem]:
    from .. import net

    problems: list[Problem] = []
    remote = episode.remote_audio
    assert remote is not None
    try:
        head = client.head(remote.url)
    except net.NetError as exc:
        return [_problem(episode, "N102", "audio_url", f"HEAD {remote.url}: {exc.reason}")]
    size = head.content_length
    if size is not None and size != remote.length:
        said = f"length = {remote.length}, but the server has {size:,} bytes at {remote.url}"
        problems.append(_problem(episode, "M103", "length", said + f" (write length = {size})"))
    kind = head.content_type
    if kind and kind != remote.type and not kind.startswith(("application/octet-stream", "binary/")):
        said = f'type = "{remote.type}", but the server says "{kind}" for {remote.url}'
        problems.append(_problem(episode, "M104", "type", said))
    try:
        ranged = client.get(
            remote.url, headers={"Range": "bytes=0-1"}, max_bytes=RANGE_MAX_BYTES, check=False
        )
    except net.NetError as exc:
        # More than a small answer to a two-byte range: the server sent the whole file instead.
        reason = (
            "answered with the whole file, not the range"
            if exc.reason.startswith("larger")
            else exc.reason
        )
        problems.append(
            _problem(episode, "N103", "audio_url", f"Range: bytes=0-1 on {remote.url}: {reason}")
        )
        return problems
    if ranged.status != 206 or "Content-Range" not in ranged.headers:
        said = f"Range: bytes=0-1 on {remote.url}: answered {ranged.status} without Content-Range"
        problems.append(_problem(episode, "N103", "audio_url", said))
    return problems
