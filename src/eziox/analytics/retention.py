"""Retention: raw events per tier (the entitlements table), visitor hashes and salts.

Rollups are kept forever; raw events of tiers with a retention limit are deleted once
older than it. Visitor hashes are only needed for the day they count uniques in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.analytics.visitors import forget_old_salts
from eziox.billing.entitlements import ENTITLEMENTS
from eziox.kit.epoch import day_of
from eziox.kit.time import utcnow
from eziox.models import Account, DailyVisitor, Event


@dataclass(frozen=True)
class Pruned:
    events: int
    visitor_hashes: int
    salts: int

    def __str__(self) -> str:
        return (
            f"removed {self.events} raw events past their tier's retention, "
            f"{self.visitor_hashes} visitor hashes of past days, {self.salts} old salts"
        )


async def prune(session: AsyncSession, now: datetime | None = None) -> Pruned:
    """Delete what retention allows; idempotent, safe to run from cron at any time."""
    now = now or utcnow()
    events = 0
    for tier, entitlements in ENTITLEMENTS.items():
        if entitlements.raw_analytics_days is None:
            continue
        cutoff = now - timedelta(days=entitlements.raw_analytics_days)
        accounts = select(Account.id).where(Account.tier == tier.value)
        result = await session.execute(
            delete(Event).where(Event.occurred_at < cutoff, Event.account_id.in_(accounts))
        )
        events += int(result.rowcount or 0)  # type: ignore[attr-defined]
    today = day_of(now)
    # Yesterday's hashes stay for events still in flight across midnight.
    visitors = await session.execute(delete(DailyVisitor).where(DailyVisitor.day < today - 1))
    salts = await forget_old_salts(session, today)
    return Pruned(events, int(visitors.rowcount or 0), salts)  # type: ignore[attr-defined]
