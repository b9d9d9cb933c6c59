"""Apply and inspect Alembic migrations (used by `eziox migrate`, `eziox serve` and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from eziox.db import WRITE_OPTION

SCRIPT_LOCATION = "eziox:migrations"


def alembic_config(url: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _run(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _run(engine, lambda config: command.downgrade(config, revision))


async def _run(engine: AsyncEngine, action: object) -> None:
    def work(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        action(config)  # type: ignore[operator]

    # On SQLite take the write lock up front (BEGIN IMMEDIATE, see eziox.db): a deferred
    # transaction that reads and then writes fails at once with "database is locked" when
    # another process (a second `eziox serve`, the CLI) migrates the same file concurrently.
    async with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
        await connection.run_sync(work)
