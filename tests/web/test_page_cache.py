"""Cached pages, redirects and link lists never show a change late on the instance that made it.

Every test warms the cache first (the same request twice), then changes one thing the page,
the redirect or GET /v1/links shows, then asks again: the very next answer must show it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI

from eziox.accounts.follows import follow
from eziox.accounts.service import delete_account, set_tier
from tests.factories import Caller, make_caller, make_key, state_of
from tests.web.visits import CHROME, add_link, browse, events_stored

Change = Callable[[FastAPI, Caller], Awaitable[None]]


async def page_text(caller: Caller) -> str:
    response = await browse(caller.http, f"/{caller.account.username}", CHROME)
    assert response.status_code == 200, response.text
    return response.text


async def warm(caller: Caller) -> str:
    first = await page_text(caller)
    assert await page_text(caller) == first  # the second answer comes from the cache
    return first


async def ok(response: httpx.Response) -> httpx.Response:
    assert response.status_code < 300, response.text
    return response


async def rename(app: FastAPI, caller: Caller) -> None:
    await ok(await caller.patch("/v1/profile", json={"name": "Renamed Person"}))


async def new_link(app: FastAPI, caller: Caller) -> None:
    await add_link(caller, "A brand new link")


async def retitle_link(app: FastAPI, caller: Caller) -> None:
    link = (await caller.get("/v1/links")).json()["links"][0]["id"]
    await ok(await caller.patch(f"/v1/links/{link}", json={"title": "A brand new link"}))


async def group_links(app: FastAPI, caller: Caller) -> None:
    group = (await ok(await caller.post("/v1/groups", json={"title": "A brand new link"}))).json()
    link = (await caller.get("/v1/links")).json()["links"][0]["id"]
    await ok(await caller.patch(f"/v1/links/{link}", json={"groupId": group["id"]}))


async def add_social(app: FastAPI, caller: Caller) -> None:
    socials = [{"platform": "github", "value": "a-brand-new-link"}]
    await ok(await caller.patch("/v1/profile", json={"socials": socials}))


async def apply_template(app: FastAPI, caller: Caller) -> None:
    await ok(await caller.post("/v1/templates/paper/apply"))


async def followed(app: FastAPI, caller: Caller) -> None:
    fan = await make_caller(app, caller.http)
    async with state_of(app).db.transaction() as session:
        assert await follow(session, fan.account.id, caller.account.username)


CHANGES: dict[str, tuple[Change, Callable[[str], bool]]] = {
    "profile": (rename, lambda html: "Renamed Person" in html),
    "new link": (new_link, lambda html: "A brand new link" in html),
    "link title": (retitle_link, lambda html: "A brand new link" in html),
    "group": (group_links, lambda html: "A brand new link" in html),
    "socials": (add_social, lambda html: "github.com/a-brand-new-link" in html),
    "template": (apply_template, lambda html: True),  # compared with the page before
    "follows": (followed, lambda html: "1 follower<" in html),
}


@pytest.mark.parametrize("kind", list(CHANGES))
async def test_the_next_page_view_shows_each_kind_of_change(
    app: FastAPI, caller: Caller, kind: str
) -> None:
    await add_link(caller, "First link")
    before = await warm(caller)
    change, shows = CHANGES[kind]
    await change(app, caller)
    after = await page_text(caller)
    assert after != before
    assert shows(after), after


async def test_a_tier_change_shows_at_once(app: FastAPI, client: httpx.AsyncClient) -> None:
    """Design overrides apply on paid tiers only: a downgrade changes the page's style."""
    pro = await make_caller(app, client, tier="pro")
    design = {"colors": {"accent": "#c0ffee", "accentText": "#000000"}}
    await ok(await pro.patch("/v1/profile", json={"design": design}))
    assert "#c0ffee" in await warm(pro)
    async with state_of(app).db.transaction() as session:
        await set_tier(session, pro.account.username, "free")
    assert "#c0ffee" not in await page_text(pro)


async def test_unchanged_pages_are_served_from_the_cache_and_still_counted(
    app: FastAPI, caller: Caller
) -> None:
    await warm(caller)
    before = await events_stored(app, caller.account.id)
    for _ in range(3):
        await page_text(caller)
    assert await events_stored(app, caller.account.id) == before + 3


async def test_redirect_follows_a_changed_url_and_stops_with_the_link(caller: Caller) -> None:
    link = await add_link(caller, "Moving", "https://example.com/old")
    for _ in range(2):
        response = await browse(caller.http, f"/l/{link}", CHROME)
        assert response.headers["location"] == "https://example.com/old"
    await ok(await caller.patch(f"/v1/links/{link}", json={"url": "https://example.com/new"}))
    response = await browse(caller.http, f"/l/{link}", CHROME)
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/new"
    await ok(await caller.patch(f"/v1/links/{link}", json={"isActive": False}))
    assert (await browse(caller.http, f"/l/{link}", CHROME)).status_code == 404
    await ok(await caller.patch(f"/v1/links/{link}", json={"isActive": True}))
    assert (await browse(caller.http, f"/l/{link}", CHROME)).status_code == 302
    await ok(await caller.delete(f"/v1/links/{link}"))
    assert (await browse(caller.http, f"/l/{link}", CHROME)).status_code == 404


async def test_a_deleted_account_page_is_gone_at_once(app: FastAPI, caller: Caller) -> None:
    await warm(caller)
    async with state_of(app).db.transaction() as session:
        await delete_account(session, caller.account.id)
    response = await browse(caller.http, f"/{caller.account.username}", CHROME)
    assert response.status_code == 404


async def links_of(caller: Caller, key: str | None = None) -> httpx.Response:
    response = await caller.get("/v1/links", headers=caller.auth(key))
    assert response.status_code == 200, response.text
    return response


async def test_link_list_shows_a_click_and_a_change_at_once(app: FastAPI, caller: Caller) -> None:
    link = await add_link(caller, "Counted")
    first = await links_of(caller)
    assert (await links_of(caller)).content == first.content  # replayed
    assert first.json()["links"][0]["clicks"] == 0
    assert (await browse(caller.http, f"/l/{link}", CHROME)).status_code == 302
    assert (await links_of(caller)).json()["links"][0]["clicks"] == 1
    await ok(await caller.patch(f"/v1/links/{link}", json={"title": "Changed"}))
    assert (await links_of(caller)).json()["links"][0]["title"] == "Changed"


async def test_replayed_lists_are_counted_and_checked_like_any_answer(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await make_caller(app, client)
    await add_link(caller, "Listed")
    remaining = [int((await links_of(caller)).headers["x-ratelimit-remaining"]) for _ in range(3)]
    assert remaining == [remaining[0], remaining[0] - 1, remaining[0] - 2]
    no_links = await make_key(app, caller.account.id, "profile:read")
    refused = await caller.get("/v1/links", headers=caller.auth(no_links))
    assert refused.status_code == 403
    assert "links:read" in refused.json()["error"]["message"]


async def test_bad_queries_are_never_replayed(caller: Caller) -> None:
    for _ in range(2):
        response = await caller.get("/v1/links?limit=0")
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
