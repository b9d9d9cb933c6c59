"""The `eziox` command: thin — parse, call a service, print. Bad input exits non-zero."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from redis.exceptions import RedisError
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from eziox import __version__
from eziox.api_cli import api_app
from eziox.config import Settings, load_settings
from eziox.errors import EzioxError

T = TypeVar("T")

app = typer.Typer(help="Eziox: a self-hostable link-in-bio platform.", no_args_is_help=True)
users = typer.Typer(help="Manage accounts.", no_args_is_help=True)
keys = typer.Typer(help="Manage API keys.", no_args_is_help=True)
analytics = typer.Typer(help="Analytics maintenance.", no_args_is_help=True)
dev = typer.Typer(help="Development helpers.", no_args_is_help=True)
app.add_typer(users, name="users")
app.add_typer(keys, name="keys")
app.add_typer(analytics, name="analytics")
app.add_typer(dev, name="dev")
app.add_typer(api_app, name="api")
console = Console()


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def settings() -> Settings:
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


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@app.command("migrate")
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


@app.command()
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
    import uvicorn

    from eziox.templates.catalog import CatalogError, catalog

    config = settings()
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
    os.environ.setdefault("EZIOX_PUBLIC_URL", f"http://{host}:{port}")
    from eziox import ops
    from eziox.ops.http import OneWriteHttpProtocol

    # Before anything imports prometheus_client: the workers then share one metrics directory.
    metrics_dir = ops.prepare_metrics_dir() if workers > 1 else None
    from eziox.ops import logs

    run(_noop, write=False)  # migrate (SQLite) or check the schema (PostgreSQL) once, up front
    if demo:
        from eziox.demo import ensure_demo

        username, secret = run(ensure_demo)
        typer.echo(f"Demo account: {username}   bio page: http://{host}:{port}/{username}")
        typer.echo(f"API key (full access, shown once): {secret}")
        typer.echo(f'Try: curl -H "Authorization: Bearer {secret}" http://{host}:{port}/v1/profile')
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
    if metrics_dir:
        ops.remove_metrics_dir(metrics_dir)


async def _noop(_: AsyncSession) -> None:
    return None


@app.command()
def worker() -> None:
    """Deliver webhooks until stopped (SIGINT/SIGTERM); run as many as you like.

    `eziox serve` already runs one inside each server process; use this to scale delivery
    out, or with EZIOX_WEBHOOK_WORKER=false on the servers to keep it out of them.
    """
    import logging.config
    import signal

    from eziox.app import SchemaOutOfDate, prepare_database
    from eziox.ops import logs
    from eziox.state import AppState

    config = settings()
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
            typer.echo("delivering webhooks; stop with Ctrl-C", err=True)
            await stop.wait()
        finally:
            await state.close()

    try:
        asyncio.run(main())
    except SchemaOutOfDate as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot reach a backing service: {exc}")


@users.command("create")
def users_create(
    username: Annotated[str, typer.Option(help="3-30 of a-z 0-9 _ -")],
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    tier: Annotated[str, typer.Option(help="free, pro, creator or lifetime")] = "free",
) -> None:
    """Create an account."""
    from eziox.accounts.service import create_account

    async def work(session: AsyncSession) -> str:
        account = await create_account(
            session, username=username, email=email, password=password, tier=tier
        )
        return f"created {account.username} ({account.id}, tier {account.tier})"

    typer.echo(run(work))


@users.command("set-tier")
def users_set_tier(username: str, tier: str) -> None:
    """Change an account's tier; limits change on its next request."""
    from eziox.accounts.service import set_tier

    async def work(session: AsyncSession) -> str:
        account = await set_tier(session, username, tier)
        return f"{account.username} is now on the {account.tier} tier"

    typer.echo(run(work))


