"""GET /l/{id} of a sensitive link: a warning page first, then the redirect."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from eziox.analytics.rollup import roll_up_all
from tests.factories import Caller, make_caller, state_of
from tests.links.factories import new_link
from tests.web.visits import CHROME


async def click_count(app: FastAPI, caller: Caller, link_id: str) -> int:
    await roll_up_all(state_of(app).db)
    return int((await caller.get(f"/v1/links/{link_id}")).json()["clicks"])


async def test_sensitive_link_shows_a_warning_then_redirects(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await make_caller(app, client)
    link = await new_link(caller, "Spicy", sensitive=True)
    assert link["sensitive"] is True
    warning = await client.get(f"/l/{link['id']}", headers={"User-Agent": CHROME})
    assert warning.status_code == 200
    assert "This link may contain sensitive content — continue?" in warning.text
    assert f'href="/l/{link["id"]}?continue=1"' in warning.text
    assert "https://example.com/Spicy" not in warning.text  # the target is not revealed
    assert warning.headers["Cache-Control"] == "no-store"
    assert await click_count(app, caller, str(link["id"])) == 0  # the warning counts nothing
    go = await client.get(f"/l/{link['id']}?continue=1", headers={"User-Agent": CHROME})
    assert go.status_code == 302
    assert go.headers["location"] == "https://example.com/Spicy"
    assert await click_count(app, caller, str(link["id"])) == 1
    bio = await client.get(f"/{caller.account.username}", headers={"User-Agent": CHROME})
    assert "Sensitive content" in bio.text


async def test_continue_never_goes_anywhere_but_the_stored_url(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await make_caller(app, client)
    link = await new_link(caller, "Spicy", sensitive=True)
    evil = await client.get(
        f"/l/{link['id']}?continue=1&url=https://evil.example&next=https://evil.example",
        headers={"User-Agent": CHROME},
    )
    assert evil.headers["location"] == "https://example.com/Spicy"
    plain = await new_link(caller, "Plain")
    direct = await client.get(f"/l/{plain['id']}", headers={"User-Agent": CHROME})
    assert direct.status_code == 302  # not sensitive: no warning
    off = await caller.patch(f"/v1/links/{link['id']}", json={"sensitive": False})
    assert off.json()["sensitive"] is False
    assert (await client.get(f"/l/{link['id']}", headers={"User-Agent": CHROME})).status_code == 302
