"""Which database and shared store the suite runs on (EZIOX_TEST_BACKEND=sqlite|postgres).

PostgreSQL runs get a fresh database per run (dropped afterwards) and a Redis key prefix of
their own, so runs never see each other's data. A missing service fails loudly.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_HOST = os.environ.get("EZIOX_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("EZIOX_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("EZIOX_TEST_PG_USER", "postgres")
REDIS_URL = os.environ.get("EZIOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str | None
    redis_prefix: str

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgres"


def selected() -> str:
    name = os.environ.get("EZIOX_TEST_BACKEND", "sqlite")
    if name not in {"sqlite", "postgres"}:
        pytest.exit(f"EZIOX_TEST_BACKEND must be sqlite or postgres, not {name!r}", 2)
    return name


def require_port(host: str, port: int, what: str, how: str) -> None:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        pytest.fail(f"{what} is not reachable at {host}:{port}: start it ({how})", pytrace=False)


def pg_url(database: str, driver: str = "asyncpg") -> str:
    return f"postgresql+{driver}://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def sqlite_backend(data_dir: Path) -> Backend:
    url = f"sqlite+aiosqlite:///{(data_dir / 'eziox.db').as_posix()}"
    return Backend("sqlite", url, None, f"eziox-test-{secrets.token_hex(4)}")


async def create_pg_database(name: str) -> None:
    import asyncpg

    require_port(PG_HOST, PG_PORT, "PostgreSQL", "pg_ctlcluster <version> main start")
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_pg_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def terminate_pg_backends(database: str) -> int:
    """Drop every client connection to ``database`` (as a restart or an operator would)."""
    import asyncpg

    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            database,
        )
    finally:
        await conn.close()
    return len(rows)


def require_redis() -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    require_port(parts.hostname or "127.0.0.1", parts.port or 6379, "Redis", "redis-server")


async def clear_redis_prefix(prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
