"""`eziox api …`: the public API from a terminal, built on the Python SDK (eziox.client).

The key comes from --api-key or EZIOX_API_KEY, the server from --base-url or EZIOX_BASE_URL.
Tables for people; --json prints the API's own JSON for scripts. A failed call prints one
`error: CODE: message` line on stderr and exits 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer
from pydantic_core import to_jsonable_python
from rich.console import Console
from rich.table import Table
from rich.text import Text

from eziox.client import Analytics, DailyPoint, Eziox, EzioxError, Link, Profile, Template

api_app = typer.Typer(
    help="Use the Eziox API v1 with an API key (EZIOX_API_KEY).", no_args_is_help=True
)
links_app = typer.Typer(help="List, add, change and remove links.", no_args_is_help=True)
templates_app = typer.Typer(help="Browse and apply bio-page templates.", no_args_is_help=True)
profile_app = typer.Typer(help="Show your profile, or change it with `update`.")
analytics_app = typer.Typer(help="Views and clicks per day; `link` and `breakdown` for more.")
api_app.add_typer(profile_app, name="profile", invoke_without_command=True)
api_app.add_typer(links_app, name="links")
api_app.add_typer(analytics_app, name="analytics", invoke_without_command=True)
api_app.add_typer(templates_app, name="templates")

console = Console(highlight=False)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of a table")]


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


@dataclass(frozen=True)
class Options:
    api_key: str | None
    base_url: str | None
    timeout: float
    as_json: bool


@api_app.callback()
def api_options(
    ctx: typer.Context,
    api_key: Annotated[
        str | None,
        typer.Option(envvar="EZIOX_API_KEY", show_envvar=True, help="An ezx_… key"),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            envvar="EZIOX_BASE_URL",
            show_envvar=True,
            help="Server URL (default http://127.0.0.1:8000)",
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds per request")] = 10.0,
    as_json: JsonFlag = False,
) -> None:
    """Options for every `eziox api` command (give them before the command)."""
    ctx.obj = Options(api_key, base_url, timeout, as_json)


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _options(ctx: typer.Context) -> Options:
    options = ctx.find_object(Options)
    return options or Options(None, None, 10.0, False)


@contextmanager
def api(ctx: typer.Context) -> Iterator[Eziox]:
    """A client for one command; any EzioxError becomes the one-line error and exit 1."""
    options = _options(ctx)
    if not options.api_key:
        fail("MISSING_API_KEY: no API key: set EZIOX_API_KEY or pass --api-key")
    try:
        with Eziox(options.api_key, base_url=options.base_url, timeout=options.timeout) as client:
            yield client
    except EzioxError as exc:
        wait = f" (retry after {exc.retry_after} s)" if exc.retry_after is not None else ""
        fail(f"{exc.code}: {exc.message}{wait}")


def emit(ctx: typer.Context, as_json: bool, data: Any, show: Callable[[], None]) -> None:
    """--json (here or before the command): the API's JSON shape; else the table."""
    if as_json or _options(ctx).as_json:
        typer.echo(json.dumps(to_jsonable_python(data, by_alias=True), ensure_ascii=False))
    else:
        show()


def _text(value: object) -> Text:
    # Text, not markup: a title like "[red]x" is shown as typed.
    return Text("" if value is None else str(value))


def changes(clearable: Collection[str], **options: object) -> dict[str, Any]:
    """The options given (not None); "" for a clearable field means null: remove it."""
    return {
        name: None if value == "" and name in clearable else value
        for name, value in options.items()
        if value is not None
    }


def fields_table(rows: Sequence[tuple[str, object]]) -> Table:
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in rows:
        table.add_row(name, _text(value))
    return table


# Profile


