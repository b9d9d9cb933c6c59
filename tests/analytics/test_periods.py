"""Local days in SQL: the constant-offset stretches agree with the hour-by-hour answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eziox.analytics.periods import Period, parse_zone, window

ZONES = [
    "UTC",
    "America/New_York",  # DST, whole hours
    "Europe/Berlin",
    "Asia/Kolkata",  # +05:30
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -03:30 with DST
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("now", ["2026-03-09T12:00:00", "2026-11-01T06:00:00"])
def test_runs_give_every_hour_its_local_day(zone: str, now: str) -> None:
    span = window(Period("1y"), parse_zone(zone), datetime.fromisoformat(now).replace(tzinfo=UTC))
    runs = span.runs()
    assert runs[0][1] == span.first_hour
    assert runs[-1][2] == span.end_hour
    assert len(runs) <= 5
    for first, start, end, whole in runs:
        for hour in range(start, end):
            by_run = first + (hour - start) // 24 if whole else first
            assert by_run == span.day_index(hour), (zone, hour)
