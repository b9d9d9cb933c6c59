"""`eziox analytics …`: analytics maintenance."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.cli.common import run

app = typer.Typer(help="Analytics maintenance.", no_args_is_help=True)


@app.command("prune")
def analytics_prune() -> None:
    """Delete raw events past their tier's retention, old visitor hashes and salts."""
    from eziox.analytics.retention import prune

    async def work(session: AsyncSession) -> str:
        return str(await prune(session))

    typer.echo(run(work))
