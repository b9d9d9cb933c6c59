"""Batch roll-up: inbox events → archive + hourly, daily-dimension, counter and visitor rows.

`tally_where` counts in the database and also serves queries (the not-yet-rolled-up tail);
`roll_up_next` moves one batch in one transaction. On PostgreSQL several workers can run at
once: each claims its batch with FOR UPDATE SKIP LOCKED, and rollup rows are written in key
order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Integer,
    Table,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.analytics.recorder import tokens_before
from eziox.db import Database
from eziox.kit.upsert import insert_ignore, upsert_add
from eziox.models import (
    ACCOUNT_ROW,
    CLICK,
    EVENTS,
    Counter,
    DailyDimension,
    DailyVisitor,
    EventBatch,
    EventInbox,
    HourlyStat,
)
from eziox.webhooks.clicks import emit_clicks

log = logging.getLogger("eziox.analytics")

DIMENSIONS = ("referrer", "device", "browser", "os", "country", "link")
DIRECT = "(direct)"
UNKNOWN = "(unknown)"
_INBOX: Table = EventInbox.__table__  # type: ignore[assignment]
_BATCHES: Table = EventBatch.__table__  # type: ignore[assignment]
BATCH_TOKENS_KEPT = 600.0  # seconds
_EVENT_COLUMNS = [c.name for c in _INBOX.columns if c.name != "id"]
_ARCHIVED = select(*(_INBOX.c[name] for name in _EVENT_COLUMNS))
_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38, 0)  # SQLite's unixepoch() came in 3.38


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


def _hour(table: Table, sqlite: bool) -> ColumnElement[int]:
    """The event's hour since the epoch (UTC), computed by the database."""
    moment = table.c.occurred_at
    if sqlite:
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC. SQLite's date functions round to
        # the millisecond (16:59:59.9999 would count in 17:00), so the fraction is cut off
        # first. unixepoch() gives the integer at about half strftime's cost.
        whole_seconds = func.substr(moment, 1, 19)
        if _UNIXEPOCH:
            return func.unixepoch(whole_seconds, type_=Integer) // 3600
        return cast(func.strftime("%s", whole_seconds), Integer) // 3600
    return cast(func.floor(func.extract("epoch", moment) / 3600), BigInteger)


def tally_where(connection: Connection, table: Table, condition: ColumnElement[bool]) -> Tally:
    """Count the events of ``table`` that match (bots left out), grouped by the database:
    what comes back is one row per shape (a busy page's traffic repeats a few dozen), and
    one per visitor, never one per event."""
    result = Tally()
    hour = _hour(table, connection.dialect.name == "sqlite")
    human = and_(condition, table.c.is_bot.is_(False))
    c = table.c
    shape = (
        c.account_id, c.link_id, c.kind, hour, c.referrer, c.device, c.browser, c.os, c.country,
    )  # fmt: skip
    shapes = select(*shape, func.count()).where(human).group_by(*shape)
    for *key, times in connection.execute(shapes).all():
        _count_shape(result, tuple(key), times)
    day = hour // 24
    visitors = (
        select(c.account_id, day, c.visitor, func.min(hour))
        .where(human)
        .group_by(c.account_id, day, c.visitor)
    )
    for account_id, day_number, visitor, first_hour in connection.execute(visitors).all():
        result.visitors[(account_id, day_number, bytes(visitor))] = first_hour
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


def _insert_new_visitors(connection: Connection, counts: Tally) -> None:
    """Record visitors; only rows this transaction really inserted count as unique."""
    if not counts.visitors:
        return
    rows = [{"account_id": a, "day": d, "visitor": v} for (a, d, v) in sorted(counts.visitors)]
    table = DailyVisitor.__table__
    statement = insert_ignore(connection, table, ["account_id", "day", "visitor"]).returning(
        table.c.account_id, table.c.day, table.c.visitor
    )
    # executemany with RETURNING (insertmanyvalues): one cached statement, batched VALUES.
    for account_id, day, visitor in connection.execute(statement, rows).all():
        first_hour = counts.visitors[(account_id, day, bytes(visitor))]
        counts.hourly[(account_id, ACCOUNT_ROW, first_hour)][2] += 1


def apply(connection: Connection, counts: Tally) -> None:
    """Add a tally to the rollups (rows in key order: concurrent workers never deadlock)."""
    _insert_new_visitors(connection, counts)
    _upsert(
        connection,
        HourlyStat,
        ["account_id", "link_id", "hour"],
        ["views", "clicks", "uniques"],
        counts.hourly,
    )
    _upsert(
        connection,
        DailyDimension,
        ["account_id", "day", "dimension", "value"],
        ["views", "clicks"],
        counts.dims,
    )
    _upsert(connection, Counter, ["account_id", "link_id"], ["views", "clicks"], counts.counters)


