"""Portable INSERT … ON CONFLICT statements for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, FromClause
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def _dialect(owner: AsyncSession | Connection) -> str:
    if isinstance(owner, Connection):
        return owner.dialect.name
    return owner.bind.dialect.name if owner.bind is not None else "sqlite"


def _insert(dialect: str, table: Any) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_ignore(
    session: AsyncSession | Connection, table: FromClause, keys: Sequence[str]
) -> Any:
    """INSERT that skips rows whose ``keys`` already exist."""
    return _insert_ignore(_dialect(session), table, tuple(keys))


def upsert_add(
    session: AsyncSession | Connection,
    table: FromClause,
    keys: Sequence[str],
    counters: Sequence[str],
) -> Any:
    """INSERT, or add the given ``counters`` to the existing row with the same ``keys``."""
    return _upsert_add(_dialect(session), table, tuple(keys), tuple(counters))


# Built once per shape: the roll-up runs these every second, and a statement object that is
# reused also keeps SQLAlchemy's cache key instead of computing it again on every execution.
@lru_cache(maxsize=64)
def _insert_ignore(dialect: str, table: FromClause, keys: tuple[str, ...]) -> Any:
    return _insert(dialect, table).on_conflict_do_nothing(index_elements=list(keys))


@lru_cache(maxsize=64)
def _upsert_add(
    dialect: str, table: FromClause, keys: tuple[str, ...], counters: tuple[str, ...]
) -> Any:
    statement = _insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in counters},
    )
