"""What `GET /v1/usage` and the dashboard's API tab show: requests per key per day, and how
much of the account's hourly budget each key (and the account) uses.

Built from the hourly `api_key_usage` rows plus this process's counts not yet written
(`UsageCounter.pending_for`). Days follow the time zone asked for; an hour belongs to the
day its start falls in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.apikeys.service import describe, list_api_keys
from eziox.apikeys.usage import HOUR, UsageCounter, current_hour
from eziox.kit.time import rfc3339
from eziox.models import KeyUsage

MAX_DAYS = 90


@dataclass(frozen=True, slots=True)
class Budget:
    """The account's rate-limit window now: its limit, what is used, when it resets."""

    limit: int
    used: int
    reset: int


def _share(requests: int, limit: int) -> float:
    return round(requests / limit, 4) if limit else 0.0


def _budget_used(counts: list[int]) -> int:
    """Requests that count against the budget: neither refused (429) nor free (304)."""
    return max(0, counts[0] - counts[1] - counts[2])


async def usage_report(
    session: AsyncSession,
    counter: UsageCounter,
    account_id: str,
    *,
    days: int,
    zone: ZoneInfo,
    budget: Budget,
) -> dict[str, Any]:
    today = datetime.now(zone).date()
    first_day = today - timedelta(days=days - 1)
    first_hour = int(datetime.combine(first_day, datetime.min.time(), zone).timestamp()) // HOUR
    rows = await session.execute(
        select(
            KeyUsage.api_key_id,
            KeyUsage.hour,
            KeyUsage.requests,
            KeyUsage.limited,
            KeyUsage.not_modified,
        ).where(KeyUsage.account_id == account_id, KeyUsage.hour >= first_hour)
    )
    hourly: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for key_id, hour, requests, limited, not_modified in rows:
        hourly[(key_id, hour)] = [requests, limited, not_modified]
    for (key_id, hour), pending in counter.pending_for(account_id).items():
        if hour >= first_hour:
            counts = hourly[(key_id, hour)]
            for n, value in enumerate(pending):
                counts[n] += value

    now_hour = current_hour()
    dates = [first_day + timedelta(days=n) for n in range(days)]
    keys = await list_api_keys(session, account_id)
    used_by: set[str] = {key_id for key_id, _ in hourly}
    shown = [k for k in reversed(keys) if k.revoked_at is None or k.id in used_by]
    by_key: dict[str, dict[date, list[int]]] = defaultdict(dict)
    for (key_id, hour), counts in hourly.items():
        day = datetime.fromtimestamp(hour * HOUR, zone).date()
        totals = by_key[key_id].setdefault(day, [0, 0, 0, 0])  # + busiest hour's budget use
        for n in range(3):
            totals[n] += counts[n]
        totals[3] = max(totals[3], _budget_used(counts))

    def key_view(key: Any) -> dict[str, Any]:
        described = describe(key)
        daily = by_key.get(key.id, {})
        this_hour = hourly.get((key.id, now_hour), [0, 0, 0])
        entries = [_day_view(day, daily.get(day, [0, 0, 0, 0]), budget.limit) for day in dates]
        return {
            "id": key.id,
            "name": key.name,
            "key": described["key"],
            "status": described["status"],
            "requests": sum(e["requests"] for e in entries),
            "limited": sum(e["limited"] for e in entries),
            "notModified": sum(e["notModified"] for e in entries),
            "currentHour": {
                "requests": this_hour[0],
                "budgetShare": _share(_budget_used(this_hour), budget.limit),
            },
            "peakHourShare": max((e["peakHourShare"] for e in entries), default=0.0),
            "daily": entries,
        }

    views = [key_view(key) for key in shown]
    return {
        "days": days,
        "timezone": zone.key,
        "from": first_day.isoformat(),
        "to": today.isoformat(),
        "requests": sum(v["requests"] for v in views),
        "budget": {
            "limit": budget.limit,
            "used": min(budget.used, budget.limit),
            "remaining": max(0, budget.limit - budget.used),
            "share": _share(min(budget.used, budget.limit), budget.limit),
            "resetsAt": rfc3339(datetime.fromtimestamp(budget.reset, UTC)),
        },
        "keys": views,
    }


def _day_view(day: date, totals: list[int], limit: int) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "requests": totals[0],
        "limited": totals[1],
        "notModified": totals[2],
        "peakHourShare": _share(totals[3], limit),
    }
