"""Portable INSERT … ON CONFLICT statements for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import FromClause
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def _insert(session: AsyncSession, table: Any) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_ignore(session: AsyncSession, table: FromClause, keys: Sequence[str]) -> Any:
    """INSERT that skips rows whose ``keys`` already exist."""
    return _insert(session, table).on_conflict_do_nothing(index_elements=list(keys))


def upsert_add(
    session: AsyncSession, table: FromClause, keys: Sequence[str], counters: Sequence[str]
) -> Any:
    """INSERT, or add the given ``counters`` to the existing row with the same ``keys``."""
    statement = _insert(session, table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in counters},
    )
