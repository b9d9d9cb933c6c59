"""`eziox api …`: the public API from a terminal, built on the Python SDK (eziox.client).

The key comes from --api-key or EZIOX_API_KEY, the server from --base-url or EZIOX_BASE_URL.
Tables for people; --json prints the API's own JSON for scripts. A failed call prints one
`error: CODE: message` line on stderr and exits 1.
"""

from __future__ import annotations

from typing import Annotated

import typer

from eziox.cli.api import analytics, links, profile, templates
from eziox.cli.api.common import JsonFlag, Options

api_app = typer.Typer(
    help="Use the Eziox API v1 with an API key (EZIOX_API_KEY).", no_args_is_help=True
)
api_app.add_typer(profile.app, name="profile", invoke_without_command=True)
api_app.add_typer(links.app, name="links")
api_app.add_typer(analytics.app, name="analytics", invoke_without_command=True)
api_app.add_typer(templates.app, name="templates")


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
