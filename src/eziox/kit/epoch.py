"""Hours and days as integers since the Unix epoch (UTC), the unit of every rollup."""

from __future__ import annotations

from datetime import UTC, date, datetime

EPOCH = date(1970, 1, 1)


def hour_of(moment: datetime) -> int:
    return int(moment.timestamp() // 3600)


def day_of(moment: datetime) -> int:
    return int(moment.timestamp() // 86400)


def day_number(value: date) -> int:
    return (value - EPOCH).days


def date_of(day: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + day)


def start_of_hour(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * 3600, UTC)
