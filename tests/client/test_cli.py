"""`eziox api …` as a real process against the live server (key from EZIOX_API_KEY).

Python start-up costs about a second per command, so independent commands run side by side.
"""

from __future__ import annotations

import pytest

from eziox.config import Settings
from tests.client.conftest import Account
from tests.process.servers import Result, eziox_env, run_eziox, start_eziox

pytestmark = pytest.mark.slow


def ok(result: Result) -> Result:
    assert result.returncode == 0, result
    assert result.stderr == "", result
    return result


def one_line_error(result: Result, line: str) -> None:
    assert result.returncode == 1, result
    assert result.stdout == "", result
    assert result.stderr.strip().splitlines() == [line], result


async def test_links_through_the_cli(settings: Settings, account: Account) -> None:
    env = eziox_env(settings, EZIOX_API_KEY=account.key, COLUMNS="200")
    api = ("api", "--base-url", account.url)

    first = start_eziox(env, *api, "links", "add", "First [b]link", "https://example.com/1")
    second = start_eziox(
        env, *api, "--json", "links", "add", "Second", "https://example.com/2",
        "--description", "hidden one", "--inactive",
    )  # fmt: skip
    shown = ok(await first.result()).stdout
    assert "Created lnk_" in shown
    assert "First [b]link" in shown  # printed as typed, not as markup
    created = ok(await second.result()).json()
    assert (created["title"], created["isActive"], created["description"]) == (
        "Second",
        False,
        "hidden one",
    )
    link_id = created["id"]

    listing = start_eziox(env, *api, "links", "list")
    listing_json = start_eziox(env, *api, "links", "list", "--json")
    inactive = start_eziox(env, *api, "links", "list", "--inactive", "--all", "--json")
    table = ok(await listing.result()).stdout
    assert "First [b]link" in table
    assert link_id in table
    assert "2 links" in table
    page = ok(await listing_json.result()).json()
    assert page["total"] == 2
    assert [link["order"] for link in page["links"]] == [0, 1]
    assert [link["id"] for link in ok(await inactive.result()).json()["links"]] == [link_id]

    update = ["links", "update", link_id, "--title", "Moved", "--order", "0", "--active"]
    moved = ok(await run_eziox(env, *api, *update, "--json")).json()
    assert (moved["title"], moved["order"], moved["isActive"]) == ("Moved", 0, True)
    renamed = ok(await run_eziox(env, *api, "links", "update", link_id, "--description", ""))
    assert "Updated " + link_id in renamed.stdout

    removed = start_eziox(env, *api, "links", "rm", link_id)
    removed_json = start_eziox(env, *api, "links", "rm", "lnk_doesnotexist", "--json")
    assert ok(await removed.result()).stdout.strip() == f"Deleted {link_id}"
    one_line_error(await removed_json.result(), "error: NOT_FOUND: Link not found.")
    after = ok(await run_eziox(env, *api, "--json", "links", "list")).json()
    assert after["total"] == 1
    assert after["links"][0]["title"] == "First [b]link"


async def test_profile_analytics_templates_and_errors(settings: Settings, account: Account) -> None:
    env = eziox_env(settings, EZIOX_API_KEY=account.key, COLUMNS="200")
    api = ("api", "--base-url", account.url)
    pending = {
        "profile": start_eziox(env, *api, "profile"),
        "update": start_eziox(env, *api, "profile", "update", "--bio", "from the CLI", "--json"),
        "analytics": start_eziox(env, *api, "analytics", "--period", "7d", "--metric", "views"),
        "analytics json": start_eziox(env, *api, "--json", "analytics", "--period", "7d"),
        "templates": start_eziox(env, *api, "templates", "list", "--category", "Developer"),
        "apply": start_eziox(env, *api, "templates", "apply", "terminal", "--json"),
        "no key": start_eziox(
            eziox_env(settings), *api, "profile"
        ),  # no EZIOX_API_KEY in this environment
        "bad key": start_eziox(
            env, "api", "--api-key", "ezx_" + "A" * 32, "--base-url", account.url, "profile"
        ),
        "bad period": start_eziox(env, *api, "analytics", "--period", "2d"),
    }
    results = {name: await command.result() for name, command in pending.items()}

    assert account.username in ok(results["profile"]).stdout
    assert ok(results["update"]).json()["bio"] == "from the CLI"
    table = ok(results["analytics"]).stdout
    assert "Last 7d (UTC): views 0" in table
    assert "clicks" not in table
    series = ok(results["analytics json"]).json()
    assert (series["period"], len(series["daily"])) == ("7d", 7)
    assert set(series["summary"]) == {"views", "clicks", "clickRate", "uniqueVisitors"}
    assert "terminal" in ok(results["templates"]).stdout
    assert ok(results["apply"]).json()["theme"] == "terminal"
    one_line_error(
        results["no key"], "error: MISSING_API_KEY: no API key: set EZIOX_API_KEY or pass --api-key"
    )
    one_line_error(results["bad key"], "error: UNAUTHORIZED: Invalid or missing API key.")
    assert results["bad period"].returncode == 2, results["bad period"]  # a usage error
