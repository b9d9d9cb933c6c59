"""`eziox dev …`: development helpers."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from eziox.cli.common import console, fail, settings
from eziox.errors import EzioxError

if TYPE_CHECKING:
    from rich.progress import Progress

    from eziox.state import AppState

app = typer.Typer(help="Development helpers.", no_args_is_help=True)


@app.command("seed-analytics")
def dev_seed_analytics(
    username: Annotated[str, typer.Option(help="Account to fill")],
    events: Annotated[int, typer.Option(min=1, max=100_000_000, help="How many events")],
    days: Annotated[int, typer.Option(min=1, max=3650, help="Spread over this many days")] = 365,
    seed: Annotated[int | None, typer.Option(help="Random seed for repeatable data")] = None,
) -> None:
    """Generate realistic views and clicks (referrers, devices, countries, some bots)."""
    try:
        written = asyncio.run(_seed(username, events, days, seed))
    except EzioxError as exc:
        fail(exc.message)
    typer.echo(f"wrote {written} events for {username} over {days} days")


async def _seed(username: str, events: int, days: int, seed: int | None) -> int:
    """Fill the account's analytics against a ready database, showing progress."""
    from eziox.analytics.seed import seed_events
    from eziox.app import prepare_database
    from eziox.state import AppState

    state = AppState.build(settings())
    try:
        await prepare_database(state)
        account_id = await _account_id(state, username)
        with _progress_bar() as bar:
            task = bar.add_task(f"seeding {username}", total=events)
            return await seed_events(
                state.db,
                account_id,
                count=events,
                days=days,
                seed=seed,
                progress=lambda n: bar.advance(task, n),
            )
    finally:
        await state.close()


async def _account_id(state: AppState, username: str) -> str:
    from eziox.accounts.service import find_by_username

    async with state.db.session() as session:
        account = await find_by_username(session, username)
    return account.id


def _progress_bar() -> Progress:
    """Description, bar, done/total and time left; kept on screen when finished."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = (
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    return Progress(*columns, console=console, transient=False)
