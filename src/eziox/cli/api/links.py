"""`eziox api links …`: list, add, change and remove links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table

from eziox.cli.api.common import JsonFlag, api, changes, console, emit, fields_table, plain
from eziox.cli.common import fail
from eziox.client import Link

app = typer.Typer(help="List, add, change and remove links.", no_args_is_help=True)


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
            plain(link.title),
            plain(link.url),
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


@app.command("list")
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


@app.command("get")
def links_get(ctx: typer.Context, link_id: str, as_json: JsonFlag = False) -> None:
    """One link (links:read)."""
    with api(ctx) as client:
        link = client.links.get(link_id)
    emit(ctx, as_json, link, lambda: show_link(link))


@app.command("add")
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


@app.command("update")
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


@app.command("rm")
def links_rm(ctx: typer.Context, link_id: str, as_json: JsonFlag = False) -> None:
    """Delete a link; the others close the gap (links:delete)."""
    with api(ctx) as client:
        client.links.delete(link_id)
    emit(
        ctx, as_json, {"id": link_id, "deleted": True}, lambda: console.print(f"Deleted {link_id}")
    )
