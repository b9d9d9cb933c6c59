"""`eziox api analytics …`: views and clicks per day, per link, and broken down."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from eziox.cli.api.common import JsonFlag, api, console, emit, plain
from eziox.client import Analytics, DailyPoint

app = typer.Typer(help="Views and clicks per day; `link` and `breakdown` for more.")


class PeriodChoice(StrEnum):
    D7 = "7d"
    D30 = "30d"
    D90 = "90d"
    Y1 = "1y"


class MetricChoice(StrEnum):
    ALL = "all"
    VIEWS = "views"
    CLICKS = "clicks"


class DimensionChoice(StrEnum):
    REFERRERS = "referrers"
    DEVICES = "devices"
    BROWSERS = "browsers"
    OS = "os"
    COUNTRIES = "countries"
    LINKS = "links"


PeriodOption = Annotated[PeriodChoice, typer.Option(help="7d, 30d, 90d or 1y")]
TzOption = Annotated[str, typer.Option("--tz", help="IANA time zone for day boundaries")]


def _grouped(daily: Sequence[DailyPoint], period: str) -> list[tuple[str, int | None, int | None]]:
    """Days for 7d/30d; weeks (from Monday) for 90d; months for 1y — a table you can read."""
    rows: dict[str, list[int | None]] = {}
    for point in daily:
        if period == "90d":
            label = f"week of {point.date - timedelta(days=point.date.weekday())}"
        elif period == "1y":
            label = point.date.strftime("%Y-%m")
        else:
            label = point.date.isoformat()
        sums = rows.setdefault(label, [None, None])
        for index, value in enumerate((point.views, point.clicks)):
            if value is not None:
                sums[index] = (sums[index] or 0) + value
    return [(label, views, clicks) for label, (views, clicks) in rows.items()]


def show_analytics(analytics: Analytics) -> None:
    summary = analytics.summary
    parts = [
        f"{name} {value}"
        for name, value in (
            ("views", summary.views),
            ("clicks", summary.clicks),
            ("click rate", summary.click_rate),
            ("unique visitors", summary.unique_visitors),
        )
        if value is not None
    ]
    console.print(f"Last {analytics.period} ({analytics.timezone}): " + " · ".join(parts))
    rows = _grouped(analytics.daily, analytics.period)
    columns = [
        name
        for name, value in (("views", summary.views), ("clicks", summary.clicks))
        if value is not None
    ]
    table = Table("period" if analytics.period in {"90d", "1y"} else "date", *columns)
    for label, views, clicks in rows:
        values = {"views": views, "clicks": clicks}
        table.add_row(label, *(str(values[name] or 0) for name in columns))
    console.print(table)


@app.callback()
def analytics_show(
    ctx: typer.Context,
    period: PeriodOption = PeriodChoice.D30,
    metric: Annotated[MetricChoice, typer.Option(help="all, views or clicks")] = MetricChoice.ALL,
    tz: TzOption = "UTC",
    as_json: JsonFlag = False,
) -> None:
    """Views, clicks and click rate per day (analytics:read)."""
    if ctx.invoked_subcommand is not None:
        return
    with api(ctx) as client:
        analytics = client.analytics.get(period=period.value, metric=metric.value, tz=tz)
    emit(ctx, as_json, analytics, lambda: show_analytics(analytics))


@app.command("link")
def analytics_link(
    ctx: typer.Context,
    link_id: str,
    period: PeriodOption = PeriodChoice.D30,
    tz: TzOption = "UTC",
    as_json: JsonFlag = False,
) -> None:
    """One link's clicks per day (analytics:read)."""
    with api(ctx) as client:
        result = client.analytics.link(link_id, period=period.value, tz=tz)

    def show() -> None:
        console.print(f"{result.link}: {result.summary.clicks} clicks in {result.period}")
        table = Table("period" if result.period in {"90d", "1y"} else "date", "clicks")
        for label, _, clicks in _grouped(result.daily, result.period):
            table.add_row(label, str(clicks or 0))
        console.print(table)

    emit(ctx, as_json, result, show)


@app.command("breakdown")
def analytics_breakdown(
    ctx: typer.Context,
    dimension: Annotated[DimensionChoice, typer.Argument(help="What to break down by")],
    period: PeriodOption = PeriodChoice.D30,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many values")] = 10,
    tz: TzOption = "UTC",
    as_json: JsonFlag = False,
) -> None:
    """Top referrers, devices, browsers, os, countries or links (analytics:read)."""
    with api(ctx) as client:
        result = client.analytics.breakdown(
            dimension.value, period=period.value, limit=limit, tz=tz
        )

    def show() -> None:
        table = Table(dimension.value, "views", "clicks", "share", caption=f"total {result.total}")
        for item in result.items:
            label = item.title or item.value or "(direct / unknown)"
            views = "-" if item.views is None else str(item.views)
            table.add_row(plain(label), views, str(item.clicks), f"{item.share:.1%}")
        console.print(table)

    emit(ctx, as_json, result, show)
