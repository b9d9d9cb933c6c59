"""Engine and sessions. The request session is the single commit point (see `request_session`)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.util import await_

from eziox.config import Settings
from eziox.pages.changes import bump_page_versions

WRITE_OPTION = "eziox_write"
T = TypeVar("T")
_KEYS_CHANGED = "eziox.keys_changed"


def mark_keys_changed(session: AsyncSession) -> None:
    """Record that key lookups cached anywhere must be dropped once this transaction commits."""
    session.info[_KEYS_CHANGED] = True


class _WriterTurn:
    """A SQLite write session's place in this process's queue of writers.

    Taken at the session's first statement (BEGIN IMMEDIATE), not when the session opens, and
    given back when it closes: work done before the first query (reading a body, hashing a
    password, calling another service) never holds up the other writers.
    """

    def __init__(self, lock: asyncio.Lock) -> None:
        self.lock = lock
        self.held = False

    def take(self) -> None:
        # Runs inside SQLAlchemy's greenlet (the "begin" event), where await_ may suspend.
        if not self.held:
            await_(self.lock.acquire())
            self.held = True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self.lock.release()


# The turn of the write session open in this task; read by the "begin" event of SQLite.
_TURN: ContextVar[_WriterTurn | None] = ContextVar("eziox_writer_turn", default=None)


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    # pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves:
    # writers take the lock up front (BEGIN IMMEDIATE) instead of failing on upgrade.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        turn = _TURN.get() if immediate else None
        if turn is not None:
            turn.take()
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(settings: Settings) -> AsyncEngine:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(settings.db_url, pool_size=settings.db_pool_size)
        _configure_sqlite(engine.sync_engine, settings.sqlite_synchronous)
        return engine
    return create_async_engine(
        settings.db_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


class Database:
    """One engine and two session factories: read (one snapshot) and write (one writer)."""

    def __init__(self, settings: Settings) -> None:
        self.on_keys_changed: Callable[[], Awaitable[None]] | None = None
        # Told which accounts' public pages a commit changed (this process's page cache).
        self.on_pages_changed: Callable[[frozenset[str]], None] | None = None
        self.engine = make_engine(settings)
        self.is_sqlite = settings.is_sqlite
        self._sqlite_synchronous = settings.sqlite_synchronous
        # Reads see one snapshot (PostgreSQL: REPEATABLE READ; SQLite WAL reads already do),
        # so rollups and the not-yet-rolled-up tail are never seen half-moved.
        reader = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="REPEATABLE READ")
        )
        self._read = async_sessionmaker(reader, expire_on_commit=False)
        self._sqlite_turn = asyncio.Lock()  # this process's one SQLite writer at a time
        self._sqlite_writer: SqliteWriter | None = None
        self._write = async_sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    @asynccontextmanager
    async def session(self, *, write: bool = False) -> AsyncIterator[AsyncSession]:
        factory = self._write if write else self._read
        if write and self.is_sqlite:
            # SQLite has one writer at a time. Queue this process's writers here instead of
            # letting each spin in SQLite's busy handler, whose sleeps add up to long tails;
            # the turn is taken at the first statement (see _WriterTurn).
            turn = _WriterTurn(self._sqlite_turn)
            token = _TURN.set(turn)
            try:
                async with factory() as session:
                    yield session
            finally:
                turn.give_back()
                with suppress(ValueError):  # closed from another context: nothing to undo
                    _TURN.reset(token)
            return
        async with factory() as session:
            yield session

    async def commit(self, session: AsyncSession) -> None:
        """The one commit point: commit, then run what must follow a commit."""
        pages = await bump_page_versions(session)
        await session.commit()
        if pages and self.on_pages_changed is not None:
            self.on_pages_changed(pages)
        if session.info.pop(_KEYS_CHANGED, False) and self.on_keys_changed is not None:
            await self.on_keys_changed()

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """A session committed when the block ends without error (CLI and background work)."""
        async with self.session(write=write) as session:
            yield session
            await self.commit(session)

    @property
    def sqlite_writer(self) -> SqliteWriter:
        """This process's writer thread for SQLite work that needs no session."""
        assert self.is_sqlite
        if self._sqlite_writer is None:
            self._sqlite_writer = SqliteWriter(
                self._blocking_sqlite_engine(),
                self._sqlite_turn,
                inline=self._sqlite_synchronous == "NORMAL",
            )
        return self._sqlite_writer

    def _blocking_sqlite_engine(self) -> Engine:
        """A plain (thread-bound) engine on the same SQLite file, configured the same way."""
        url = self.engine.url.set(drivername="sqlite+pysqlite")
        engine = create_engine(url, poolclass=NullPool)
        _configure_sqlite(engine, self._sqlite_synchronous)
        return engine

    async def dispose(self) -> None:
        if self._sqlite_writer is not None:
            await self._sqlite_writer.close()
            self._sqlite_writer = None
        await self.engine.dispose()


