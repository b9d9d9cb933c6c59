"""The SQLite side of backups, in-process on files of the test's own (whatever the run's
backend): a stepwise copy under concurrent writes is one snapshot, a restore retires the old
database's WAL, and the serving lock keeps restores and servers apart."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from eziox import migrate
from eziox.backup import BackupProblem, lock, sqlite
from eziox.cli import app

ROW = 2000  # bytes a filler row


async def eziox_database(path: Path, rows: int = 0) -> Path:
    """A migrated Eziox SQLite file in WAL mode, with ``rows`` filler rows of ROW bytes."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE filler (body BLOB)")
        connection.executemany("INSERT INTO filler VALUES (randomblob(?))", [(ROW,)] * rows)
    return path


def count(path: Path, table: str = "filler") -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@contextmanager
def writing(path: Path) -> Iterator[list[int]]:
    """Another connection committing rows one by one for as long as the block runs; yields
    the number committed so far (its last element)."""
    committed = [0]
    stop = threading.Event()

    def write() -> None:
        with closing(sqlite3.connect(path, isolation_level=None, timeout=30)) as connection:
            while not stop.is_set():
                connection.execute("INSERT INTO filler VALUES (randomblob(?))", (ROW,))
                committed.append(committed[-1] + 1)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        yield committed
    finally:
        stop.set()
        thread.join()


async def test_a_stepwise_copy_under_writes_is_one_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = await eziox_database(tmp_path / "eziox.db", rows=2000)
    monkeypatch.setattr(sqlite, "STEP_PAGES", 50)  # ~1,000 pages: about 20 steps
    steps: list[tuple[int, int]] = []
    target = tmp_path / "copy.backup"
    with writing(database) as committed:
        before = 2000 + committed[-1]
        summary = sqlite.backup(database, target, force=False, progress=lambda *s: steps.append(s))
        after = 2000 + committed[-1]
    assert len(steps) > 10, steps  # it really went in steps, while the writer wrote
    assert steps[-1][0] == steps[-1][1]
    assert before <= count(target) <= after
    assert after > before  # the writer got through during the copy: no lock was held up
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert summary.revision == migrate.head_revision()
    assert sorted(p.name for p in tmp_path.iterdir() if "copy" in p.name) == ["copy.backup"]


async def test_restore_retires_the_old_databases_wal(tmp_path: Path) -> None:
    backup = tmp_path / "good.backup"
    source = await eziox_database(tmp_path / "source.db", rows=10)
    sqlite.backup(source, backup, force=False, progress=lambda *_: None)

    # A database whose last commits are still in its -wal, as after a crash of the server.
    live = await eziox_database(tmp_path / "live.db", rows=500)
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    with closing(sqlite3.connect(live, isolation_level=None)) as connection:
        connection.execute("PRAGMA wal_autocheckpoint=0")
        connection.executemany("INSERT INTO filler VALUES (randomblob(?))", [(ROW,)] * 100)
        for suffix in ("", "-wal"):
            shutil.copyfile(f"{live}{suffix}", crashed / f"eziox.db{suffix}")
    target = crashed / "eziox.db"
    assert count(target) == 600

    summary = sqlite.restore(backup, target, force=False)
    assert summary.path == str(target)
    assert not (crashed / "eziox.db-wal").exists()
    assert not (crashed / "eziox.db-shm").exists()
    assert count(target) == 10  # the old WAL was not replayed onto the restored file
    with closing(sqlite3.connect(target)) as restored:
        assert restored.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_servers_share_the_lock_and_a_restore_takes_it_alone(tmp_path: Path) -> None:
    database = tmp_path / "eziox.db"
    first, second = lock.ServingLock(database), lock.ServingLock(database)
    first.acquire()
    second.acquire()  # any number of servers and workers at once
    assert lock.in_use(database)
    first.release()
    assert lock.in_use(database)
    second.release()
    assert not lock.in_use(database)


def test_a_server_starting_during_a_restore_waits_for_it(tmp_path: Path) -> None:
    database = tmp_path / "eziox.db"
    told = threading.Event()
    server = lock.ServingLock(database)
    with lock.exclusive(database) as alone:
        assert alone
        starting = threading.Thread(target=server.acquire, kwargs={"on_wait": told.set})
        starting.start()
        assert told.wait(30)
        assert starting.is_alive()  # blocked while the restore holds the lock
    starting.join(30)
    assert not starting.is_alive()
    assert lock.in_use(database)
    server.release()


async def test_the_cli_shows_progress_on_stderr_for_a_copy_in_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await eziox_database(tmp_path / "eziox.db", rows=500)
    monkeypatch.setattr(sqlite, "STEP_PAGES", 100)
    env = {"EZIOX_DATA_DIR": str(tmp_path), "EZIOX_DATABASE_URL": ""}
    target = tmp_path / "cli.backup"
    result = CliRunner().invoke(app, ["backup", str(target)], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"backed up {tmp_path / 'eziox.db'} to {target}, ")
    progress = result.stderr.splitlines()
    assert len(progress) > 3, progress
    assert progress[-1].startswith("backup: 100% (")
    assert all(line.startswith("backup: ") for line in progress)


async def test_a_backup_never_replaces_the_database_itself(tmp_path: Path) -> None:
    database = await eziox_database(tmp_path / "eziox.db", rows=1)
    with pytest.raises(BackupProblem, match="is the database itself"):
        sqlite.backup(database, tmp_path / "." / "eziox.db", force=True, progress=print)
    assert count(database) == 1
