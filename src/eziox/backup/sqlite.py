"""SQLite: a backup is a copy through SQLite's online backup API; a restore an atomic swap.

The copy reads one snapshot — the database file *and* its WAL — in one read transaction held
over every step, so the server keeps writing meanwhile (a WAL reader blocks no writer) and
the copy never restarts. It is then made one self-contained file (``journal_mode=DELETE``)
and checked (``PRAGMA integrity_check``) before it gets its name.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import make_url

from eziox.backup import lock
from eziox.backup.files import (
    PG_DUMP_MAGIC,
    SQLITE_MAGIC,
    fsync,
    fsync_dir,
    publish,
    read_head,
    refuse_existing,
    temp_beside,
)
from eziox.backup.problems import BackupProblem, BadBackup, DatabaseInUse
from eziox.backup.schema import COUNTED_TABLES, Summary, check_revision, check_tables
from eziox.config import Settings

STEP_PAGES = 4096  # 16 MiB a step with the default 4 KiB pages
SIDECARS = ("-wal", "-shm", "-journal")

Progress = Callable[[int, int], None]  # (pages copied, pages in all)


def database_path(settings: Settings) -> Path | None:
    """The SQLite file of ``settings`` (None for an in-memory database)."""
    name = make_url(settings.db_url).database
    if not name or name == ":memory:" or name.startswith("file::memory:"):
        return None
    return Path(name)


def backup(database: Path, target: Path, *, force: bool, progress: Progress) -> Summary:
    """Copy the live ``database`` to ``target`` consistently, then check the copy."""
    if not database.is_file():
        raise BackupProblem(f"there is no database at {database}")
    if target.resolve() == database.resolve():
        raise BackupProblem(f"{target} is the database itself: name another file")
    refuse_existing(target, force=force)
    temp = temp_beside(target)
    try:
        _copy_online(database, temp, progress)
        # A database a newer Eziox migrated is copied all the same: only restore refuses it.
        summary = inspect(temp, str(database), known_only=False)
        publish(temp, target, force=force)
    finally:
        temp.unlink(missing_ok=True)
    return replace(summary, path=str(target))


def _copy_online(database: Path, copy_path: Path, progress: Progress) -> None:
    source = sqlite3.connect(database, isolation_level=None, timeout=30)
    try:
        # One read transaction over all the steps: every step reads the same snapshot, and
        # the writes other connections commit meanwhile never restart the copy.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        with closing(sqlite3.connect(copy_path)) as copy:
            source.backup(
                copy,
                pages=STEP_PAGES,
                progress=lambda _status, left, total: progress(total - left, total),
            )
        source.execute("COMMIT")
    finally:
        source.close()


def inspect(path: Path, shown: str, *, known_only: bool = True) -> Summary:
    """Check a copy that is ours to change, and describe it; BadBackup says what is wrong."""
    with closing(sqlite3.connect(path, isolation_level=None)) as copy:
        try:
            copy.execute("PRAGMA journal_mode=DELETE")  # one file: no -wal to carry along
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check(5)")]
            tables = [row[0] for row in copy.execute("SELECT name FROM sqlite_master")]
        except sqlite3.DatabaseError as exc:
            raise BadBackup(f"{shown} is corrupt: {exc}") from None
        if problems != ["ok"]:
            raise BadBackup(f"{shown} is corrupt (integrity_check: {_one_line(problems)})")
        check_tables(tables, shown)
        try:
            revisions = [row[0] for row in copy.execute("SELECT version_num FROM alembic_version")]
            counts = {
                table: int(copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
                for table in COUNTED_TABLES
            }
        except sqlite3.DatabaseError as exc:  # tables of those names, but not Eziox's
            raise BadBackup(f"{shown} is not an Eziox database: {exc}") from None
        older = check_revision(revisions, shown, known_only=known_only)
    return Summary(shown, path.stat().st_size, revisions[0], counts, older=older)


def _one_line(problems: list[str]) -> str:
    """The first few problems integrity_check named, on one line."""
    lines = [line.strip() for row in problems for line in row.splitlines()]
    named = [line for line in lines if line and not line.startswith("***")]
    return "; ".join(named[:3]) + (" …" if len(named) > 3 else "")


def check_header(source: Path) -> None:
    """Refuse what is plainly no SQLite database, or a cut-off one, before copying it."""
    head, size = read_head(source)
    if size == 0:
        raise BadBackup(f"{source} is empty")
    if head.startswith(PG_DUMP_MAGIC):
        raise BadBackup(
            f"{source} is a PostgreSQL backup (pg_dump); this Eziox runs on SQLite "
            "(set EZIOX_DATABASE_URL to restore into PostgreSQL)"
        )
    if not head.startswith(SQLITE_MAGIC):
        raise BadBackup(f"{source} is not a SQLite database (no SQLite header)")
    if len(head) < 100:
        raise BadBackup(f"{source} is truncated: {size} bytes, less than a SQLite header")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    # The page count in the header is only kept up to date when these two fields agree.
    if head[24:28] == head[92:96] and size < pages * page_size:
        raise BadBackup(
            f"{source} is truncated: its header counts {pages} pages of {page_size} bytes "
            f"({pages * page_size} bytes), the file has {size}"
        )


def restore(source: Path, database: Path, *, force: bool) -> Summary:
    """Put the backup ``source`` in place of ``database``, atomically, once it checks out."""
    check_header(source)
    database.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_beside(database)
    try:
        shutil.copyfile(source, temp)
        summary = inspect(temp, str(source))
        if database.exists():
            os.chmod(temp, database.stat().st_mode & 0o777)
        fsync(temp)
        with lock.exclusive(database) as alone:
            if not alone and not force:
                raise DatabaseInUse(
                    f"{database} is in use by a running `eziox serve` or `eziox worker`: "
                    "stop it, restore, then start it again (or pass --force)"
                )
            _retire(database)
            os.replace(temp, database)
            fsync_dir(database.parent)
    finally:
        temp.unlink(missing_ok=True)
    return replace(summary, path=str(database), was_in_use=not alone)


def _retire(database: Path) -> None:
    """Fold the old database's WAL into it, then remove its -wal and -shm: left behind, they
    would be replayed onto the restored file and corrupt it."""
    if database.exists():
        try:
            with closing(sqlite3.connect(database, isolation_level=None, timeout=5)) as old:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                old.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.DatabaseError:
            pass  # corrupt, or busy under --force: it is replaced all the same
    for suffix in SIDECARS:
        Path(f"{database}{suffix}").unlink(missing_ok=True)
