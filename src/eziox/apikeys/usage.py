"""Requests per API key per hour, counted without a database write per request.

The gate calls `UsageCounter.note` for every authenticated /v1 request: one dictionary
increment in this process. Every ``interval`` seconds (and when the server stops) the counts
gathered since the last time are *added* to the `api_key_usage` rows in one transaction, so
any number of processes and instances can share the table. Readers add this process's
unwritten counts to the rows (`pending_for`), so a process's own answer is never behind.

What a crash (kill -9) can lose is the last interval's counts — usage is a report, not a
limit: the rate limit itself is counted in the limiter's store, request by request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from eziox.db import Database
from eziox.kit.upsert import upsert_add
from eziox.models import KeyUsage

log = logging.getLogger("eziox.apikeys")

HOUR = 3600
RETENTION_DAYS = 90  # rows older than this are deleted; /v1/usage reads at most 90 days
_TABLE = KeyUsage.__table__
COUNTERS = ("requests", "limited", "not_modified")
# (account, key, hour) -> [requests, limited (answered 429), not modified (answered 304)]
Counts = dict[tuple[str, str, int], list[int]]


def _zeros() -> list[int]:
    return [0, 0, 0]


def current_hour(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // HOUR)


class UsageCounter:
    def __init__(self, db: Database, *, interval: float) -> None:
        self.db = db
        self.interval = interval
        self._pending: Counts = defaultdict(_zeros)
        self._task: asyncio.Task[None] | None = None
        self._flushing = asyncio.Lock()
        self._purged_hour = 0

    def note(self, account_id: str, key_id: str, *, limited: bool = False) -> None:
        """Count one request of ``key_id`` (``limited``: it is answered 429)."""
        counts = self._pending[(account_id, key_id, int(time.time() // HOUR))]
        counts[0] += 1
        if limited:
            counts[1] += 1

    def note_not_modified(self, account_id: str, key_id: str) -> None:
        """A counted request turned out a 304: free, so not part of the budget used."""
        self._pending[(account_id, key_id, int(time.time() // HOUR))][2] += 1

    def pending_for(self, account_id: str) -> dict[tuple[str, int], tuple[int, int, int]]:
        """This process's counts for the account not yet in the table: (key, hour) -> counts."""
        return {
            (key, hour): (counts[0], counts[1], counts[2])
            for (account, key, hour), counts in list(self._pending.items())
            if account == account_id
        }

    async def flush(self) -> int:
        """Add the counts gathered so far to the table; how many rows were written."""
        async with self._flushing:
            taken, self._pending = self._pending, defaultdict(_zeros)
            if not taken:
                await self._purge_old()
                return 0
            rows = [
                {
                    "account_id": account,
                    "api_key_id": key,
                    "hour": hour,
                    "requests": counts[0],
                    "limited": counts[1],
                    "not_modified": counts[2],
                }
                for (account, key, hour), counts in sorted(taken.items())
            ]
            try:
                await self._write(rows)
            except IntegrityError:
                # A key or account deleted since: write the others one by one, drop those.
                await self._write_each(rows)
            except BaseException:
                self._put_back(taken)  # the database is away: keep them for the next round
                raise
            await self._purge_old()
            return len(rows)

    async def _write(self, rows: list[dict[str, object]]) -> None:
        async with self.db.transaction() as session:
            statement = upsert_add(session, _TABLE, ("api_key_id", "hour"), COUNTERS)
            await session.execute(statement, rows)

    async def _write_each(self, rows: list[dict[str, object]]) -> None:
        for row in rows:
            try:
                await self._write([row])
            except IntegrityError:
                log.info("usage of a deleted key dropped: %s", row["api_key_id"])

    def _put_back(self, taken: Counts) -> None:
        for where, added in taken.items():
            counts = self._pending[where]
            for n, value in enumerate(added):
                counts[n] += value

    async def _purge_old(self) -> None:
        hour = current_hour()
        if hour == self._purged_hour:
            return
        self._purged_hour = hour
        oldest = hour - RETENTION_DAYS * 24
        async with self.db.transaction() as session:
            await session.execute(delete(KeyUsage).where(KeyUsage.hour < oldest))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="eziox-key-usage")

    async def stop(self) -> None:
        """Stop the loop and write what is left (the server is shutting down)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.flush()
        except Exception:
            log.warning("could not write the last API key usage counts", exc_info=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:  # kept in memory; the next round retries
                log.warning("could not write API key usage; will retry", exc_info=True)
