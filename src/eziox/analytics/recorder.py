"""Record views and clicks durably before the response leaves, committed in groups.

Each request hands its event to one writer task and waits for the commit of the batch that
holds it (group commit). Nothing is answered before its event is committed, exactly as with
one transaction per event, but a burst of requests shares one transaction and one
executemany: while a batch commits, the next one fills.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy import String, Table, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import InterfaceError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeEngine

from eziox.analytics.classify import classify_agent, referrer_domain
from eziox.analytics.geo import country_from_header, country_of
from eziox.analytics.visitors import SaltBook, visitor_hash
from eziox.db import Database
from eziox.kit.epoch import day_of
from eziox.kit.singleflight import SingleFlight
from eziox.kit.time import utcnow
from eziox.models import CLICK, EventBatch, EventInbox
from eziox.ops import metrics

INBOX: Table = EventInbox.__table__  # type: ignore[assignment]
BATCHES: Table = EventBatch.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Visit:
    """What the request tells us; the IP is used for the hash and country, then dropped."""

    ip: str
    user_agent: str
    referer: str | None
    country_header: str | None
    own_host: str | None


# The order of an event's values in the rows handed to the inbox writers.
FIELDS = (
    "account_id", "link_id", "kind", "occurred_at", "visitor", "is_bot",
    "referrer", "device", "browser", "os", "country",
)  # fmt: skip
_ACCOUNT, _KIND, _OCCURRED = FIELDS.index("account_id"), FIELDS.index("kind"), 3


class Recorder:
    def __init__(self, db: Database, *, country_header: str | None) -> None:
        self.db = db
        self.country_header = country_header
        self.salts = SaltBook()
        self._salt_loads: SingleFlight[int, bytes] = SingleFlight()
        self._rows: list[tuple[Any, ...]] = []
        self._waiting: list[asyncio.Future[None]] = []
        self._wake: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self._inbox: SqliteInbox | PostgresInbox = (
            SqliteInbox(db) if db.is_sqlite else PostgresInbox(db)
        )
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
    ) -> tuple[Any, ...]:
        now = utcnow()
        agent = classify_agent(visit.user_agent[:512])
        country = (
            country_from_header(visit.country_header)
            if self.country_header
            else country_of(visit.ip)
        )
        salt = await self._salt(day_of(now))
        return (  # in the order of FIELDS
            account_id,
            link_id,
            kind,
            now,
            visitor_hash(salt, visit.ip, visit.user_agent, account_id),
            agent.is_bot,
            referrer_domain(visit.referer, visit.own_host),
            agent.device,
            agent.browser,
            agent.os,
            country,
        )

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
        self, rows: list[tuple[Any, ...]], waiting: list[asyncio.Future[None]]
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
        clicked = [row[_ACCOUNT] for row in rows if row[_KIND] == CLICK]
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


class PostgresInbox:
    """Batches through one connection of its own, as one statement (PostgreSQL: asyncpg).

    The statement inserts the batch's token into ``event_batches`` and, only if the token
    was new, the batch's rows (one array per column, unnested): one round trip, committed
    whole or not at all, without SQLAlchemy's per-row parameter processing. A batch whose
    connection is lost, whenever that happens (the server closed it while idle and asyncpg
    learns so only from the server's goodbye read as the answer, or the answer itself was
    lost after the commit), is sent once more with the same token on a fresh connection:
    it is stored once either way. If that fails too, the requests of the batch answer as
    for any lost connection (503). The connection sits outside the pool (no pre-ping).
    """

    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.connection: AsyncConnection | None = None

    async def write(self, rows: list[tuple[Any, ...]], token: bytes | None = None) -> None:
        columns = list(zip(*rows, strict=True))
        token = token or batch_token()
        for last_try in (False, True):
            try:
                if self.connection is None:
                    self.connection = await self.engine.connect()
                raw = await self.connection.get_raw_connection()
                await raw.driver_connection.execute(_INSERT_BATCH, *columns, token)  # type: ignore[union-attr]
                return
            except BaseException as exc:
                await self._drop()
                if not isinstance(exc, _LOST):
                    raise
                if last_try:
                    lost = InterfaceError(_INSERT_BATCH, None, exc, connection_invalidated=True)
                    raise lost from exc

    async def _drop(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with suppress(Exception):
                await connection.invalidate()
            await connection.close()

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
            self.connection = None


def batch_token(at: float | None = None) -> bytes:
    """A new batch's token: the time in milliseconds, then 80 random bits."""
    return tokens_before(time.time() if at is None else at)[:6] + secrets.token_bytes(10)