class SqliteWriter:
    """Write transactions run whole on one thread with a connection of its own (SQLite).

    The async driver moves every statement between the event loop and a thread; here a
    transaction is one hand-off: BEGIN IMMEDIATE, the statements, COMMIT, in this process's
    write turn, which is held for exactly that long. The analytics roll-up writes this way.

    `execute_many` (views and clicks: one statement over a batch of tens of rows, a fraction
    of a millisecond in SQLite's C code) runs on the event loop itself, because handing it to
    a thread costs the loop more than the statement: the thread's wake-up and the fight for
    the interpreter lock halved the requests a process answers. It never waits there: its
    connection has no busy timeout and checkpoints nothing (other connections do), so when
    another process holds the write lock, or with ``synchronous=FULL`` (a disk flush per
    commit), the batch goes to the writer thread instead.
    """

    def __init__(self, engine: Engine, turn: asyncio.Lock, *, inline: bool) -> None:
        self.engine = engine
        self.turn = turn
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="eziox-sqlite-writer")
        self.connection: Connection | None = None
        self.inline = inline
        self._loop_connection: Any = None  # the event loop's own (a pooled DBAPI connection)

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement over ``rows`` in one write transaction."""
        async with self.turn:
            if self.inline and self._execute_on_loop(sql, rows):
                return
            await asyncio.get_running_loop().run_in_executor(
                self.thread, self._run, lambda connection: connection.exec_driver_sql(sql, rows)
            )

    def _execute_on_loop(self, sql: str, rows: Sequence[Sequence[Any]]) -> bool:
        """False, having done nothing, when the write lock is another process's right now."""
        if self._loop_connection is None:
            self._loop_connection = self.engine.raw_connection()
            cursor = self._loop_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=0")
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.close()
        driver: sqlite3.Connection = self._loop_connection.driver_connection
        try:
            driver.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode in _BUSY:
                return False
            raise DBAPIError.instance("BEGIN IMMEDIATE", None, exc, sqlite3.Error) from exc
        try:
            driver.executemany(sql, rows)
            driver.execute("COMMIT")
        except sqlite3.Error as exc:
            if driver.in_transaction:
                driver.execute("ROLLBACK")
            raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc
        return True

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction on the writer thread; its result."""
        async with self.turn:
            return await asyncio.get_running_loop().run_in_executor(self.thread, self._run, work)

    def _run(self, work: Callable[[Connection], T]) -> T:
        if self.connection is None or self.connection.closed:
            self.connection = self.engine.connect().execution_options(**{WRITE_OPTION: True})
        try:
            with self.connection.begin():
                return work(self.connection)
        except Exception:
            self.connection.close()  # a fresh one next time
            raise

    async def close(self) -> None:
        if self._loop_connection is not None:
            self._loop_connection.close()
            self._loop_connection = None

        def stop() -> None:
            if self.connection is not None:
                self.connection.close()
            self.engine.dispose()

        await asyncio.get_running_loop().run_in_executor(self.thread, stop)
        self.thread.shutdown()


_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
