"""GET /l/{linkId}: a 302 to the stored URL that counts one click, and nothing else."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from eziox.analytics.rollup import roll_up_all
from tests.factories import Caller, make_caller, state_of
from tests.web.visits import (
    BOTS,
    CHROME,
    GOOGLEBOT,
    IPHONE,
    Counts,
    Page,
    add_link,
    assert_not_found_page,
    browse,
    counts,
    events_stored,
    link_clicks,
)

# Valid link URLs whose exact spelling must survive the redirect.
STORED_URLS = [
    "https://example.com/Path_(x)?a=1&b=%20&c=[1]&d=~x;y#top",
    "HTTP://Example.COM:8443/Mixed/Case",
    "https://xn--bcher-kva.example/",
    "https://medium.com/@someone/post-1",
    "mailto:first.last+tag@sub.example.org?subject=Hi",
    "tel:+1-555-0100",
]
EVIL = "https://evil.example/"
VISITOR = ("203.0.113.7", 40000)  # the `client` fixture's address: the same visitor


async def visit(
    app: FastAPI, path: str, agent: str | None = CHROME, **headers: str
) -> httpx.Response:
    """A GET straight through the ASGI transport: httpx's client raises on a 302 to mailto: or
    tel: (it always prepares the follow-up request), and a browser hands those to an app."""
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    if agent is not None:
        sent["User-Agent"] = agent
    transport = httpx.ASGITransport(app=app, client=VISITOR)
    request = httpx.Request("GET", f"http://testserver{path}", headers=sent)
    response = await transport.handle_async_request(request)
    await response.aread()
    return response


async def click(
    app: FastAPI, link_id: str, agent: str | None = CHROME, **headers: str
) -> httpx.Response:
    return await visit(app, f"/l/{link_id}", agent, **headers)


def assert_redirect(response: httpx.Response, url: str) -> None:
    assert response.status_code == 302, response.text
    assert response.headers["location"] == url
    assert response.headers["cache-control"] == "no-store"
    assert response.content == b""


async def links_breakdown(app: FastAPI, caller: Caller) -> dict[str, Any]:
    """GET /v1/analytics/links, identical before and after roll-up."""
    before = await caller.get("/v1/analytics/links", params={"period": "7d"})
    assert before.status_code == 200, before.text
    await roll_up_all(state_of(app).db)
    after = await caller.get("/v1/analytics/links", params={"period": "7d"})
    assert after.json() == before.json()
    body: dict[str, Any] = after.json()
    return body


async def test_redirects_to_exactly_the_stored_url(app: FastAPI, caller: Caller) -> None:
    ids = [await add_link(caller, f"Link {n}", url) for n, url in enumerate(STORED_URLS)]
    for link_id, url in zip(ids, STORED_URLS, strict=True):
        assert (await caller.get(f"/v1/links/{link_id}")).json()["url"] == url
        assert_redirect(await click(app, link_id), url)
    for link_id in ids:
        assert await link_clicks(app, caller, link_id) == 1
    assert await counts(app, caller) == Counts(views=0, clicks=len(ids), uniques=1)


async def test_every_report_of_a_links_clicks_agrees(
    app: FastAPI, caller: Caller, client: httpx.AsyncClient
) -> None:
    clicked = await add_link(caller, "Clicked", "https://clicked.example/")
    other = await add_link(caller, "Other", "https://other.example/")
    assert await link_clicks(app, caller, clicked) == 0
    for number, agent in enumerate((CHROME, IPHONE, CHROME), start=1):
        assert_redirect(await click(app, clicked, agent), "https://clicked.example/")
        assert await link_clicks(app, caller, clicked) == number  # counted at once, no lag
    assert await link_clicks(app, caller, other) == 0
    # A click is not a page view; the visitor behind it is a visitor.
    assert await counts(app, caller) == Counts(views=0, clicks=3, uniques=2)

    # A view then a click from the bio page: one of each.
    page = Page((await browse(client, f"/{caller.account.username}")).text)
    hrefs = [str(href) for href, _ in page.bio_links()]
    assert hrefs == [f"/l/{clicked}", f"/l/{other}"]
    referer = f"{state_of(app).settings.public_url}/{caller.account.username}"
    assert_redirect(await visit(app, hrefs[1], referer=referer), "https://other.example/")
    assert await link_clicks(app, caller, other) == 1
    assert await counts(app, caller) == Counts(views=1, clicks=4, uniques=2)
    body = (await caller.get("/v1/analytics", params={"period": "7d"})).json()
    assert body["summary"]["clickRate"] == 4.0


async def test_links_breakdown_lists_clicked_links_with_titles_and_shares(
    app: FastAPI, caller: Caller
) -> None:
    first = await add_link(caller, "First")
    second = await add_link(caller, "Second")
    await add_link(caller, "Never clicked")
    for agent in (CHROME, IPHONE):
        await click(app, first, agent)
    await click(app, second)
    await click(app, second, GOOGLEBOT)  # not counted
    body = await links_breakdown(app, caller)
    assert body["total"] == 3
    assert body["items"] == [
        {"value": first, "title": "First", "clicks": 2, "share": 0.6667},
        {"value": second, "title": "Second", "clicks": 1, "share": 0.3333},
    ]
    shares = [item["share"] for item in body["items"]]
    assert sum(shares) == pytest.approx(1.0, abs=0.001)

    # Titles are the links' current ones.
    assert (await caller.patch(f"/v1/links/{second}", json={"title": "Renamed"})).is_success
    items = (await links_breakdown(app, caller))["items"]
    assert [item["title"] for item in items] == ["First", "Renamed"]


async def test_inactive_link_is_a_404_page_until_reactivated(app: FastAPI, caller: Caller) -> None:
    link = await add_link(caller, "Paused", "https://paused.example/")
    assert (await caller.patch(f"/v1/links/{link}", json={"isActive": False})).is_success
    for agent in (CHROME, IPHONE):
        response = await click(app, link, agent)
        page = assert_not_found_page(response)
        assert "location" not in response.headers
        assert "no longer active" in page.one("p", "bio-text").words
        assert "paused.example" not in response.text
    assert await events_stored(app, caller.account.id) == 0
    assert await link_clicks(app, caller, link) == 0
    assert await counts(app, caller) == Counts(0, 0, 0)

    assert (await caller.patch(f"/v1/links/{link}", json={"isActive": True})).is_success
    assert_redirect(await click(app, link), "https://paused.example/")
    assert await link_clicks(app, caller, link) == 1


async def test_deleted_and_unknown_links_are_a_404_page(app: FastAPI, caller: Caller) -> None:
    link = await add_link(caller, "Gone", "https://gone.example/")
    assert_redirect(await click(app, link), "https://gone.example/")
    assert (await caller.delete(f"/v1/links/{link}")).status_code == 204
    stored = await events_stored(app)
    for link_id in (link, "lnk_doesnotexist000000", "nope", link.upper(), link + "x"):
        response = await click(app, link_id)
        assert_not_found_page(response)
        assert "location" not in response.headers
    assert await events_stored(app) == stored
    assert await counts(app, caller) == Counts(views=0, clicks=1, uniques=1)


async def test_nothing_in_the_request_changes_where_it_goes(app: FastAPI, caller: Caller) -> None:
    link = await add_link(caller, "Safe", "https://safe.example/page")
    tricks = [
        f"/l/{link}?url={EVIL}",
        f"/l/{link}?next={EVIL}&redirect={EVIL}&to=//evil.example&location={EVIL}",
        f"/l/{link}?url=javascript:alert(1)",
    ]
    for path in tricks:
        response = await visit(app, path, referer=EVIL)
        assert_redirect(response, "https://safe.example/page")
    spoofed = await click(app, link, host="evil.example", x_forwarded_host="evil.example")
    assert_redirect(spoofed, "https://safe.example/page")


@pytest.mark.parametrize(
    "path",
    [
        "/l/https://evil.example",
        "/l/https:%2F%2Fevil.example",
        "/l/%2F%2Fevil.example",
        "/l//evil.example",
        "/l/evil.example",
        "/l/..%2Fadmin",
        "/l/%0d%0aLocation:%20https:%2F%2Fevil.example",
    ],
)
async def test_urls_in_the_path_never_redirect(app: FastAPI, path: str) -> None:
    response = await visit(app, path)
    assert response.status_code == 404, (response.status_code, response.headers)
    assert "location" not in response.headers
    assert "evil.example" not in response.headers.get("content-location", "")


async def test_a_link_id_under_the_link_path_does_not_redirect(
    app: FastAPI, caller: Caller
) -> None:
    link = await add_link(caller, "Safe", "https://safe.example/")
    for path in (f"/l/{link}/{EVIL}", f"/l/{link}/evil.example", f"/l/{link}%2F%2Fevil.example"):
        response = await visit(app, path)
        assert response.status_code == 404, path
        assert "location" not in response.headers


async def test_bots_are_redirected_but_not_counted(app: FastAPI, caller: Caller) -> None:
    link = await add_link(caller, "Site", "https://site.example/")
    for agent in [*BOTS, *BOTS]:
        assert_redirect(await click(app, link, agent), "https://site.example/")
    assert await link_clicks(app, caller, link) == 0
    assert await counts(app, caller) == Counts(0, 0, 0)
    assert (await links_breakdown(app, caller))["items"] == []


async def test_clicks_stay_with_the_links_account(app: FastAPI, caller: Caller) -> None:
    other = await make_caller(app, caller.http)
    mine = await add_link(caller, "Mine", "https://mine.example/")
    theirs = await add_link(other, "Theirs", "https://theirs.example/")
    for _ in range(2):
        assert_redirect(await click(app, mine), "https://mine.example/")
    assert_redirect(await click(app, theirs, IPHONE), "https://theirs.example/")
    assert await link_clicks(app, caller, mine) == 2
    assert await link_clicks(app, other, theirs) == 1
    assert await counts(app, caller) == Counts(views=0, clicks=2, uniques=1)
    assert await counts(app, other) == Counts(views=0, clicks=1, uniques=1)
    mine_items = (await links_breakdown(app, caller))["items"]
    assert [item["value"] for item in mine_items] == [mine]
    # Neither account can read the other's link or its analytics.
    for path in (f"/v1/links/{theirs}", f"/v1/analytics/links/{theirs}"):
        response = await caller.get(path)
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "NOT_FOUND"
