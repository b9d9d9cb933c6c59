"""`eziox keys …`: create, list and revoke API keys."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.cli.common import console, run

app = typer.Typer(help="Manage API keys.", no_args_is_help=True)


@app.command("create")
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


@app.command("list")
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


@app.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke a key; it stops working on the very next request, on every instance."""
    from eziox.apikeys.service import revoke_by_id

    async def work(session: AsyncSession) -> str:
        key = await revoke_by_id(session, key_id)
        return f"revoked {key.id} ({key.name})"

    typer.echo(run(work))
