"""Dates and durations as feeds write them: RFC 822 and its variants, ISO 8601, clock times."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from .. import schema
from ..schema import Invalid

_FULL_MONTH = re.compile(
    r"\b(january|february|march|april|june|july|august|september|sept|october|november|december)\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(r"^\s*[A-Za-z]+\.?,?\s+(?=\d)")
# "Apr 1, 2025", "Tuesday, Apr 1st 2025" (month names already shortened): the day first, as RFC 822 has it.
_MONTH_FIRST = re.compile(
    r"^\s*(?:[A-Za-z]+\.?,?\s+)?([A-Za-z]{3})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"
)
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
MAX_DURATION = 7 * 24 * 3600.0  # seconds; an itunes:duration beyond a week is a mistake, not an episode
# Zone names RFC 822 does not know but feeds write anyway.
_ZONES = {"CEST": "+0200", "CET": "+0100", "BST": "+0100", "IST": "+0530", "AEST": "+1000", "AEDT": "+1100"}


def _rfc822(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed


def parse_date(value: str | None) -> tuple[datetime | None, bool]:
    """(the moment, whether it had to be guessed at): RFC 822 first, then the variants, then ISO 8601.

    A date without a zone is taken as UTC (and counts as guessed).
    """
    if not value or not value.strip():
        return None, False
    value = " ".join(value.split())
    zoned = value
    for name, offset in _ZONES.items():  # email.utils would take these for UTC
        zoned = re.sub(rf"\b{name}$", offset, zoned)
    parsed = _rfc822(zoned)
    guessed = zoned != value
    if parsed is None:
        guessed = True
        fixed = _FULL_MONTH.sub(lambda m: m.group(1)[:3], zoned)
        fixed = _MONTH_FIRST.sub(r"\2 \1 \3", fixed)
        fixed = _WEEKDAY.sub("", fixed)  # "Tuesday, 2 April 2025", "Tues, …", or a wrong weekday
        fixed = re.sub(r"(\d{1,2}:\d{2})\s*(?=[+-]\d{4}|[A-Z]{1,4}$|$)", r"\1:00 ", fixed).strip()
        if not _CLOCK.search(fixed):  # "01 Apr 2025": a day without a time of day
            fixed = re.sub(r"^(\d{1,2} [A-Za-z]{3} \d{2,4})", r"\1 00:00:00", fixed)
        parsed = _rfc822(fixed) or _rfc822(fixed + " +0000")
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1) if "T" not in value else value)
        except ValueError:
            return None, True
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), True
    return parsed, guessed


def parse_duration(value: str | None) -> float | None:
    """itunes:duration: seconds ("3723", "3723.5") or a clock ("1:02:03", "62:03", "1:02:03.500")."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value) if re.fullmatch(r"\d+(?:\.\d+)?", value) else schema.seconds(value)
    except Invalid:
        return None
    return seconds if 0 < seconds <= MAX_DURATION else None