def tokens_before(at: float) -> bytes:
    """The lowest token a batch made at time ``at`` (or later) can have: the one place that
    writes a time into a token, so pruning and making tokens always agree."""
    return int(at * 1000).to_bytes(6, "big") + bytes(10)


# What asyncpg raises for a connection lost, refused or shut down by the server (or one it
# already knows to be closed, or whose protocol is still busy with the server's goodbye:
# "cannot switch to state …"): raised as SQLAlchemy's error for it, so the requests of the
# batch answer as for any lost connection (503).
_LOST = (
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
)


def _insert_batch_statement() -> str:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    # Strings as text: a value too long for its column fails the insert, as it would if
    # inserted directly, rather than being cut to length by a cast.
    arrays = ", ".join(
        f"${number}::{_array_element(INBOX.c[name].type, dialect)}[]"
        for number, name in enumerate(FIELDS, start=1)
    )
    return (
        f"WITH batch AS (INSERT INTO {BATCHES.name} (token) VALUES (${len(FIELDS) + 1}) "
        "ON CONFLICT DO NOTHING RETURNING token) "
        f"INSERT INTO {INBOX.name} ({', '.join(FIELDS)}) "
        f"SELECT * FROM unnest({arrays}) WHERE EXISTS (SELECT FROM batch)"
    )


def _array_element(column_type: TypeEngine[Any], dialect: Dialect) -> str:
    return "text" if isinstance(column_type, String) else column_type.compile(dialect=dialect)


_INSERT_BATCH = _insert_batch_statement()


class SqliteInbox:
    """Batches through the process's SQLite writer: one executemany of the statement
    SQLAlchemy compiled, in one transaction (`eziox.db.SqliteWriter.execute_many`)."""

    def __init__(self, db: Database) -> None:
        self.writer = db.sqlite_writer
        dialect = self.writer.engine.dialect
        statement = insert(INBOX).compile(dialect=dialect, column_keys=list(FIELDS))
        self.sql = str(statement)
        if tuple(statement.positiontup or ()) != FIELDS:
            raise RuntimeError("the inbox statement's parameters are not in FIELDS order")
        _check_stored_time(INBOX.c.occurred_at.type.dialect_impl(dialect).bind_processor(dialect))

    async def write(self, rows: list[tuple[Any, ...]]) -> None:
        values = [
            (*row[:_OCCURRED], _stored_time(row[_OCCURRED]), *row[_OCCURRED + 1 :]) for row in rows
        ]
        await self.writer.execute_many(self.sql, values)

    async def close(self) -> None:
        return None  # the writer thread is the database's (closed by Database.dispose)


def _stored_time(moment: datetime) -> str:
    """An aware UTC time as SQLite stores it: the text SQLAlchemy would bind, made in C."""
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def _check_stored_time(sqlalchemy_binds: Callable[[Any], Any] | None) -> None:
    """Refuse to start if SQLAlchemy's own text for a time ever differs from ours."""
    assert sqlalchemy_binds is not None
    for sample in (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), utcnow()):
        if _stored_time(sample) != sqlalchemy_binds(sample):
            raise RuntimeError(f"stored time format changed: {sqlalchemy_binds(sample)!r}")
