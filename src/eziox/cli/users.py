"""`eziox users …`: create accounts and change their tier."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.cli.common import run

app = typer.Typer(help="Manage accounts.", no_args_is_help=True)


@app.command("create")
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


@app.command("set-tier")
def users_set_tier(username: str, tier: str) -> None:
    """Change an account's tier; limits change on its next request."""
    from eziox.accounts.service import set_tier

    async def work(session: AsyncSession) -> str:
        account = await set_tier(session, username, tier)
        return f"{account.username} is now on the {account.tier} tier"

    typer.echo(run(work))
