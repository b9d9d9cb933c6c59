"""`eziox api templates …`: browse and apply bio-page templates."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from eziox.cli.api.common import JsonFlag, api, console, emit, fields_table, plain
from eziox.client import Template

app = typer.Typer(help="Browse and apply bio-page templates.", no_args_is_help=True)


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


@app.command("list")
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
            template.id, plain(template.name), template.category, "yes" if template.premium else ""
        )
    data = {"templates": templates, "total": len(templates)}
    emit(ctx, as_json, data, lambda: console.print(table))


@app.command("show")
def templates_show(ctx: typer.Context, template_id: str, as_json: JsonFlag = False) -> None:
    """One template's design tokens (templates:read)."""
    with api(ctx) as client:
        template = client.templates.get(template_id)
    emit(ctx, as_json, template, lambda: show_template(template))


@app.command("apply")
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
