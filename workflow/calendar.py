"""Deadline arithmetic in a tenant's time zone. Pure functions; instants are aware UTC.

A deadline "31 January" means the end of that day in the tenant's zone: the last
microsecond of 31 January local time. A moment is late when it is strictly after it.
Day counts never include the start day: 14 days from a Monday begin counting on Tuesday.
"""

from __future__ import annotations

import datetime
import zoneinfo
from enum import StrEnum

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (Monday is 0)


class DayCount(StrEnum):
    """How SLA days are counted."""

    CALENDAR = "calendar"
    WORKING = "working"


def _zone(zone: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(zone)


def end_of_local_day(day: datetime.date, zone: str) -> datetime.datetime:
    """Return the UTC instant of 23:59:59.999999 on ``day`` in ``zone``."""
    local = datetime.datetime.combine(day, datetime.time.max, tzinfo=_zone(zone))
    return local.astimezone(datetime.UTC)


def local_date(instant: datetime.datetime, zone: str) -> datetime.date:
    """Return the calendar date of the aware ``instant`` in ``zone``."""
    if instant.tzinfo is None or instant.tzinfo.utcoffset(instant) is None:
        raise ValueError("local_date needs an aware datetime")
    return instant.astimezone(_zone(zone)).date()


def add_days(
    start: datetime.date,
    days: int,
    *,
    count: DayCount = DayCount.CALENDAR,
    holidays: frozenset[datetime.date] = frozenset(),
    weekend: frozenset[int] = WEEKEND,
) -> datetime.date:
    """Return the day ``days`` after ``start`` (the start day itself is not counted).

    Working days skip weekend days and holidays. Zero returns ``start``.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if count == DayCount.CALENDAR:
        return start + datetime.timedelta(days=days)
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if day.weekday() not in weekend and day not in holidays:
            remaining -= 1
    return day


def due_at(
    start: datetime.datetime,
    days: int,
    zone: str,
    *,
    count: DayCount = DayCount.CALENDAR,
    holidays: frozenset[datetime.date] = frozenset(),
    weekend: frozenset[int] = WEEKEND,
) -> datetime.datetime:
    """Return the end of the local day ``days`` after the local date of ``start``, in UTC."""
    last_day = add_days(
        local_date(start, zone), days, count=count, holidays=holidays, weekend=weekend
    )
    return end_of_local_day(last_day, zone)


def is_late(now: datetime.datetime, due: datetime.datetime) -> bool:
    """Return True when ``now`` is strictly after ``due``."""
    return now > due


def working_days_between(
    start: datetime.date,
    end: datetime.date,
    *,
    holidays: frozenset[datetime.date] = frozenset(),
    weekend: frozenset[int] = WEEKEND,
) -> int:
    """Count working days after ``start`` up to and including ``end``."""
    total = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if day.weekday() not in weekend and day not in holidays:
            total += 1
    return total
