"""The `eziox` command: thin — parse, call a service, print. Bad input exits non-zero.

The root commands live in `server`, each group in a module of its own; `api` is
`eziox api …`, the public API from a terminal."""

from __future__ import annotations

import sys

import typer

from eziox.cli import analytics, backup, dev, keys, server, users
from eziox.cli.api import api_app

app = typer.Typer(help="Eziox: a self-hostable link-in-bio platform.", no_args_is_help=True)
app.command()(server.version)
app.command("migrate")(server.migrate_command)
app.command()(server.serve)
app.command()(server.worker)
app.command("backup")(backup.backup_command)
app.command("restore")(backup.restore_command)
app.add_typer(users.app, name="users")
app.add_typer(keys.app, name="keys")
app.add_typer(analytics.app, name="analytics")
app.add_typer(dev.app, name="dev")
app.add_typer(api_app, name="api")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
