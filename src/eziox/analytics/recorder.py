"""Record views and clicks durably before the response leaves, committed in groups.

Each request hands its event to one writer task and waits for the commit of the batch that
holds it (group commit). Nothing is answered before its event is committed, exactly as with
one transaction per event, but a burst of requests shares one transaction and one
executemany: while a batch commits, the next one fills.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, insert

from eziox.analytics.classify import classify_agent, referrer_domain
from eziox.analytics.geo import country_from_header, country_of
from eziox.analytics.visitors import SaltBook, visitor_hash
from eziox.db import WRITE_OPTION, Database
from eziox.kit.epoch import day_of
from eziox.kit.singleflight import SingleFlight
from eziox.kit.time import utcnow
from eziox.models import CLICK, EventInbox
from eziox.ops import metrics

INBOX: Table = EventInbox.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Visit:
    """What the request tells us; the IP is used for the hash and country, then dropped."""

    ip: str
    user_agent: str
    referer: str | None
    country_header: str | None
    own_host: str | None


class Recorder:
    def __init__(self, db: Database, *, country_header: str | None) -> None:
        self.db = db
        self.country_header = country_header
        self.salts = SaltBook()
        self._salt_loads: SingleFlight[int, bytes] = SingleFlight()
        self._rows: list[dict[str, Any]] = []
        self._waiting: list[asyncio.Future[None]] = []
        self._wake: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self._inbox = _SqliteInbox(db) if db.is_sqlite else _AsyncInbox(db)
        # Told which accounts got clicks once they are committed (caches of click counts).
        self.on_clicks: Callable[[set[str]], None] | None = None

    async def record(self, account_id: str, link_id: str | None, kind: int, visit: Visit) -> None:
        """Return once the event is committed (raises what the commit raised)."""
        row = await self._row(account_id, link_id, kind, visit)
        committed = asyncio.get_running_loop().create_future()
        self._rows.append(row)
        self._waiting.append(committed)
        self._start().set()
        await committed

    async def _row(
        self, account_id: str, link_id: str | None, kind: int, visit: Visit
    ) -> dict[str, Any]:
        now = utcnow()
        agent = classify_agent(visit.user_agent[:512])
        country = (
            country_from_header(visit.country_header)
            if self.country_header
            else country_of(visit.ip)
        )
        salt = await self._salt(day_of(now))
        return {
            "account_id": account_id,
            "link_id": link_id,
            "kind": kind,
            "occurred_at": now,
            "visitor": visitor_hash(salt, visit.ip, visit.user_agent, account_id),
            "is_bot": agent.is_bot,
            "referrer": referrer_domain(visit.referer, visit.own_host),
            "device": agent.device,
            "browser": agent.browser,
            "os": agent.os,
            "country": country,
        }

    async def _salt(self, day: int) -> bytes:
        salt = self.salts.cached(day)
        if salt is None:  # once a day per process, however many requests arrive meanwhile
            salt = await self._salt_loads.run(day, lambda: self._load_salt(day))
        return salt

    async def _load_salt(self, day: int) -> bytes:
        async with self.db.transaction() as session:
            return await self.salts.salt_for(session, day)

    def _start(self) -> asyncio.Event:
        if self._wake is None:
            self._wake = asyncio.Event()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches(self._wake))
        return self._wake

    async def _write_batches(self, wake: asyncio.Event) -> None:
        while self._rows or not self._closing:
            if not self._rows:
                await wake.wait()
            wake.clear()
            rows, waiting = self._rows, self._waiting
            self._rows, self._waiting = [], []
            if rows:
                await self._commit(rows, waiting)

    async def _commit(
        self, rows: list[dict[str, Any]], waiting: list[asyncio.Future[None]]
    ) -> None:
        try:
            await self._inbox.write(rows)
        except Exception as exc:  # every request of the batch answers with the error
            for committed in waiting:
                if not committed.done():
                    committed.set_exception(exc)
            return
        for committed in waiting:
            if not committed.done():
                committed.set_result(None)
        clicked = [row["account_id"] for row in rows if row["kind"] == CLICK]
        if clicked:
            metrics.EVENTS.labels("click").inc(len(clicked))
            if self.on_clicks is not None:
                self.on_clicks(set(clicked))
        if len(rows) > len(clicked):
            metrics.EVENTS.labels("view").inc(len(rows) - len(clicked))

    async def close(self) -> None:
        """Commit what is queued, then stop the writer."""
        self._closing = True
        if self._writer is not None and self._wake is not None:
            self._wake.set()
            await self._writer
        await self._inbox.close()


class _AsyncInbox:
    """Batches through the async engine, in a Core transaction (PostgreSQL: asyncpg)."""

    def __init__(self, db: Database) -> None:
        self.engine = db.engine

    async def write(self, rows: list[dict[str, Any]]) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(insert(INBOX), rows)

    async def close(self) -> None:
        return None


class _SqliteInbox:
    """Batches on a thread of its own, through one connection of its own (SQLite).

    The async driver moves every call between the event loop and a thread; a batch here is
    one hand-off: BEGIN IMMEDIATE, one executemany of the statement SQLAlchemy compiled, and
    COMMIT, all on the writer thread, in this process's write turn.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.engine = db.blocking_sqlite_engine()
        keys = [column.name for column in INBOX.columns if column.name != "id"]
        dialect = self.engine.dialect
        statement = insert(INBOX).compile(dialect=dialect, column_keys=keys)
        self.sql = str(statement)
        self.columns = [  # each value as SQLAlchemy itself would bind it (the stored format)
            (name, INBOX.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in statement.positiontup or ()
        ]
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="eziox-events")
        self.connection: Connection | None = None

    async def write(self, rows: list[dict[str, Any]]) -> None:
        values = [
            tuple(convert(row[name]) if convert else row[name] for name, convert in self.columns)
            for row in rows
        ]
        async with self.db.sqlite_write_turn():
            await asyncio.get_running_loop().run_in_executor(self.thread, self._write, values)

    def _write(self, values: list[tuple[Any, ...]]) -> None:
        if self.connection is None or self.connection.closed:
            self.connection = self.engine.connect().execution_options(**{WRITE_OPTION: True})
        try:
            with self.connection.begin():
                self.connection.exec_driver_sql(self.sql, values)
        except Exception:
            self.connection.close()  # a fresh one next time
            raise

    async def close(self) -> None:
        def stop() -> None:
            if self.connection is not None:
                self.connection.close()
            self.engine.dispose()

        await asyncio.get_running_loop().run_in_executor(self.thread, stop)
        self.thread.shutdown()
