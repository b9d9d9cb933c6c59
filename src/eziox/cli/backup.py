"""`eziox backup FILE` and `eziox restore FILE` (eziox.backup; docs/operations.md#backups)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from eziox.backup import BackupProblem, Summary
from eziox.cli.common import fail, settings
from eziox.config import Settings

File = Annotated[Path, typer.Argument(help="The backup file")]


def backup_command(
    file: File,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists")] = False,
) -> None:
    """Write a consistent copy of the database to FILE while servers keep serving."""
    config = settings()
    began = time.monotonic()
    summary = _refused_or(lambda: _backup(config, file, force))
    took = time.monotonic() - began
    typer.echo(f"backed up {_source(config)} to {summary.describe()} in {took:.1f} s")


def restore_command(
    file: File,
    force: Annotated[
        bool, typer.Option("--force", help="Restore even while a server uses the database")
    ] = False,
) -> None:
    """Replace the database with the backup FILE, once FILE checks out (stop servers first)."""
    from eziox.backup.schema import older_note

    config = settings()
    summary = _refused_or(lambda: _restore(config, file, force))
    typer.echo(f"restored {file} into {summary.describe()}")
    if summary.older:
        typer.echo(older_note(summary))
    if summary.was_in_use:
        typer.echo(
            "warning: the database was in use (--force): restart every `eziox serve` and "
            "`eziox worker` using it now; what they write until then may be lost",
            err=True,
        )


def _backup(config: Settings, file: Path, force: bool) -> Summary:
    from eziox.backup import postgres, sqlite

    if not config.is_sqlite:
        return postgres.backup(config.db_url, file, force=force)
    return sqlite.backup(_sqlite_file(config), file, force=force, progress=_progress())


def _restore(config: Settings, file: Path, force: bool) -> Summary:
    from eziox.backup import postgres, sqlite

    if not config.is_sqlite:
        return asyncio.run(postgres.restore(file, config.db_url, force=force))
    return sqlite.restore(file, _sqlite_file(config), force=force)


def _sqlite_file(config: Settings) -> Path:
    from eziox.backup.sqlite import database_path

    path = database_path(config)
    if path is None:
        fail("an in-memory database has nothing to back up or restore", 2)
    return path


def _source(config: Settings) -> str:
    from eziox.backup.postgres import Target

    return str(_sqlite_file(config)) if config.is_sqlite else Target.of(config.db_url).shown()


def _refused_or(work: Callable[[], Summary]) -> Summary:
    """``work``'s summary, or the one-line reason it was refused (exit 2) or failed (exit 1)."""
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    try:
        return work()
    except BackupProblem as exc:
        fail(exc.message, exc.exit_code)
    except sqlite3.Error as exc:
        fail(f"SQLite: {exc}")
    except SQLAlchemyError as exc:
        fail(f"cannot use the database: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]}")
    except OSError as exc:  # a file (it has a name), else the database's connection
        fail(
            f"{exc.filename}: {exc.strerror}"
            if exc.filename
            else f"cannot reach the database: {exc}"
        )


def _progress() -> Callable[[int, int], None]:
    """Progress lines on stderr, one a step, when the copy takes more than one step."""
    steps: list[int] = []

    def report(done: int, total: int) -> None:
        if done < total or steps:  # a copy done in one step is small: no lines for it
            steps.append(done)
            typer.echo(f"backup: {done * 100 // max(total, 1)}% ({done}/{total} pages)", err=True)

    return report
