"""Clock times: seconds as the few clocks we print, and clock strings back to seconds.

One place for the rule, so the feed, the pages, the CLI and the importer agree. Each
published form has its own name, because a feed or page must keep its exact bytes:

    player(3723)            '1:02:03'        (and '2:03' under an hour) build messages, pages
    with_hours(62)          '0:01:02'        whole seconds, hours always shown: `podcast notes`
    precise(3723.5)         '1:02:03.500'    (and '02:03.500' under an hour): `podcast audio`
    normal_play_time(62.5)  '00:01:02.500'   Podlove Simple Chapters, Vorbis CHAPTERxx
"""

from __future__ import annotations


def player(seconds: float) -> str:
    """1:02:03 or 2:03: how a player shows a time (whole seconds, cut not rounded)."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def with_hours(seconds: float) -> str:
    """0:01:02: whole seconds with the hours always shown."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def precise(seconds: float) -> str:
    """1:02:03.500 or 02:03.500: a player's clock with milliseconds."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return (f"{hours}:" if hours else "") + f"{rest // 60:02d}:{rest % 60:02d}" + f"{seconds - whole:.3f}"[1:]


def normal_play_time(seconds: float) -> str:
    """HH:MM:SS.mmm, the form every Simple Chapters reader accepts (rounded to the millisecond)."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def parse(stamp: str) -> float:
    """'1:02:03', '12:34', '01:13.5' or '00:01:02,500' (SRT's comma) → seconds.

    The caller checks the form (each has its own pattern and message); this only adds
    up the parts: whole hours and minutes, then the seconds with their fraction.
    """
    *larger, last = stamp.replace(",", ".").split(":")
    whole = 0
    for part in larger:
        whole = whole * 60 + int(part)
    return whole * 60 + float(last)
