"""Migrations go up and down cleanly on a fresh database and match the models exactly."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from eziox import migrate
from eziox.models import Base
from tests import backends
from tests.backends import Backend


@pytest.fixture
async def fresh_engine(backend: Backend, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if not backend.is_postgres:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
        yield engine
        await engine.dispose()
        return
    name = f"eziox_mig_{secrets.token_hex(5)}"
    await backends.create_pg_database(name)
    engine = create_async_engine(backends.pg_url(name))
    try:
        yield engine
    finally:
        await engine.dispose()
        await backends.drop_pg_database(name)


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_downgrade_upgrade(fresh_engine: AsyncEngine) -> None:
    await migrate.upgrade(fresh_engine)
    assert await migrate.current_revision(fresh_engine) == migrate.head_revision()
    assert {"accounts", "api_keys", "links"} <= await tables(fresh_engine)
    await migrate.downgrade(fresh_engine, "base")
    assert await migrate.current_revision(fresh_engine) is None
    assert await tables(fresh_engine) <= {"alembic_version"}
    await migrate.upgrade(fresh_engine)
    assert await migrate.current_revision(fresh_engine) == migrate.head_revision()


async def test_models_and_migrations_agree(fresh_engine: AsyncEngine) -> None:
    await migrate.upgrade(fresh_engine)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with fresh_engine.connect() as connection:
        assert await connection.run_sync(differences) == []
