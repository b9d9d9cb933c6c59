"""Analytics periods and time zones: which local days a query covers, in UTC hours."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eziox.kit.time import utcnow


class Period(StrEnum):
    D7 = "7d"
    D30 = "30d"
    D90 = "90d"
    Y1 = "1y"

    @property
    def days(self) -> int:
        return {"7d": 7, "30d": 30, "90d": 90, "1y": 365}[self.value]


class Metric(StrEnum):
    ALL = "all"
    VIEWS = "views"
    CLICKS = "clicks"


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone; ValueError for anything else."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise ValueError("must be an IANA time zone such as Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin"
        ) from None


@dataclass(frozen=True)
class Window:
    """The local days of a period and where each begins, in UTC hours since the epoch."""

    days: list[date]
    boundaries: list[int]  # len(days) + 1 UTC hour numbers; the last is the end (exclusive)
    zone: ZoneInfo

    @property
    def first_hour(self) -> int:
        return self.boundaries[0]

    @property
    def end_hour(self) -> int:
        return self.boundaries[-1]

    def day_index(self, hour: int) -> int | None:
        index = bisect_right(self.boundaries, hour) - 1
        return index if 0 <= index < len(self.days) else None

    def runs(self) -> list[tuple[int, int, int, bool]]:
        """(first day index, first UTC hour, end UTC hour, whole 24-hour days?) per stretch.

        Consecutive 24-hour local days share one UTC offset, so a day's index there is
        ``first + (hour - start) // 24``; a 23- or 25-hour day (DST) is a stretch of its own.
        A year in a DST zone has at most five stretches, so a query can group by local day.
        """
        runs: list[tuple[int, int, int, bool]] = []
        for index in range(len(self.days)):
            start, end = self.boundaries[index], self.boundaries[index + 1]
            whole = end - start == 24
            if runs and whole and runs[-1][3] and runs[-1][2] == start:
                runs[-1] = (runs[-1][0], runs[-1][1], end, True)
            else:
                runs.append((index, start, end, whole))
        return runs

    @property
    def first_utc_day(self) -> int:
        return self.first_hour // 24

    @property
    def last_utc_day(self) -> int:
        return (self.end_hour - 1) // 24


def window(period: Period, zone: ZoneInfo, now: datetime | None = None) -> Window:
    today = (now or utcnow()).astimezone(zone).date()
    days = [today - timedelta(days=period.days - 1 - i) for i in range(period.days)]
    edges = [*days, today + timedelta(days=1)]
    # Local midnight of each day, in UTC hours (rounded down: exact for whole-hour offsets).
    boundaries = [
        int(datetime(d.year, d.month, d.day, tzinfo=zone).timestamp() // 3600) for d in edges
    ]
    return Window(days, boundaries, zone)
