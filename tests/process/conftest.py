"""Fixtures of the process tests."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from eziox import migrate
from eziox.config import Settings
from eziox.db import make_engine
from tests import backends

MakeDatabase = Callable[..., Awaitable[Settings]]


@dataclass(frozen=True)
class SharedStore:
    redis_url: str
    prefix: str


@pytest.fixture
async def shared_store(settings: Settings) -> AsyncIterator[SharedStore]:
    """The run's Redis; on the SQLite backend (no Redis in the run) a private prefix on the
    local Redis — SQLite plus Redis for several workers on one machine is supported too."""
    if settings.redis_url:
        yield SharedStore(settings.redis_url, settings.redis_prefix)
        return
    backends.require_redis()
    prefix = f"eziox-test-process-{secrets.token_hex(6)}"
    try:
        yield SharedStore(backends.REDIS_URL, prefix)
    finally:
        await backends.clear_redis_prefix(prefix)


@pytest.fixture
async def fresh(settings: Settings, tmp_path: Path) -> AsyncIterator[MakeDatabase]:
    """Settings for new databases of the run's backend (a data directory of their own;
    PostgreSQL: a database created for the test), migrated to ``revision`` unless None, and
    dropped after the test."""
    created: list[str] = []

    async def make(name: str, *, revision: str | None = "head") -> Settings:
        data_dir = tmp_path / name
        data_dir.mkdir()
        url = f"sqlite+aiosqlite:///{(data_dir / 'eziox.db').as_posix()}"
        if not settings.is_sqlite:
            database = f"eziox_bak_{secrets.token_hex(5)}"
            await backends.create_pg_database(database)
            created.append(database)
            url = backends.pg_url(database)
        made = settings.model_copy(update={"data_dir": data_dir, "database_url": url})
        if revision is not None:
            engine = make_engine(made)
            try:
                await migrate.upgrade(engine, revision)
            finally:
                await engine.dispose()
        return made

    try:
        yield make
    finally:
        for database in created:
            await backends.drop_pg_database(database)
