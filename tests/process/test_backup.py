"""`eziox backup` and `eziox restore` as real processes, on the run's backend: a backup taken
while a server answers writes holds every write answered before it began; bad files are
refused with one line and change nothing; a database in use is not replaced."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sqlite3
import subprocess
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from eziox import migrate
from eziox.backup import lock
from eziox.backup.sqlite import database_path
from eziox.config import Settings
from eziox.db import make_engine
from tests import backends
from tests.process.conftest import MakeDatabase, SharedStore
from tests.process.servers import (
    Provisioned,
    eziox_env,
    http_client,
    provision,
    run_eziox,
    running,
    start_eziox,
    until,
)
from tests.process.test_cli import one_line_error

pytestmark = pytest.mark.slow

WRITERS = 4
BEFORE = 30  # links answered before the backup starts
AFTER = 10  # and after it has finished


@dataclass(frozen=True)
class Contents:
    revision: str | None
    usernames: list[str]
    link_titles: set[str]


async def contents(settings: Settings) -> Contents:
    """A database's revision, accounts and links; on SQLite its integrity checked first."""
    path = database_path(settings) if settings.is_sqlite else None
    if path is not None:
        with closing(sqlite3.connect(path)) as connection:
            checked = connection.execute("PRAGMA integrity_check").fetchall()
        assert checked == [("ok",)], checked
    engine = make_engine(settings)
    try:
        revision = await migrate.current_revision(engine)
        async with engine.connect() as connection:
            names = (await connection.execute(text("SELECT username FROM accounts"))).scalars()
            titles = (await connection.execute(text("SELECT title FROM links"))).scalars()
            return Contents(revision, sorted(names), set(titles))
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Write:
    title: str
    sent: float
    answered: float
    ok: bool


async def write_links(
    client: httpx.AsyncClient, who: Provisioned, writer: int, log: list[Write], stop: asyncio.Event
) -> None:
    """POST links one after another until told to stop, logging when each was answered."""
    auth = {"Authorization": f"Bearer {who.keys[0][1]}"}
    n = 0
    while not stop.is_set():
        title = f"w{writer}-{n}"
        n += 1
        sent = time.monotonic()
        try:
            response = await client.post(
                "/v1/links", json={"title": title, "url": f"https://example.com/{title}"},
                headers=auth,
            )  # fmt: skip
            ok = response.status_code == 201
        except httpx.TransportError:
            ok = False
        log.append(Write(title, sent, time.monotonic(), ok))


async def view_page(client: httpx.AsyncClient, username: str, stop: asyncio.Event) -> None:
    """Page views (each one an analytics write) until told to stop."""
    while not stop.is_set():
        response = await client.get(f"/{username}", headers={"User-Agent": "Mozilla/5.0"})
        assert response.status_code == 200, response.text


async def test_a_backup_under_write_load_holds_every_write_answered_before_it(
    fresh: MakeDatabase, tmp_path: Path
) -> None:
    source = await fresh("source")
    who = await provision(source, f"bk_{secrets.token_hex(4)}", tier="creator")
    file = tmp_path / "eziox.backup"
    log: list[Write] = []
    stop = asyncio.Event()
    async with running((eziox_env(source), ())) as (server,), http_client(server.url) as client:
        load = [asyncio.create_task(write_links(client, who, n, log, stop)) for n in range(WRITERS)]
        load += [asyncio.create_task(view_page(client, who.username, stop)) for _ in range(2)]
        try:
            await until(lambda: sum(w.ok for w in log) >= BEFORE, f"{BEFORE} links written")
            started = time.monotonic()
            backup = await run_eziox(eziox_env(source), "backup", str(file), timeout=120)
            finished = time.monotonic()
            await until(
                lambda: sum(w.ok and w.sent > finished for w in log) >= AFTER,
                f"{AFTER} links written after the backup",
            )
        finally:
            stop.set()
            await asyncio.gather(*load)
    assert backup.returncode == 0, backup
    assert f"revision {migrate.head_revision()}" in backup.stdout, backup
    assert any(w.ok and started < w.answered < finished for w in log), "no write during backup"

    target = await fresh("restored", revision=None)
    restored = await run_eziox(eziox_env(target), "restore", str(file))
    assert restored.returncode == 0, restored
    assert "1 accounts" in restored.stdout, restored
    found = await contents(target)
    assert found.revision == migrate.head_revision()
    assert found.usernames == [who.username]
    answered_before = {w.title for w in log if w.ok and w.answered < started}
    assert answered_before <= found.link_titles, answered_before - found.link_titles
    sent_after = {w.title for w in log if w.sent > finished}
    assert not sent_after & found.link_titles  # one snapshot, taken while the command ran
    assert f"{len(found.link_titles)} links" in restored.stdout, restored


def damage_pages(path: Path) -> None:
    """Overwrite the b-tree header of a few pages with nonsense (the SQLite header stays)."""
    with path.open("r+b") as handle:
        for page in (2, 4, 6):
            handle.seek(4096 * page)
            handle.write(b"\x0d\x00\x00\x00\x09\x0f\xff\x00" + b"\xee" * 40)