def _upsert(
    connection: Connection,
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
    connection.execute(upsert_add(connection, model.__table__, keys, counters), rows)


def _roll_up_postgres(connection: Connection, limit: int) -> int:
    """Move up to ``limit`` inbox events into the archive and the rollups; return how many.

    PostgreSQL: the batch is claimed with FOR UPDATE SKIP LOCKED, so workers of several
    instances each take their own rows.
    """
    query = select(_INBOX.c.id).order_by(_INBOX.c.id).limit(limit).with_for_update(skip_locked=True)
    ids = list(connection.scalars(query).all())
    if not ids:
        return 0
    claimed = _INBOX.c.id == any_(bindparam("claimed", ids, type_=postgresql.ARRAY(BigInteger)))
    _move(connection, claimed)
    # A batch is sent again within seconds of its first try, if at all.
    expired = _BATCHES.c.token < tokens_before(time.time() - BATCH_TOKENS_KEPT)
    connection.execute(delete(_BATCHES).where(expired))
    return len(ids)


def _move(connection: Connection, claimed: ColumnElement[bool]) -> None:
    # Counted, archived and deleted by the database itself: no event row comes back here.
    counts = tally_where(connection, _INBOX, claimed)
    apply(connection, counts)
    if any(clicks for _, clicks in counts.counters.values()):  # human clicks in the batch
        emit_clicks(connection, claimed)  # link.clicked webhooks leave the inbox with them
    if connection.dialect.name == "postgresql":  # one statement: DELETE … RETURNING feeds it
        moved = delete(_INBOX).where(claimed).returning(*_ARCHIVED.selected_columns).cte()
        archived = select(*(moved.c[name] for name in _EVENT_COLUMNS))
        connection.execute(insert(EVENTS).from_select(_EVENT_COLUMNS, archived))
        return
    connection.execute(insert(EVENTS).from_select(_EVENT_COLUMNS, _ARCHIVED.where(claimed)))
    connection.execute(delete(_INBOX).where(claimed))


def _roll_up_sqlite(connection: Connection, limit: int) -> int:
    """SQLite: the write turn is held from the first statement, so the batch (the lowest ids)
    is every row from its first id to its last, and no insert is in flight meanwhile.

    The batch is read inside the write transaction on purpose: SQLite reuses the id of a
    deleted last row, so a batch read before the turn could, by the time the turn comes, name
    rows another process's roll-up has moved and new events have taken the place of.
    """
    lowest = select(_INBOX.c.id).order_by(_INBOX.c.id).limit(limit).subquery()
    query = select(func.min(lowest.c.id), func.max(lowest.c.id), func.count())
    first, last, count = connection.execute(query).one()
    if not count:
        return 0
    _move(connection, _INBOX.c.id.between(first, last))
    return int(count)


async def roll_up_next(db: Database, limit: int) -> int:
    """Roll up the next batch of at most ``limit`` events; return how many moved.

    SQLite: the whole transaction is one hand-off to the process's writer thread, so the
    write turn is held for the statements alone (views and clicks queue behind it)."""
    if db.is_sqlite:
        return await db.sqlite_writer.run(lambda connection: _roll_up_sqlite(connection, limit))
    async with db.transaction() as session:
        return await session.run_sync(lambda sync: _roll_up_postgres(sync.connection(), limit))


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


# Events rolled up per transaction. SQLite: every event batch waits while a roll-up holds the
# one write lock, so a roll-up stays short (2,000 gave +15 % views a second but a p99 of
# 36 ms). PostgreSQL: a roll-up locks only the inbox rows it claims and the event loop serves
# while its statements run, but each roll-up costs the loop ~7 ms of fixed work (a dozen
# statements): under load, a page view cost the server 102-123 us with 500 a roll-up,
# 87 us with 2,000 and 89-93 us with 5,000, and 5,000 raised the p99 to 31-44 ms once the
# archive held a million events (bench/RESULTS.md).
SQLITE_BATCH = 500
POSTGRES_BATCH = 2000


class RollupWorker:
    """Runs inside each server process: rolls up every ``interval`` seconds while busy or idle."""

    def __init__(self, db: Database, *, interval: float = 1.0, limit: int | None = None) -> None:
        self.db = db
        self.interval = interval
        self.limit = limit or (SQLITE_BATCH if db.is_sqlite else POSTGRES_BATCH)
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
