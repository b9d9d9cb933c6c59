"""`eziox api profile`: show the profile, or change it with `update`."""

from __future__ import annotations

from typing import Annotated

import typer

from eziox.cli.api.common import JsonFlag, api, changes, console, emit, fields_table
from eziox.cli.common import fail
from eziox.client import Profile

app = typer.Typer(help="Show your profile, or change it with `update`.")


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


@app.callback()
def profile_show(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Your profile (profile:read)."""
    if ctx.invoked_subcommand is not None:
        return
    with api(ctx) as client:
        profile = client.profile.get()
    emit(ctx, as_json, profile, lambda: show_profile(profile))


@app.command("update")
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
