"""Days as integers since the Unix epoch (UTC), the unit of the daily rollups."""

from __future__ import annotations

from datetime import date, datetime

EPOCH = date(1970, 1, 1)


def day_of(moment: datetime) -> int:
    return int(moment.timestamp() // 86400)


def date_of(day: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + day)
