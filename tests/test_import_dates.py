"""The date and duration forms real feeds write, read as apps read them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from podcast.importer.dates import parse_date, parse_duration


def at(offset_hours: float, *args) -> datetime:
    return datetime(*args, tzinfo=timezone(timedelta(hours=offset_hours)))


@pytest.mark.parametrize(
    "written, moment, guessed",
    [
        ("Wed, 02 Apr 2025 09:00:00 -0400", at(-4, 2025, 4, 2, 9), False),
        ("Wed, 2 Apr 2025 09:00 EST", at(-5, 2025, 4, 2, 9), False),  # no seconds, a US zone name
        ("Wed, 02 Apr 2025 09:00:00 GMT", at(0, 2025, 4, 2, 9), False),
        ("Tuesday, 02 April 2025 09:00:00 +0000", at(0, 2025, 4, 2, 9), False),  # full names
        ("02 Apr 2025 09:00:00 CEST", at(2, 2025, 4, 2, 9), True),  # a zone RFC 822 does not know
        ("2025-04-02T09:00:00Z", at(0, 2025, 4, 2, 9), True),  # ISO 8601
        ("2025-04-02T09:00:00+05:30", at(5.5, 2025, 4, 2, 9), True),
        ("2025-04-02", at(0, 2025, 4, 2), True),  # a day only: midnight UTC
        ("  Wed,  02 Apr 2025\n 09:00:00 +0000 ", at(0, 2025, 4, 2, 9), False),  # wrapped
        ("02 Apr 2025", at(0, 2025, 4, 2), True),  # RFC 822 without the time of day
        ("April 2, 2025", at(0, 2025, 4, 2), True),  # the month first, as US sites write it
        ("Wednesday, April 2nd, 2025", at(0, 2025, 4, 2), True),
        ("Apr 2 2025 09:00:00 EST", at(-5, 2025, 4, 2, 9), False),
    ],
)
def test_dates(written, moment, guessed):
    assert parse_date(written) == (moment, guessed)


@pytest.mark.parametrize("written", ["", "soon", "32/13/2025", None])
def test_what_is_no_date(written):
    assert parse_date(written)[0] is None


@pytest.mark.parametrize(
    "written, seconds",
    [
        ("2530", 2530),
        ("2530.5", 2530.5),
        ("42:10", 2530),
        ("00:42:10", 2530),
        ("1:02:03.500", 3723.5),
        ("0:03", 3),
        ("", None),
        ("0", None),
        ("about an hour", None),
        ("99999999999999999999", None),  # not a length any episode has (nor one TOML can hold)
        ("1:02:03", 3723),
        ("3723", 3723),
        ("bogus", None),
    ],
)
def test_durations(written, seconds):
    assert parse_duration(written) == seconds
