"""What every `eziox` command shares: the one-line error exit, the settings and a
transaction against a ready database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer
from pydantic import ValidationError
from redis.exceptions import RedisError
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.config import Settings, load_settings
from eziox.errors import EzioxError

T = TypeVar("T")

console = Console()


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `error: message` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def settings() -> Settings:
    """The settings, or exit 2 naming the first bad EZIOX_ variable."""
    try:
        return load_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"EZIOX_{str(first['loc'][0]).upper()}: {first['msg']}", 2)


def run(work: Callable[[AsyncSession], Awaitable[T]], *, write: bool = True) -> T:
    """Run ``work`` in one committed transaction against a ready database."""
    from eziox.app import SchemaOutOfDate, prepare_database
    from eziox.state import AppState

    async def main() -> T:
        state = AppState.build(settings())
        try:
            await prepare_database(state)
            if write:
                # Revocations and tier changes must reach every server's key cache through the
                # limiter's store: check it first rather than commit a change nobody sees.
                await state.limiter.ping()
            async with state.db.transaction(write=write) as session:
                return await work(session)
        finally:
            await state.close()

    try:
        return asyncio.run(main())
    except EzioxError as exc:
        fail(exc.message)
    except SchemaOutOfDate as exc:
        fail(str(exc))
    except (OSError, RedisError) as exc:
        fail(f"cannot reach a backing service: {exc}")
