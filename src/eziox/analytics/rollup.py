"""Batch roll-up: inbox events → archive + hourly, daily-dimension, counter and visitor rows.

`tally` is pure and also serves queries (the not-yet-rolled-up tail); `roll_up_next` moves
one batch in one transaction. On PostgreSQL several workers can run at once: each claims its
batch with FOR UPDATE SKIP LOCKED, and rollup rows are written in key order.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Table, any_, bindparam, delete, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.db import Database
from eziox.kit.epoch import hour_of
from eziox.kit.upsert import insert_ignore, upsert_add
from eziox.models import (
    ACCOUNT_ROW,
    CLICK,
    EVENTS,
    Counter,
    DailyDimension,
    DailyVisitor,
    EventInbox,
    HourlyStat,
)
from eziox.webhooks.clicks import emit_clicks

log = logging.getLogger("eziox.analytics")

DIMENSIONS = ("referrer", "device", "browser", "os", "country", "link")
DIRECT = "(direct)"
UNKNOWN = "(unknown)"
_INBOX: Table = EventInbox.__table__  # type: ignore[assignment]
_EVENT_COLUMNS = [c.name for c in _INBOX.columns if c.name != "id"]
_ARCHIVED = select(*(_INBOX.c[name] for name in _EVENT_COLUMNS))


@dataclass
class Tally:
    """Counts from a set of events (bots already left out)."""

    hourly: dict[tuple[str, str, int], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )
    dims: dict[tuple[str, int, str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    counters: dict[tuple[str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    # (account, day, visitor) -> the hour it was first seen in these events
    visitors: dict[tuple[str, int, bytes], int] = field(default_factory=dict)


def tally(events: Iterable[Any]) -> Tally:
    """Count events (bots left out). Events that differ only in their visitor are counted
    together first: a batch of a busy page's traffic repeats a few dozen shapes."""
    result = Tally()
    shapes: collections.Counter[tuple[Any, ...]] = collections.Counter()
    for event in events:
        if event.is_bot:
            continue
        hour = hour_of(event.occurred_at)
        shapes[
            (
                event.account_id, event.link_id, event.kind, hour, event.referrer,
                event.device, event.browser, event.os, event.country,
            )
        ] += 1  # fmt: skip
        result.visitors.setdefault((event.account_id, hour // 24, event.visitor), hour)
    for shape, times in shapes.items():
        _count_shape(result, shape, times)
    return result


def _count_shape(result: Tally, shape: tuple[Any, ...], times: int) -> None:
    account_id, link_id, kind, hour, referrer, device, browser, os_name, country = shape
    day, slot = hour // 24, 1 if kind == CLICK else 0
    result.hourly[(account_id, ACCOUNT_ROW, hour)][slot] += times
    result.counters[(account_id, ACCOUNT_ROW)][slot] += times
    if link_id and slot:
        result.hourly[(account_id, link_id, hour)][1] += times
        result.counters[(account_id, link_id)][1] += times
    dimensions = [
        ("referrer", referrer or DIRECT),
        ("device", device),
        ("browser", browser),
        ("os", os_name),
        ("country", country or UNKNOWN),
    ]
    if link_id:
        dimensions.append(("link", link_id))
    for dimension, value in dimensions:
        result.dims[(account_id, day, dimension, value)][slot] += times


async def known_visitors(
    session: AsyncSession, candidates: Iterable[tuple[str, int, bytes]]
) -> set[tuple[str, int, bytes]]:
    """Which of these (account, day, visitor) triples are already recorded."""
    groups: dict[tuple[str, int], list[bytes]] = defaultdict(list)
    for account_id, day, visitor in candidates:
        groups[(account_id, day)].append(visitor)
    known: set[tuple[str, int, bytes]] = set()
    for (account_id, day), visitors in groups.items():
        for chunk in _chunks(visitors, 500):
            query = select(DailyVisitor.visitor).where(
                DailyVisitor.account_id == account_id,
                DailyVisitor.day == day,
                DailyVisitor.visitor.in_(chunk),
            )
            known.update((account_id, day, v) for v in (await session.scalars(query)))
    return known


async def _insert_new_visitors(session: AsyncSession, counts: Tally) -> None:
    """Record visitors; only rows this transaction really inserted count as unique."""
    if not counts.visitors:
        return
    rows = [{"account_id": a, "day": d, "visitor": v} for (a, d, v) in sorted(counts.visitors)]
    table = DailyVisitor.__table__
    statement = insert_ignore(session, table, ["account_id", "day", "visitor"]).returning(
        table.c.account_id, table.c.day, table.c.visitor
    )
    # executemany with RETURNING (insertmanyvalues): one cached statement, batched VALUES.
    for account_id, day, visitor in (await session.execute(statement, rows)).all():
        first_hour = counts.visitors[(account_id, day, bytes(visitor))]
        counts.hourly[(account_id, ACCOUNT_ROW, first_hour)][2] += 1


async def apply(session: AsyncSession, counts: Tally) -> None:
    """Add a tally to the rollups (rows in key order: concurrent workers never deadlock)."""
    await _insert_new_visitors(session, counts)
    await _upsert(
        session,
        HourlyStat,
        ["account_id", "link_id", "hour"],
        ["views", "clicks", "uniques"],
        counts.hourly,
    )
    await _upsert(
        session,
        DailyDimension,
        ["account_id", "day", "dimension", "value"],
        ["views", "clicks"],
        counts.dims,
    )
    await _upsert(session, Counter, ["account_id", "link_id"], ["views", "clicks"], counts.counters)


async def _upsert(
    session: AsyncSession,
    model: Any,
    keys: list[str],
    counters: list[str],
    values: dict[Any, list[int]],
) -> None:
    if not values:
        return
    rows = [
        {**dict(zip(keys, key, strict=True)), **dict(zip(counters, amounts, strict=True))}
        for key, amounts in sorted(values.items())
    ]
    await session.execute(upsert_add(session, model.__table__, keys, counters), rows)


async def _roll_up_postgres(session: AsyncSession, limit: int) -> int:
    """Move up to ``limit`` inbox events into the archive and the rollups; return how many.

    PostgreSQL: the batch is claimed with FOR UPDATE SKIP LOCKED, so workers of several
    instances each take their own rows.
    """
    # Core statements throughout: every event passes through here once, so no ORM identity
    # map, and no in-Python "synchronize" pass over the deleted rows.
    query = select(_INBOX).order_by(_INBOX.c.id).limit(limit).with_for_update(skip_locked=True)
    events = (await session.execute(query)).all()
    if not events:
        return 0
    claimed = _INBOX.c.id == any_(
        bindparam("claimed", [e.id for e in events], type_=postgresql.ARRAY(BigInteger))
    )
    await _move(session, events, tally(events), claimed)
    return len(events)


async def _move(
    session: AsyncSession, events: Sequence[Any], counts: Tally, claimed: ColumnElement[bool]
) -> None:
    await apply(session, counts)
    await emit_clicks(session, events)  # link.clicked webhooks leave the inbox with the clicks
    # Archived by the database itself: no row comes back here.
    await session.execute(insert(EVENTS).from_select(_EVENT_COLUMNS, _ARCHIVED.where(claimed)))
    await session.execute(delete(_INBOX).where(claimed))


async def _roll_up_sqlite(session: AsyncSession, limit: int) -> int:
    """SQLite: the write turn is held from the first statement, so the batch (the lowest ids)
    is every row from its first id to its last, and no insert is in flight meanwhile.

    The batch is read inside the write transaction on purpose: SQLite reuses the id of a
    deleted last row, so a batch read before the turn could, by the time the turn comes, name
    rows another process's roll-up has moved and new events have taken the place of.
    """
    query = select(_INBOX).order_by(_INBOX.c.id).limit(limit)
    events = (await session.execute(query)).all()
    if not events:
        return 0
    claimed = _INBOX.c.id.between(events[0].id, events[-1].id)
    await _move(session, events, tally(events), claimed)
    return len(events)


async def roll_up_next(db: Database, limit: int) -> int:
    """Roll up the next batch of at most ``limit`` events; return how many moved."""
    async with db.transaction() as session:
        if db.is_sqlite:
            return await _roll_up_sqlite(session, limit)
        return await _roll_up_postgres(session, limit)


async def roll_up_all(db: Database, limit: int = 2000) -> int:
    """Roll up until the inbox is empty (tests, CLI, shutdown)."""
    total = 0
    while True:
        moved = await roll_up_next(db, limit)
        total += moved
        if moved < limit and not await _pending(db):
            return total


async def _pending(db: Database) -> bool:
    """A cheap read, so an idle server never takes SQLite's write lock."""
    async with db.session() as session:
        return await session.scalar(select(EventInbox.id).limit(1)) is not None


class RollupWorker:
    """Runs inside each server process: rolls up every ``interval`` seconds while busy or idle."""

    # Batches small enough that rolling one up never holds the event loop for long.
    def __init__(self, db: Database, *, interval: float = 1.0, limit: int = 500) -> None:
        self.db = db
        self.interval = interval
        self.limit = limit
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="eziox-rollup")

    async def stop(self, grace: float = 10.0) -> None:
        """Let the batch in progress commit (shutdown), then stop; cancel after ``grace`` s."""
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                moved = 0
                if await _pending(self.db):
                    moved = await roll_up_next(self.db, self.limit)
            except asyncio.CancelledError:
                raise
            except Exception:  # the inbox keeps every event; the next round retries
                log.warning("analytics roll-up failed; will retry", exc_info=True)
                moved = 0
            if moved < self.limit:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.interval)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