@keys.command("create")
def keys_create(
    user: Annotated[str, typer.Option(help="Username")],
    name: Annotated[str, typer.Option(help="A label for the key")],
    permissions: Annotated[str, typer.Option(help="p1,p2,… or all")] = "all",
    expires_in_days: Annotated[int | None, typer.Option(help="Days until it expires")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Create an API key and print it (the only time it is shown)."""
    from eziox.accounts.service import find_by_username
    from eziox.apikeys.service import create_api_key, describe

    async def work(session: AsyncSession) -> dict[str, Any]:
        account = await find_by_username(session, user)
        created = await create_api_key(
            session,
            account.id,
            name=name,
            permissions=permissions,
            expires_in_days=expires_in_days,
        )
        return {**describe(created.key), "key": created.secret}

    result = run(work)
    if as_json:
        typer.echo(json.dumps(result))
        return
    console.print(f"[bold]{result['key']}[/]")
    console.print(
        f"id {result['id']} · permissions {', '.join(result['permissions'])}"
        f"{' · expires ' + result['expiresAt'] if result['expiresAt'] else ''}"
    )
    console.print("[yellow]Store it now: it will not be shown again.[/]", highlight=False)


@keys.command("list")
def keys_list(
    user: Annotated[str, typer.Option(help="Username")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List an account's API keys (never the secrets)."""
    from eziox.accounts.service import find_by_username
    from eziox.apikeys.service import describe, list_api_keys

    async def work(session: AsyncSession) -> list[dict[str, Any]]:
        account = await find_by_username(session, user)
        return [describe(key) for key in await list_api_keys(session, account.id)]

    rows = run(work, write=False)
    if as_json:
        typer.echo(json.dumps(rows))
        return
    table = Table("id", "name", "key", "permissions", "status", "created", "last used", "expires")
    for row in rows:
        table.add_row(
            row["id"],
            row["name"],
            row["key"],
            " ".join(row["permissions"]),
            row["status"],
            row["createdAt"],
            row["lastUsedAt"] or "never",
            row["expiresAt"] or "never",
        )
    console.print(table if rows else f"{user} has no API keys")


@keys.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke a key; it stops working on the very next request, on every instance."""
    from eziox.apikeys.service import revoke_by_id

    async def work(session: AsyncSession) -> str:
        key = await revoke_by_id(session, key_id)
        return f"revoked {key.id} ({key.name})"

    typer.echo(run(work))


@analytics.command("prune")
def analytics_prune() -> None:
    """Delete raw events past their tier's retention, old visitor hashes and salts."""
    from eziox.analytics.retention import prune

    async def work(session: AsyncSession) -> str:
        return str(await prune(session))

    typer.echo(run(work))


@dev.command("seed-analytics")
def dev_seed_analytics(
    username: Annotated[str, typer.Option(help="Account to fill")],
    events: Annotated[int, typer.Option(min=1, max=100_000_000, help="How many events")],
    days: Annotated[int, typer.Option(min=1, max=3650, help="Spread over this many days")] = 365,
    seed: Annotated[int | None, typer.Option(help="Random seed for repeatable data")] = None,
) -> None:
    """Generate realistic views and clicks (referrers, devices, countries, some bots)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from eziox.accounts.service import find_by_username
    from eziox.analytics.seed import seed_events
    from eziox.app import prepare_database
    from eziox.state import AppState

    async def main() -> int:
        state = AppState.build(settings())
        try:
            await prepare_database(state)
            async with state.db.session() as session:
                account = await find_by_username(session, username)
            columns = (
                *Progress.get_default_columns()[:1],
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=console, transient=False) as bar:
                task = bar.add_task(f"seeding {username}", total=events)
                return await seed_events(
                    state.db,
                    account.id,
                    count=events,
                    days=days,
                    seed=seed,
                    progress=lambda n: bar.advance(task, n),
                )
        finally:
            await state.close()

    try:
        written = asyncio.run(main())
    except EzioxError as exc:
        fail(exc.message)
    typer.echo(f"wrote {written} events for {username} over {days} days")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
