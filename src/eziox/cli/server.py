"""The root commands that run Eziox: version, migrate, serve and worker."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from eziox import __version__
from eziox.backup.lock import ServingLock
from eziox.cli.common import fail, run, settings
from eziox.config import Settings


def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def migrate_command(
    revision: Annotated[str, typer.Option(help="Target revision")] = "head",
) -> None:
    """Apply pending database migrations."""
    from eziox import migrate
    from eziox.db import make_engine

    async def main() -> str | None:
        engine = make_engine(settings())
        try:
            await migrate.upgrade(engine, revision)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    try:
        typer.echo(f"database at revision {asyncio.run(main())}")
    except OSError as exc:
        fail(f"cannot reach the database: {exc}")


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1,
    demo: Annotated[bool, typer.Option(help="Create a demo account and print a key")] = False,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help="Proxies trusted for X-Forwarded-For", envvar="EZIOX_FORWARDED_ALLOW_IPS"
        ),
    ] = "127.0.0.1",
) -> None:
    """Start the server (applies migrations on the embedded SQLite default)."""
    config = settings()
    _refuse_to_start_broken(config, workers)
    os.environ.setdefault("EZIOX_PUBLIC_URL", f"http://{host}:{port}")
    from eziox import ops

    # Before anything imports prometheus_client: the workers then share one metrics directory.
    metrics_dir = ops.prepare_metrics_dir() if workers > 1 else None
    lock = hold_database(config)  # held by this (parent) process until it exits
    try:
        run(_noop, write=False)  # migrate (SQLite) or check the schema (PostgreSQL), up front
        if demo:
            _print_demo_account(host, port)
        _run_uvicorn(config, host, port, workers, forwarded_allow_ips)
    finally:
        lock.release()
    if metrics_dir:
        ops.remove_metrics_dir(metrics_dir)


def hold_database(config: Settings) -> ServingLock:
    """Tell `eziox restore` this process uses the SQLite file (see eziox.backup.lock)."""
    from eziox.backup.sqlite import database_path

    path = database_path(config) if config.is_sqlite else None
    lock = ServingLock(path)
    lock.acquire(
        on_wait=lambda: typer.echo(f"waiting for `eziox restore` to finish with {path}", err=True)
    )
    return lock


def _refuse_to_start_broken(config: Settings, workers: int) -> None:
    """Exit 2 on a broken template catalog, or on workers that could not share limits."""
    from eziox.templates.catalog import CatalogError, catalog

    try:
        catalog()  # create_app checks it too; here the message is one line, not a traceback
    except CatalogError as exc:
        fail(str(exc), 2)
    if workers > 1 and not config.redis_url:
        fail(
            "--workers > 1 needs EZIOX_REDIS_URL: rate limits and key revocations must be shared "
            "between processes (start Redis, or run one worker)",
            2,
        )


def _print_demo_account(host: str, port: int) -> None:
    from eziox.demo import ensure_demo

    username, secret = run(ensure_demo)
    typer.echo(f"Demo account: {username}   bio page: http://{host}:{port}/{username}")
    typer.echo(f"API key (full access, shown once): {secret}")
    typer.echo(f'Try: curl -H "Authorization: Bearer {secret}" http://{host}:{port}/v1/profile')


def _run_uvicorn(
    config: Settings, host: str, port: int, workers: int, forwarded_allow_ips: str
) -> None:
    """Serve until stopped: one write per response, Eziox's own log lines."""
    import uvicorn

    from eziox.ops import logs
    from eziox.ops.http import OneWriteHttpProtocol

    uvicorn.run(
        "eziox.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=OneWriteHttpProtocol,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level=config.log_level,
        log_config=logs.log_config(config.log_format, config.log_level),
        access_log=False,  # Eziox logs each request itself (eziox.access), with its id
        timeout_graceful_shutdown=20,
    )


async def _noop(_: AsyncSession) -> None:
    return None


def worker() -> None:
    """Deliver webhooks and send mail until stopped (SIGINT/SIGTERM); run as many as you like.

    `eziox serve` already runs both inside each server process; use this to scale delivery
    out, or with EZIOX_WEBHOOK_WORKER=false / EZIOX_MAIL_WORKER=false on the servers to keep
    them out of them.
    """
    import logging.config
    import signal

    from eziox.app import SchemaOutOfDate, prepare_database
    from eziox.ops import logs
    from eziox.state import AppState

    config = settings()
    lock = hold_database(config)
    # The same formatters as `serve`: escaped, one record per line, text or JSON.
    logging.config.dictConfig(logs.log_config(config.log_format, config.log_level))

    async def main() -> None:
        state = AppState.build(config)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await prepare_database(state)
            state.webhooks.start()
            state.mail.start()
            typer.echo("delivering webhooks and mail; stop with Ctrl-C", err=True)
            await stop.wait()
        finally:
            await state.close()

    try:
        asyncio.run(main())
    except SchemaOutOfDate as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot reach a backing service: {exc}")
    finally:
        lock.release()
