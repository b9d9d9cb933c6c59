"""The operator CLI, each command a real `eziox` process against the run's database.

Python start-up costs about a second per command, so commands that do not depend on each
other run side by side.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from eziox.apikeys import keyformat
from eziox.config import Settings
from tests.process.servers import Result, eziox_env, run_eziox, start_eziox

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"


def one_line_error(result: Result, *needles: str) -> str:
    """A refused command: non-zero exit, nothing on stdout, one `error: …` line on stderr."""
    assert result.returncode != 0, result
    assert result.stdout == "", result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result
    assert lines[0].startswith("error: "), result
    for needle in needles:
        assert needle in lines[0], result
    return lines[0]


async def test_users_and_keys_through_the_cli(settings: Settings) -> None:
    env = eziox_env(settings)
    username = f"cli_{secrets.token_hex(4)}"
    email = f"{username}@example.com"

    created = await run_eziox(
        env, "users", "create", "--username", username, "--email", email, "--password", PASSWORD
    )
    assert created.returncode == 0, created
    assert created.stdout.startswith(f"created {username} (usr_"), created
    assert "tier free" in created.stdout

    # Independent of each other: run side by side.
    pending = {
        "bad name": start_eziox(
            env, "users", "create", "--username", "No Spaces!",
            "--email", "bad@example.com", "--password", PASSWORD,
        ),
        "duplicate": start_eziox(
            env, "users", "create", "--username", username.upper(),
            "--email", f"other-{email}", "--password", PASSWORD,
        ),
        "bad tier": start_eziox(env, "users", "set-tier", username, "platinum"),
        "blank password": start_eziox(
            env, "users", "create", "--username", f"{username}_b",
            "--email", f"b-{email}", "--password", " " * 8,
        ),
        "unicode password": start_eziox(
            env, "users", "create", "--username", f"{username}_u",
            "--email", f"u-{email}", "--password", "пароль 密码 🔑",
        ),
        "key": start_eziox(
            env, "keys", "create", "--user", username, "--name", "ci deploy",
            "--permissions", "links:read,profile:read", "--json",
        ),
        "unknown permission": start_eziox(
            env, "keys", "create", "--user", username, "--name", "x",
            "--permissions", "links:read,links:destroy", "--json",
        ),
        "no days": start_eziox(
            env, "keys", "create", "--user", username, "--name", "x",
            "--expires-in-days", "0", "--json",
        ),
        "revoke unknown": start_eziox(env, "keys", "revoke", "key_doesnotexist"),
        "second key": start_eziox(
            env, "keys", "create", "--user", username, "--name", "spare", "--json"
        ),
    }  # fmt: skip
    results = {name: await command.result() for name, command in pending.items()}

    one_line_error(results["bad name"], "username")
    one_line_error(results["duplicate"], f"'{username}'", "taken")
    one_line_error(results["bad tier"], "platinum")
    one_line_error(results["blank password"], "only spaces")
    assert results["unicode password"].returncode == 0, results["unicode password"]
    line = one_line_error(results["unknown permission"], "links:destroy")
    assert "links:read" not in line.split("(known")[0]  # it names the unknown one only
    one_line_error(results["no days"], "expires")
    one_line_error(results["revoke unknown"], "key_doesnotexist")

    made = results["key"]
    assert made.returncode == 0, made
    key = made.json()
    assert key["id"].startswith("key_")
    assert key["name"] == "ci deploy"
    assert sorted(key["permissions"]) == ["links:read", "profile:read"]
    assert key["status"] == "active"
    assert key["expiresAt"] is None
    secret = key["key"]
    assert keyformat.is_well_formed(secret), secret

    spare = results["second key"]
    assert spare.returncode == 0, spare
    spare_id = spare.json()["id"]

    # A revocation that could not reach the shared store (so running servers would keep
    # their cached lookup) is refused before anything is committed.
    store_away = start_eziox(
        {**env, "EZIOX_REDIS_URL": "redis://127.0.0.1:1/0"}, "keys", "revoke", spare_id
    )
    revoked = await run_eziox(env, "keys", "revoke", key["id"])
    one_line_error(await store_away.result(), "cannot reach")
    assert revoked.returncode == 0, revoked
    assert revoked.stdout.strip() == f"revoked {key['id']} (ci deploy)"

    listed = await run_eziox(env, "keys", "list", "--user", username, "--json")
    assert listed.returncode == 0, listed
    assert secret not in listed.stdout
    assert secret[8:-4] not in listed.stdout  # not even the hidden middle of the key
    rows = {row["id"]: row for row in listed.json()}
    assert rows.keys() == {key["id"], spare_id}  # the refused creations committed nothing
    assert rows[spare_id]["status"] == "active"  # nor did the refused revocation
    row = rows[key["id"]]
    assert row["key"] == f"{secret[:8]}…{secret[-4:]}"
    assert row["status"] == "revoked"
    assert row["revokedAt"] is not None
    assert sorted(row["permissions"]) == ["links:read", "profile:read"]


async def test_concurrent_migrations_of_a_fresh_sqlite_file(
    settings: Settings, tmp_path: Path
) -> None:
    """Instances (or an instance and the CLI) starting together on a new SQLite file all
    migrate it: one does the work, the others wait for the lock instead of failing."""
    env = eziox_env(settings, EZIOX_DATA_DIR=str(tmp_path), EZIOX_DATABASE_URL=None)
    racing = [start_eziox(env, "migrate") for _ in range(4)]
    results = [await command.result() for command in racing]
    for result in results:
        assert result.returncode == 0, result
    assert len({result.stdout for result in results}) == 1  # all at the same revision
    assert (tmp_path / "eziox.db").exists()
