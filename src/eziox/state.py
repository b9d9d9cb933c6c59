"""The resources one app instance holds: settings, database, limiter, key cache."""

from __future__ import annotations

from dataclasses import dataclass

from eziox.analytics.recorder import Recorder
from eziox.analytics.rollup import RollupWorker
from eziox.auth.keycache import KeyCache
from eziox.config import Settings
from eziox.db import Database
from eziox.ratelimit import Limiter, make_limiter
from eziox.webhooks.delivery import DeliveryWorker


@dataclass
class AppState:
    settings: Settings
    db: Database
    limiter: Limiter
    keys: KeyCache
    recorder: Recorder
    rollup: RollupWorker
    webhooks: DeliveryWorker

    @classmethod
    def build(cls, settings: Settings) -> AppState:
        db = Database(settings)
        limiter = make_limiter(settings)
        keys = KeyCache(
            db, size=settings.key_cache_size, last_used_interval=settings.last_used_interval
        )
        recorder = Recorder(db, country_header=settings.country_header)
        rollup = RollupWorker(db, interval=settings.rollup_interval)
        webhooks = DeliveryWorker(db, settings)
        state = cls(settings, db, limiter, keys, recorder, rollup, webhooks)
        db.on_keys_changed = state.keys_changed
        return state

    async def keys_changed(self) -> None:
        """Drop cached key lookups here and, through the limiter's store, everywhere."""
        self.keys.clear()
        await self.limiter.bump_generation()

    async def close(self) -> None:
        await self.recorder.close()
        await self.rollup.stop()
        await self.webhooks.stop()
        await self.keys.drain()
        await self.limiter.close()
        await self.db.dispose()