async def bad_files(settings: Settings, good: Path, fresh: MakeDatabase) -> dict[str, Path]:
    """Files `eziox restore` must refuse, by what its message names."""
    folder = good.parent
    files = {"does not exist": folder / "missing.backup", "is empty": folder / "empty.backup"}
    files["is empty"].write_bytes(b"")
    files["truncated"] = folder / "truncated.backup"
    files["truncated"].write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    files["not a"] = folder / "random.backup"  # not a SQLite database / not a pg_dump archive
    files["not a"].write_bytes(os.urandom(64 * 1024))
    files["not an Eziox database"] = await foreign_database(settings, fresh, folder)
    files["newer Eziox"] = folder / "newer.backup"
    await backed_up(await at_revision("20991231_0099", fresh), files["newer Eziox"])
    if settings.is_sqlite:
        files["corrupt"] = folder / "corrupt.backup"
        files["corrupt"].write_bytes(good.read_bytes())
        damage_pages(files["corrupt"])
    else:
        files["is a SQLite database"] = folder / "sqlite.backup"
        with closing(sqlite3.connect(files["is a SQLite database"])) as connection:
            connection.execute("CREATE TABLE accounts (id TEXT)")
    return files


async def foreign_database(settings: Settings, fresh: MakeDatabase, folder: Path) -> Path:
    """A backup of a database with no Eziox tables in it (`eziox backup` refuses to make one,
    so: SQLite's own module, pg_dump)."""
    file = folder / "foreign.backup"
    if settings.is_sqlite:
        with closing(sqlite3.connect(file)) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
        return file
    foreign = await fresh("foreign", revision=None)
    name = foreign.db_url.rsplit("/", 1)[1]
    dumped = subprocess.run(
        ["pg_dump", "--format=custom", f"--file={file}", *pg_options(name)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr
    return file


def pg_options(database: str) -> list[str]:
    return [
        f"--host={backends.PG_HOST}",
        f"--port={backends.PG_PORT}",
        f"--username={backends.PG_USER}",
        f"--dbname={database}",
    ]


async def at_revision(revision: str, fresh: MakeDatabase) -> Settings:
    """An Eziox database whose alembic_version names ``revision`` (one this code lacks)."""
    made = await fresh(f"at-{revision}")
    engine = make_engine(made)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :r"), {"r": revision}
            )
    finally:
        await engine.dispose()
    return made


async def backed_up(settings: Settings, file: Path) -> None:
    result = await run_eziox(eziox_env(settings), "backup", str(file))
    assert result.returncode == 0, result


async def test_bad_backups_are_refused_with_one_line_and_change_nothing(
    settings: Settings, fresh: MakeDatabase, tmp_path: Path
) -> None:
    target = await fresh("target")
    await provision(target, f"bk_{secrets.token_hex(4)}")
    good = tmp_path / "good.backup"
    await backed_up(target, good)
    before = await contents(target)
    files = await bad_files(settings, good, fresh)

    env = eziox_env(target)
    pending = {needle: start_eziox(env, "restore", str(path)) for needle, path in files.items()}
    for needle, command in pending.items():
        result = await command.result()
        assert result.returncode == 2, result
        one_line_error(result, needle, str(files[needle]))
    assert await contents(target) == before
    assert sorted(p.name for p in target.data_dir.iterdir() if p.name.startswith(".")) == []


async def test_an_older_backup_is_restored_and_migrate_brings_it_up(
    fresh: MakeDatabase, tmp_path: Path
) -> None:
    old = await fresh("old", revision="20261202_0008")
    file = tmp_path / "old.backup"
    await backed_up(old, file)
    target = await fresh("target", revision=None)
    env = eziox_env(target)
    restored = await run_eziox(env, "restore", str(file))
    assert restored.returncode == 0, restored
    assert "revision 20261202_0008" in restored.stdout, restored
    assert "older than this Eziox" in restored.stdout, restored
    assert "`eziox migrate`" in restored.stdout, restored
    migrated = await run_eziox(env, "migrate")
    assert migrated.returncode == 0, migrated
    assert (await contents(target)).revision == migrate.head_revision()


async def test_backup_never_overwrites_a_file_without_force(
    fresh: MakeDatabase, tmp_path: Path
) -> None:
    source = await fresh("source")
    who = await provision(source, f"bk_{secrets.token_hex(4)}")
    file = tmp_path / "backups" / "eziox.backup"
    file.parent.mkdir()
    file.write_text("last night's backup")
    env = eziox_env(source)

    refused = await run_eziox(env, "backup", str(file))
    assert refused.returncode == 2, refused
    one_line_error(refused, str(file), "already exists", "--force")
    assert file.read_text() == "last night's backup"

    replaced = await run_eziox(env, "backup", "--force", str(file))
    assert replaced.returncode == 0, replaced
    assert [p.name for p in file.parent.iterdir()] == ["eziox.backup"]  # no temporary left
    target = await fresh("target", revision=None)
    assert (await run_eziox(eziox_env(target), "restore", str(file))).returncode == 0
    assert (await contents(target)).usernames == [who.username]


async def test_restore_refuses_a_database_a_server_is_using(
    settings: Settings, fresh: MakeDatabase, shared_store: SharedStore, tmp_path: Path
) -> None:
    """While `eziox serve --workers 2` runs on it (SQLite: the parent's lock; PostgreSQL: its
    connections in pg_stat_activity), restore refuses and changes nothing; once the server
    has stopped, the same command restores."""
    other = await fresh("other")
    theirs = await provision(other, f"bk_{secrets.token_hex(4)}")
    file = tmp_path / "other.backup"
    await backed_up(other, file)
    target = await fresh("target")
    ours = await provision(target, f"bk_{secrets.token_hex(4)}")
    env = eziox_env(
        target,
        EZIOX_REDIS_URL=shared_store.redis_url,
        EZIOX_REDIS_PREFIX=f"{shared_store.prefix}-bk-{secrets.token_hex(4)}",
    )
    async with running((env, ("--workers", "2"))) as (server,):
        async with http_client(server.url) as client:
            assert (await client.get(f"/{ours.username}")).status_code == 200
        refused = await run_eziox(env, "restore", str(file))
        assert refused.returncode == 2, refused
        one_line_error(refused, "is in use", "--force")
        async with http_client(server.url) as client:
            assert (await client.get(f"/{ours.username}")).status_code == 200
    assert (await contents(target)).usernames == [ours.username]

    restored = await run_eziox(env, "restore", str(file))
    assert restored.returncode == 0, restored
    assert (await contents(target)).usernames == [theirs.username]


async def test_restore_with_force_goes_ahead_and_says_to_restart(
    settings: Settings, fresh: MakeDatabase, tmp_path: Path
) -> None:
    """Another user of the database (SQLite: a holder of the serving lock; PostgreSQL: an
    idle connection) makes restore refuse; --force restores and warns to restart servers."""
    other = await fresh("other")
    theirs = await provision(other, f"bk_{secrets.token_hex(4)}")
    file = tmp_path / "other.backup"
    await backed_up(other, file)
    target = await fresh("target")
    env = eziox_env(target)
    path = database_path(target) if target.is_sqlite else None
    holder = lock.ServingLock(path)
    holder.acquire()
    connection = None
    if not target.is_sqlite:
        name = target.db_url.rsplit("/", 1)[1]
        connection = await asyncpg.connect(
            host=backends.PG_HOST, port=backends.PG_PORT, user=backends.PG_USER, database=name
        )
    try:
        refused = await run_eziox(env, "restore", str(file))
        one_line_error(refused, "is in use")
        forced = await run_eziox(env, "restore", "--force", str(file))
    finally:
        holder.release()
        if connection is not None:
            await connection.close()
    assert refused.returncode == 2, refused
    assert forced.returncode == 0, forced
    assert "restart every `eziox serve`" in forced.stderr, forced
    assert (await contents(target)).usernames == [theirs.username]


def _sqlite_only(settings: Settings, why: str) -> None:
    if not settings.is_sqlite:
        pytest.skip(
            f"PostgreSQL backend: {why}; this test runs in the SQLite pass of `make test` "
            "(EZIOX_TEST_BACKEND=sqlite, the default)"
        )


async def test_serve_and_worker_hold_the_sqlite_lock_for_their_lifetime(
    settings: Settings, fresh: MakeDatabase
) -> None:
    _sqlite_only(settings, "the serving lock is a file beside the SQLite database")
    target = await fresh("target")
    path = database_path(target)
    assert path is not None
    env = eziox_env(target)
    assert not lock.in_use(path)
    async with running((env, ())):
        assert lock.in_use(path)
    assert not lock.in_use(path)  # the kernel dropped it with the process

    worker = start_eziox(env, "worker")
    try:
        await until(lambda: lock.in_use(path), "`eziox worker` holding the lock")
    finally:
        # It may not have set up its signal handlers yet (the lock comes first): then SIGTERM
        # ends it the default way, which must drop the lock all the same.
        worker.process.send_signal(signal.SIGTERM)
        stopped = await worker.result()
    assert stopped.returncode in {0, -signal.SIGTERM}, stopped
    assert not lock.in_use(path)


async def test_without_the_postgresql_tools_the_commands_say_what_to_run(
    settings: Settings, tmp_path: Path
) -> None:
    """No PostgreSQL server is needed: the tools are looked for before anything connects."""
    url = "postgresql+asyncpg://eziox:s3cret@db.internal:6543/eziox"
    env = eziox_env(settings, EZIOX_DATABASE_URL=url, PATH=str(tmp_path / "no-tools"))
    archive = tmp_path / "eziox.dump"
    archive.write_bytes(b"PGDMP" + bytes(100))
    backup, restore = await asyncio.gather(
        run_eziox(env, "backup", str(tmp_path / "new.dump")),
        run_eziox(env, "restore", str(archive)),
    )
    line = one_line_error(backup, "pg_dump is not installed", "run instead: PGPASSWORD=… pg_dump")
    assert "--host=db.internal --port=6543 --username=eziox" in line
    one_line_error(restore, "pg_restore is not installed", "--single-transaction")
    for result in (backup, restore):
        assert result.returncode == 2, result
        assert "s3cret" not in result.stderr
