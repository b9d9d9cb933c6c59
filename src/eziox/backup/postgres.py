"""PostgreSQL: `pg_dump --format=custom` and `pg_restore`, connected as EZIOX_DATABASE_URL says.

pg_dump reads one snapshot (a REPEATABLE READ transaction), so the dump is consistent while
servers keep writing. The connection goes to the tools in PG* environment variables — the
password in PGPASSWORD, never on a command line other users can read. A restore runs in one
transaction (``--single-transaction``): it lands whole or not at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import TextClause

from eziox.backup.files import (
    PG_DUMP_MAGIC,
    SQLITE_MAGIC,
    publish,
    read_head,
    refuse_existing,
    temp_beside,
)
from eziox.backup.problems import BadBackup, CommandFailed, DatabaseInUse, ToolMissing
from eziox.backup.schema import COUNTED_TABLES, Summary, check_revision, check_tables

RESTORE_OPTIONS = ("--clean", "--if-exists", "--single-transaction", "--no-owner")
_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", re.MULTILINE)
_OTHER_CONNECTIONS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
)


@dataclass(frozen=True)
class Target:
    """Where the tools connect: EZIOX_DATABASE_URL, taken apart."""

    url: str
    host: str | None
    port: int | None
    user: str | None
    password: str | None
    database: str
    sslmode: str | None = None

    @classmethod
    def of(cls, url: str) -> Target:
        parts = make_url(url)
        host = parts.host or _first(parts.query.get("host"))
        ssl = _first(parts.query.get("sslmode") or parts.query.get("ssl"))
        sslmode = "require" if ssl in {"true", "on", "1"} else ssl
        return cls(
            url, host, parts.port, parts.username, parts.password, parts.database or "", sslmode
        )

    def env(self) -> dict[str, str]:
        """The environment of the tools: this one (PG* variables the URL leaves out still
        apply, as they do to the server's own driver), with the URL's parts on top."""
        values = {
            "PGHOST": self.host,
            "PGPORT": str(self.port) if self.port else None,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.database,
            "PGSSLMODE": self.sslmode,
        }
        return {**os.environ, **{name: value for name, value in values.items() if value}}

    def shown(self) -> str:
        where = f"{self.host or 'localhost'}:{self.port or 5432}"
        return f"postgresql://{self.user + '@' if self.user else ''}{where}/{self.database}"

    def by_hand(self, tool: str, *args: str) -> str:
        """The command an operator can run instead, password left out."""
        options = [
            f"--{name}={value}"
            for name, value in (("host", self.host), ("port", self.port), ("username", self.user))
            if value
        ]
        prefix = "PGPASSWORD=… " if self.password else ""
        return " ".join([prefix + tool, *options, *args])


def backup(url: str, target: Path, *, force: bool) -> Summary:
    """Dump the database to ``target`` (pg_dump's custom format), then check the dump."""
    pg = Target.of(url)
    refuse_existing(target, force=force)
    pg_dump = _tool(pg, "pg_dump", "--format=custom", f"--dbname={pg.database}", f"--file={target}")
    temp = temp_beside(target)
    try:
        _run(pg, [pg_dump, "--format=custom", f"--file={temp}"], "pg_dump")
        summary = inspect(pg, temp, pg.shown(), known_only=False)  # only restore refuses
        publish(temp, target, force=force)
    finally:
        temp.unlink(missing_ok=True)
    return replace(summary, path=str(target))


def inspect(pg: Target, archive: Path, shown: str, *, known_only: bool = True) -> Summary:
    """Check a pg_dump archive all through and describe it; BadBackup says what is wrong."""
    _check_header(archive)
    pg_restore = _tool(pg, "pg_restore", "--list", str(archive))
    listing = _read(pg, [pg_restore, "--list", str(archive)], shown)
    check_tables(_TABLE.findall(listing), shown)
    _read(pg, [pg_restore, "--file=/dev/null", str(archive)], shown)  # reads every byte
    version = [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(archive)]
    revisions = _copied_rows(_read(pg, version, shown))
    older = check_revision(revisions, shown, known_only=known_only)
    return Summary(shown, archive.stat().st_size, revisions[0], older=older)


async def restore(source: Path, url: str, *, force: bool) -> Summary:
    """Replace the database's Eziox tables with the archive's, in one transaction."""
    pg = Target.of(url)
    restoring = [*RESTORE_OPTIONS, f"--dbname={pg.database}", str(source)]
    pg_restore = _tool(pg, "pg_restore", *restoring)  # the message shows the whole command
    summary = inspect(pg, source, str(source))
    others = await _scalar(url, _OTHER_CONNECTIONS)
    if others and not force:
        raise DatabaseInUse(
            f"{pg.shown()} is in use ({others} other connections in pg_stat_activity): stop the "
            "servers and workers using it, restore, then start them again (or pass --force)"
        )
    _run(pg, [pg_restore, *restoring], "pg_restore")
    counts = {
        table: await _scalar(url, text(f'SELECT count(*) FROM "{table}"'))
        for table in COUNTED_TABLES
    }
    return Summary(pg.shown(), summary.size, summary.revision, counts, summary.older, others > 0)


def _check_header(archive: Path) -> None:
    head, size = read_head(archive)
    if size == 0:
        raise BadBackup(f"{archive} is empty")
    if head.startswith(SQLITE_MAGIC):
        raise BadBackup(
            f"{archive} is a SQLite database; this Eziox runs on PostgreSQL "
            "(unset EZIOX_DATABASE_URL to restore into SQLite)"
        )
    if not head.startswith(PG_DUMP_MAGIC):
        raise BadBackup(f"{archive} is not a pg_dump archive (custom format, pg_dump -Fc)")


def _copied_rows(script: str) -> list[str]:
    """The rows of the one COPY … FROM stdin block of a pg_restore script."""
    lines = script.splitlines()
    starts = [n for n, line in enumerate(lines) if line.startswith("COPY ")]
    if not starts:
        return []
    rows = lines[starts[0] + 1 :]
    return rows[: rows.index("\\.")] if "\\." in rows else rows


def _tool(pg: Target, name: str, *args: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(
            f"{name} is not installed (the PostgreSQL client tools, e.g. `apt-get install "
            f"postgresql-client`); run instead: {pg.by_hand(name, *args)}"
        )
    return found


def _read(pg: Target, command: list[str], shown: str) -> str:
    done = subprocess.run(command, env=pg.env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BadBackup(f"{shown} is a damaged or truncated archive: {_last_line(done.stderr)}")
    return done.stdout


def _run(pg: Target, command: list[str], name: str) -> None:
    done = subprocess.run(command, env=pg.env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CommandFailed(f"{name} failed on {pg.shown()}: {_last_line(done.stderr)}")


async def _scalar(url: str, statement: TextClause) -> int:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(statement)).scalar_one())
    finally:
        await engine.dispose()


def _last_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def _first(value: str | tuple[str, ...] | None) -> str | None:
    return value[0] if isinstance(value, tuple) else value
