"""Roll-ups agree with the events, never lose or double-count, and prune by tier."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from eziox.accounts.service import set_tier
from eziox.analytics import rollup
from eziox.analytics.recorder import batch_token
from eziox.analytics.retention import prune
from eziox.analytics.rollup import roll_up_all, roll_up_next
from eziox.config import Settings
from eziox.models import ACCOUNT_ROW, Event, EventBatch, EventInbox, HourlyStat
from tests.analytics.factories import count_rows, events_recorded, record
from tests.factories import Caller, state_of


async def test_events_move_from_inbox_to_archive(app: FastAPI, caller: Caller) -> None:
    await record(app, caller.account.id, times=5)
    assert await events_recorded(app, caller.account.id) == 5
    await roll_up_all(state_of(app).db)
    assert await count_rows(app, EventInbox, caller.account.id) == 0
    assert await count_rows(app, Event, caller.account.id) == 5


async def test_the_roll_up_forgets_batch_tokens_once_no_batch_can_be_sent_again(
    app: FastAPI, caller: Caller, settings: Settings
) -> None:
    if settings.is_sqlite:
        pytest.skip("SQLite backend: no batch tokens there; runs in the PostgreSQL pass")
    now = time.time()
    old = batch_token(now - rollup.BATCH_TOKENS_KEPT - 5)
    recent = batch_token(now - rollup.BATCH_TOKENS_KEPT + 60)
    db = state_of(app).db
    async with db.transaction() as session:
        session.add_all([EventBatch(token=old), EventBatch(token=recent)])
    await record(app, caller.account.id)  # a batch of its own, with today's token
    await roll_up_all(db)
    async with db.session() as session:
        kept = set((await session.scalars(select(EventBatch.token))).all())
    assert old not in kept
    assert recent in kept
    assert any(token > recent for token in kept)  # the batch just written


async def test_concurrent_recording_and_rolling_up_loses_nothing(
    app: FastAPI, caller: Caller
) -> None:
    link = (await caller.post("/v1/links", json={"title": "a", "url": "https://a.example"})).json()
    db = state_of(app).db

    async def roll_repeatedly() -> None:
        for _ in range(15):
            await roll_up_next(db, limit=7)
            await asyncio.sleep(0)

    async def visit(i: int) -> None:
        await record(app, caller.account.id, ip=f"198.51.100.{i % 20}")
        await record(app, caller.account.id, link_id=link["id"], ip=f"198.51.100.{i % 20}")

    await asyncio.gather(roll_repeatedly(), roll_repeatedly(), *(visit(i) for i in range(60)))
    body = (await caller.get("/v1/analytics", params={"period": "7d"})).json()
    assert body["summary"] == {"views": 60, "clicks": 60, "clickRate": 1.0, "uniqueVisitors": 20}
    await roll_up_all(db)
    assert (await caller.get("/v1/analytics", params={"period": "7d"})).json() == body
    assert (await caller.get(f"/v1/links/{link['id']}")).json()["clicks"] == 60
    assert (await caller.get("/v1/profile")).json()["stats"]["views"] == 60
    assert await count_rows(app, Event, caller.account.id) == 120


async def test_retention_follows_the_tier(app: FastAPI, caller: Caller) -> None:
    old = datetime.now(UTC) - timedelta(days=40)
    await record(app, caller.account.id, at=old, times=3)
    await record(app, caller.account.id, times=2)
    await roll_up_all(state_of(app).db)

    async with state_of(app).db.transaction() as session:
        await set_tier(session, caller.account.username, "pro")
    async with state_of(app).db.transaction() as session:
        await prune(session)
    assert await count_rows(app, Event, caller.account.id) == 5

    async with state_of(app).db.transaction() as session:
        await set_tier(session, caller.account.username, "free")
    async with state_of(app).db.transaction() as session:
        first = await prune(session)
    assert await count_rows(app, Event, caller.account.id) == 2
    assert first.events >= 3
    assert "raw events" in str(first)
    async with state_of(app).db.transaction() as session:
        await prune(session)  # idempotent: nothing more of this account goes
    assert await count_rows(app, Event, caller.account.id) == 2
    # Roll-ups are kept forever: the 1y series still shows the old views.
    body = (await caller.get("/v1/analytics", params={"period": "90d"})).json()
    assert body["summary"]["views"] == 5


MOMENTS = (
    datetime(2026, 3, 1, 16, 59, 59, 999999, tzinfo=UTC),  # the last instant of an hour
    datetime(2026, 3, 1, 17, 0, 0, tzinfo=UTC),  # the first of the next
    datetime(2026, 3, 1, 17, 59, 30, 500000, tzinfo=UTC),
    datetime(2026, 3, 2, 0, 0, 0, 1, tzinfo=UTC),  # just past midnight: the next day
)


@pytest.mark.parametrize("unixepoch", [True, False], ids=["unixepoch", "strftime"])
async def test_each_view_counts_in_its_utc_hour(
    app: FastAPI,
    caller: Caller,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    unixepoch: bool,
) -> None:
    """SQLite computes the hour with unixepoch() where it has it (3.38+), strftime('%s')
    otherwise; both must put every event in the hour Python would."""
    if not settings.is_sqlite and not unixepoch:
        pytest.skip("PostgreSQL backend: the strftime fallback is SQLite's; runs in its pass")
    monkeypatch.setattr(rollup, "_UNIXEPOCH", unixepoch and settings.is_sqlite)
    for moment in MOMENTS:
        await record(app, caller.account.id, at=moment)
    await roll_up_all(state_of(app).db)
    async with state_of(app).db.session() as session:
        rows = await session.execute(
            select(HourlyStat.hour, HourlyStat.views).where(
                HourlyStat.account_id == caller.account.id, HourlyStat.link_id == ACCOUNT_ROW
            )
        )
        hours = {hour: views for hour, views in rows.all()}
    expected = Counter(int(moment.timestamp()) // 3600 for moment in MOMENTS)
    assert hours == dict(expected)
