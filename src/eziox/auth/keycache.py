"""API-key lookups: one indexed query on a miss, an in-process cache on a hit.

Cache entries belong to a *generation* (see eziox.ratelimit): when a key is revoked, an
account deleted or a tier changed anywhere, the generation moves and every process drops
its entries on its next request. A short maximum age is only a safety net behind that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict

from eziox.apikeys.repository import find_by_digest, touch
from eziox.auth.principal import Principal
from eziox.billing.entitlements import entitlements
from eziox.db import Database
from eziox.kit.time import utcnow

log = logging.getLogger("eziox.auth")

SAFETY_MAX_AGE = 300.0


class KeyCache:
    def __init__(self, db: Database, *, size: int, last_used_interval: int) -> None:
        self.db = db
        self.size = size
        self.last_used_interval = last_used_interval
        self._entries: OrderedDict[bytes, Principal] = OrderedDict()
        self._background: set[asyncio.Task[None]] = set()

    def cached(self, digest: bytes) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if time.monotonic() - entry.loaded_at > SAFETY_MAX_AGE:
            del self._entries[digest]
            return None
        return entry

    def clear(self) -> None:
        self._entries.clear()

    async def load(self, digest: bytes, generation: str) -> Principal | None:
        """Look the key up in the database; None if unknown or revoked (expiry is the caller's)."""
        async with self.db.session() as session:
            row = await find_by_digest(session, digest)
        if row is None:
            return None
        key, tier = row
        if key.revoked_at is not None:
            return None
        principal = Principal(
            key_id=key.id,
            account_id=key.account_id,
            permissions=frozenset(key.permissions.split()),
            tier=tier,
            limit=entitlements(tier).hourly_api_limit,
            expires_at=key.expires_at,
            generation=generation,
            loaded_at=time.monotonic(),
            last_used_written=key.last_used_at.timestamp() if key.last_used_at else 0.0,
        )
        if self.size:
            self._entries[digest] = principal
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return principal

    def note_use(self, principal: Principal) -> None:
        """Record last use at most once per interval per key and process, off the request path."""
        now = time.time()
        if now - principal.last_used_written < self.last_used_interval:
            return
        principal.last_used_written = now
        task = asyncio.create_task(self._touch(principal.key_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _touch(self, api_key_id: str) -> None:
        try:
            async with self.db.transaction() as session:
                await touch(session, api_key_id, utcnow())
        except Exception:  # a missed last-used stamp must never fail a request
            log.warning("could not record last use of %s", api_key_id, exc_info=True)

    async def drain(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