def show_profile(profile: Profile) -> None:
    stats = profile.stats
    console.print(
        fields_table(
            [
                ("username", profile.username),
                ("name", profile.name),
                ("bio", profile.bio),
                ("theme", profile.theme),
                ("links", profile.links),
                ("views", stats.views),
                ("followers", stats.followers),
                ("following", stats.following),
                ("avatar", profile.avatar or "-"),
                ("banner", profile.banner or "-"),
                ("id", profile.id),
                ("created", profile.created_at.isoformat() if profile.created_at else "-"),
            ]
        )
    )


@profile_app.callback()
def profile_show(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Your profile (profile:read)."""
    if ctx.invoked_subcommand is not None:
        return
    with api(ctx) as client:
        profile = client.profile.get()
    emit(ctx, as_json, profile, lambda: show_profile(profile))


@profile_app.command("update")
def profile_update(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    bio: Annotated[str | None, typer.Option(help="Bio text")] = None,
    avatar: Annotated[str | None, typer.Option(help='Image URL ("" removes it)')] = None,
    banner: Annotated[str | None, typer.Option(help='Image URL ("" removes it)')] = None,
    theme: Annotated[str | None, typer.Option(help="A template id")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Change your profile (profile:write)."""
    fields = changes(
        {"avatar", "banner"}, name=name, bio=bio, avatar=avatar, banner=banner, theme=theme
    )
    if not fields:
        fail("nothing to change: give --name, --bio, --avatar, --banner or --theme")
    with api(ctx) as client:
        profile = client.profile.update(**fields)
    emit(ctx, as_json, profile, lambda: show_profile(profile))


# Links


def links_table(links: Sequence[Link], caption: str | None = None) -> Table:
    table = Table(caption=caption)
    table.add_column("#", justify="right")
    table.add_column("id", no_wrap=True, min_width=24)  # never cut: it is what you type next
    table.add_column("title", ratio=1, overflow="fold")
    table.add_column("url", ratio=1, overflow="fold")
    table.add_column("clicks", justify="right")
    table.add_column("active")
    for link in links:
        table.add_row(
            str(link.order),
            link.id,
            _text(link.title),
            _text(link.url),
            str(link.clicks),
            "yes" if link.is_active else "no",
        )
    return table


def show_link(link: Link, heading: str | None = None) -> None:
    if heading:
        console.print(heading)
    rows: list[tuple[str, object]] = [
        ("id", link.id),
        ("title", link.title),
        ("url", link.url),
        ("description", link.description or "-"),
        ("thumbnail", link.thumbnail or "-"),
        ("order", link.order),
        ("active", "yes" if link.is_active else "no"),
        ("clicks", link.clicks),
    ]
    console.print(fields_table(rows))


@links_app.command("list")
def links_list(
    ctx: typer.Context,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Only active or inactive links")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every page, not just one")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Page size")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many links")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Your links in order (links:read)."""
    with api(ctx) as client:
        if every:
            links = list(client.links.iter(active=active, page_size=100))
            total = len(links)
        else:
            page = client.links.list(limit=limit, offset=offset, active=active)
            links, total = page.links, page.total
    if not links:
        caption = f"no links (total {total})"
    elif len(links) == total:
        caption = f"{total} link{'s' if total != 1 else ''}"
    else:
        caption = f"links {offset + 1}-{offset + len(links)} of {total} (--all for every page)"
    table = links_table(links, caption)
    emit(ctx, as_json, {"links": links, "total": total}, lambda: console.print(table))


@links_app.command("get")
def links_get(ctx: typer.Context, link_id: str, as_json: JsonFlag = False) -> None:
    """One link (links:read)."""
    with api(ctx) as client:
        link = client.links.get(link_id)
    emit(ctx, as_json, link, lambda: show_link(link))


@links_app.command("add")
def links_add(
    ctx: typer.Context,
    title: str,
    url: str,
    description: Annotated[str | None, typer.Option(help="Shown under the title")] = None,
    thumbnail: Annotated[str | None, typer.Option(help="Image URL")] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="Add it hidden")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Add a link at the end (links:write)."""
    with api(ctx) as client:
        link = client.links.create(
            title, url, description=description, thumbnail=thumbnail, is_active=not inactive
        )
    emit(ctx, as_json, link, lambda: show_link(link, f"Created {link.id}"))


