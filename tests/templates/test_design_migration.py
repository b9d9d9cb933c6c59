"""Migration 20261126_0003 (accounts.design) goes down and up without touching other data."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from eziox import migrate
from eziox.config import load_settings
from eziox.db import make_engine
from tests import backends
from tests.backends import Backend

BEFORE = "20261126_0002"


@pytest.fixture
async def engine(backend: Backend, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if not backend.is_postgres:
        # The app's own SQLite set-up: foreign keys on, so a table rebuild would cascade.
        fresh = make_engine(load_settings(data_dir=tmp_path, secret_key="test"))
        yield fresh
        await fresh.dispose()
        return
    name = f"eziox_mig_{secrets.token_hex(5)}"
    await backends.create_pg_database(name)
    fresh = create_async_engine(backends.pg_url(name))
    try:
        yield fresh
    finally:
        await fresh.dispose()
        await backends.drop_pg_database(name)


async def scalar(engine: AsyncEngine, sql: str) -> object:
    async with engine.connect() as connection:
        return (await connection.execute(text(sql))).scalar()


async def test_design_column_down_and_up_keeps_accounts_and_links(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO accounts (id, username, email, password_hash, name, bio, theme,"
                " tier, design, created_at, updated_at) VALUES ('usr_m', 'mig', 'm@example.com',"
                " 'x', 'M', '', 'sakura', 'pro', '{\"cardStyle\": \"glass\"}',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO links (id, account_id, title, url, is_active, position,"
                " created_at, updated_at) VALUES ('lnk_m', 'usr_m', 't', 'https://example.com',"
                " true, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    await migrate.downgrade(engine, BEFORE)
    assert await scalar(engine, "SELECT count(*) FROM links WHERE account_id = 'usr_m'") == 1
    assert await scalar(engine, "SELECT theme FROM accounts WHERE id = 'usr_m'") == "sakura"
    await migrate.upgrade(engine)
    assert await scalar(engine, "SELECT count(*) FROM links") == 1
    assert await scalar(engine, "SELECT design FROM accounts WHERE id = 'usr_m'") is None
