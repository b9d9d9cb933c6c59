"""Every analytics query, scoped to one account: rollups plus the not-yet-rolled-up tail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.analytics.periods import Window
from eziox.analytics.rollup import Tally, known_visitors, tally_where
from eziox.models import ACCOUNT_ROW, CLICK, Counter, DailyDimension, EventInbox, HourlyStat


class AnalyticsRepository:
    def __init__(self, session: AsyncSession, account_id: str) -> None:
        self.session = session
        self.account_id = account_id

    async def daily(self, link_id: str, span: Window) -> Sequence[Any]:
        """[day index, views, clicks, uniques] per local day, summed in the database.

        The local day of an hour is a CASE over the window's constant-offset stretches, so a
        year in any zone returns at most one row per day, never one per hour.
        """
        hour = HourlyStat.hour
        runs = span.runs()
        cases = [
            (hour < end, first + (hour - start) // 24 if whole else literal(first))
            for first, start, end, whole in runs[:-1]
        ]
        first, start, _, whole = runs[-1]
        last = first + (hour - start) // 24 if whole else literal(first)
        day = case(*cases, else_=last) if cases else last
        query = (
            select(
                day.label("day"),
                func.sum(HourlyStat.views),
                func.sum(HourlyStat.clicks),
                func.sum(HourlyStat.uniques),
            )
            .where(
                HourlyStat.account_id == self.account_id,
                HourlyStat.link_id == link_id,
                hour >= span.first_hour,
                hour < span.end_hour,
            )
            .group_by(day)
        )
        return (await self.session.execute(query)).all()

    async def dimension(
        self, dimension: str, first_day: int, last_day: int, order_by_clicks: bool
    ) -> Sequence[Any]:
        views, clicks = func.sum(DailyDimension.views), func.sum(DailyDimension.clicks)
        query = (
            select(DailyDimension.value, views, clicks)
            .where(
                DailyDimension.account_id == self.account_id,
                DailyDimension.dimension == dimension,
                DailyDimension.day >= first_day,
                DailyDimension.day <= last_day,
            )
            .group_by(DailyDimension.value)
            .order_by((clicks if order_by_clicks else views).desc(), DailyDimension.value)
        )
        return (await self.session.execute(query)).all()

    async def tail(self, link_id: str | None = None) -> Tally:
        """Events answered but not yet rolled up (usually the last second or so)."""
        inbox: Table = EventInbox.__table__  # type: ignore[assignment]
        condition = inbox.c.account_id == self.account_id
        if link_id is not None:
            condition = and_(condition, inbox.c.link_id == link_id)
        counts = await self.session.run_sync(
            lambda sync: tally_where(sync.connection(), inbox, condition)
        )
        known = await known_visitors(self.session, counts.visitors)
        for key, first_hour in counts.visitors.items():
            if key not in known:
                counts.hourly[(self.account_id, ACCOUNT_ROW, first_hour)][2] += 1
        return counts

    async def utc_days(self) -> Sequence[Any]:
        """[day since the epoch, views, clicks] of every UTC day with any (the rollups only)."""
        day = (HourlyStat.hour // 24).label("day")
        query = (
            select(day, func.sum(HourlyStat.views), func.sum(HourlyStat.clicks))
            .where(HourlyStat.account_id == self.account_id, HourlyStat.link_id == ACCOUNT_ROW)
            .group_by(day)
            .order_by(day)
        )
        return (await self.session.execute(query)).all()

    async def totals(self, link_ids: Sequence[str] = (ACCOUNT_ROW,)) -> dict[str, tuple[int, int]]:
        """All-time (views, clicks) of the account row ('') and/or links, tail included."""
        query = select(Counter.link_id, Counter.views, Counter.clicks).where(
            Counter.account_id == self.account_id, Counter.link_id.in_(link_ids)
        )
        result = {link_id: [0, 0] for link_id in link_ids}
        for link_id, views, clicks in await self.session.execute(query):
            result[link_id] = [views, clicks]
        tail = (
            select(EventInbox.link_id, EventInbox.kind, func.count())
            .where(EventInbox.account_id == self.account_id, EventInbox.is_bot.is_(False))
            .group_by(EventInbox.link_id, EventInbox.kind)
        )
        for pending_link, kind, count in await self.session.execute(tail):
            slot = 1 if kind == CLICK else 0
            if ACCOUNT_ROW in result:
                result[ACCOUNT_ROW][slot] += count
            if pending_link in result and pending_link != ACCOUNT_ROW:
                result[pending_link][slot] += count
        return {link_id: (views, clicks) for link_id, (views, clicks) in result.items()}