@links_app.command("update")
def links_update(
    ctx: typer.Context,
    link_id: str,
    title: Annotated[str | None, typer.Option(help="New title")] = None,
    url: Annotated[str | None, typer.Option(help="New URL")] = None,
    description: Annotated[str | None, typer.Option(help='New description ("" removes it)')] = None,
    thumbnail: Annotated[str | None, typer.Option(help='Image URL ("" removes it)')] = None,
    order: Annotated[int | None, typer.Option(min=0, help="Move it to this position")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help="Show or hide")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a link; --order moves it and renumbers the others (links:write)."""
    fields = changes(
        {"description", "thumbnail"},
        title=title,
        url=url,
        description=description,
        thumbnail=thumbnail,
        order=order,
        is_active=active,
    )
    if not fields:
        fail(
            "nothing to change: give --title, --url, --description, --thumbnail, --order or "
            "--active/--inactive"
        )
    with api(ctx) as client:
        link = client.links.update(link_id, **fields)
    emit(ctx, as_json, link, lambda: show_link(link, f"Updated {link.id}"))


@links_app.command("rm")
def links_rm(ctx: typer.Context, link_id: str, as_json: JsonFlag = False) -> None:
    """Delete a link; the others close the gap (links:delete)."""
    with api(ctx) as client:
        client.links.delete(link_id)
    emit(
        ctx, as_json, {"id": link_id, "deleted": True}, lambda: console.print(f"Deleted {link_id}")
    )


# Analytics


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


@analytics_app.callback()
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


@analytics_app.command("link")
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


@analytics_app.command("breakdown")
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
            table.add_row(_text(label), views, str(item.clicks), f"{item.share:.1%}")
        console.print(table)

    emit(ctx, as_json, result, show)


# Templates


def show_template(template: Template) -> None:
    theme = template.theme
    console.print(
        fields_table(
            [
                ("id", template.id),
                ("name", template.name),
                ("category", template.category),
                ("premium", "yes" if template.premium else "no"),
                ("description", template.description),
                ("colors", " ".join(f"{k}={v}" for k, v in theme.colors.model_dump().items())),
                ("fonts", f"display={theme.fonts.display} body={theme.fonts.body}"),
                (
                    "style",
                    f"{theme.card_style} cards, {theme.border_radius} corners, "
                    f"{theme.background} background, {theme.button_hover} hover",
                ),
            ]
        )
    )


@templates_app.command("list")
def templates_list(
    ctx: typer.Context,
    category: Annotated[str | None, typer.Option(help="General, Gamer, VTuber, …")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Every built-in template (templates:read)."""
    with api(ctx) as client:
        templates = client.templates.list(category=category)
    table = Table("id", "name", "category", "premium", caption=f"{len(templates)} templates")
    for template in templates:
        table.add_row(
            template.id, _text(template.name), template.category, "yes" if template.premium else ""
        )
    data = {"templates": templates, "total": len(templates)}
    emit(ctx, as_json, data, lambda: console.print(table))


@templates_app.command("show")
def templates_show(ctx: typer.Context, template_id: str, as_json: JsonFlag = False) -> None:
    """One template's design tokens (templates:read)."""
    with api(ctx) as client:
        template = client.templates.get(template_id)
    emit(ctx, as_json, template, lambda: show_template(template))


@templates_app.command("apply")
def templates_apply(ctx: typer.Context, template_id: str, as_json: JsonFlag = False) -> None:
    """Use a template on your bio page; links are not touched (templates:apply)."""
    with api(ctx) as client:
        profile = client.templates.apply(template_id)
    emit(
        ctx,
        as_json,
        profile,
        lambda: console.print(f"Applied {template_id}: theme is now {profile.theme}"),
    )
