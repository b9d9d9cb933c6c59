"""What every `eziox api` command shares: the options given before the command, a client
whose errors become one line, and the output helpers (tables, or the API's JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from pydantic_core import to_jsonable_python
from rich.console import Console
from rich.table import Table
from rich.text import Text

from eziox.cli.common import fail
from eziox.client import Eziox, EzioxError

console = Console(highlight=False)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of a table")]


@dataclass(frozen=True)
class Options:
    api_key: str | None
    base_url: str | None
    timeout: float
    as_json: bool


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


def plain(value: object) -> Text:
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
        table.add_row(name, plain(value))
    return table
