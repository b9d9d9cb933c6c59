"""How `eziox backup` hands EZIOX_DATABASE_URL to pg_dump (no PostgreSQL server needed: a
stand-in pg_dump on PATH records what it was given)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eziox.backup.postgres import Target
from eziox.cli import app

URL = "postgresql+asyncpg://eziox:s3cr%40t%20Xq9@db.internal:6543/eziox_prod?ssl=require"

RECORDER = """#!{python}
import json, os, sys
with open({record!r}, "w") as handle:
    json.dump({{"argv": sys.argv[1:], "env": {{k: v for k, v in os.environ.items()
                                              if k.startswith("PG")}}}}, handle)
sys.stderr.write("pg_dump: error: connection to server failed\\n")
sys.exit(1)
"""


def test_the_url_becomes_pg_variables_with_the_password_decoded() -> None:
    pg = Target.of(URL)
    env = pg.env()
    assert env["PGHOST"] == "db.internal"
    assert env["PGPORT"] == "6543"
    assert env["PGUSER"] == "eziox"
    assert env["PGPASSWORD"] == "s3cr@t Xq9"
    assert env["PGDATABASE"] == "eziox_prod"
    assert env["PGSSLMODE"] == "require"
    assert pg.shown() == "postgresql://eziox@db.internal:6543/eziox_prod"
    assert "Xq9" not in pg.by_hand("pg_dump", "--format=custom")


def test_the_password_reaches_pg_dump_in_its_environment_never_its_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    record = tmp_path / "pg_dump.json"
    fake = tools / "pg_dump"
    fake.write_text(RECORDER.format(python=sys.executable, record=str(record)))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    target = tmp_path / "eziox.dump"

    result = CliRunner().invoke(app, ["backup", str(target)], env={"EZIOX_DATABASE_URL": URL})
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: pg_dump failed on postgresql://eziox@db.internal")
    assert "connection to server failed" in result.stderr
    seen = json.loads(record.read_text())
    assert not any("Xq9" in arg for arg in seen["argv"]), seen["argv"]
    assert seen["argv"][0] == "--format=custom"
    assert seen["env"]["PGPASSWORD"] == "s3cr@t Xq9"
    assert seen["env"]["PGDATABASE"] == "eziox_prod"
    assert not target.exists()
    assert sorted(tmp_path.iterdir()) == sorted([tools, record])  # no temporary dump left
