"""The resources one app instance holds: settings, database, limiter, key cache."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from eziox.analytics.recorder import Recorder
from eziox.analytics.rollup import RollupWorker
from eziox.apikeys.usage import UsageCounter
from eziox.auth.keycache import KeyCache
from eziox.config import Settings
from eziox.db import Database
from eziox.mail.worker import MailWorker
from eziox.pages.cache import PageVersions
from eziox.pages.repository import page_version
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
    page_versions: PageVersions
    mail: MailWorker
    usage: UsageCounter

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
        versions = PageVersions(_version_reader(db), size=settings.page_cache_size * 4)
        db.on_pages_changed = versions.forget  # a local commit: the next request reads anew
        mail = MailWorker(db, settings)
        usage = UsageCounter(db, interval=settings.usage_flush_interval)
        state = cls(settings, db, limiter, keys, recorder, rollup, webhooks, versions, mail, usage)
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
        await self.mail.stop()
        await self.usage.stop()
        await self.keys.drain()
        await self.limiter.close()
        await self.db.dispose()


def _version_reader(db: Database) -> Callable[[str], Awaitable[int | None]]:
    async def read(account_id: str) -> int | None:
        async with db.session() as session:
            return await page_version(session, account_id)

    return read
