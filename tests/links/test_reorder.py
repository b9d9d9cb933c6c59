"""PUT /v1/links/order and PUT /v1/groups/order: a whole new order in one call."""

from __future__ import annotations

import httpx
import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from eziox.models import WebhookEvent
from tests.factories import Caller, make_caller, make_key, state_of
from tests.groups.factories import new_group
from tests.links.factories import new_link
from tests.web.visits import CHROME, browse

pytestmark = pytest.mark.usefixtures("one_hash_for_the_shared_password")


async def order_of(caller: Caller) -> list[str]:
    return [str(link["title"]) for link in (await caller.get("/v1/links")).json()["links"]]


async def test_reorder_sets_the_whole_order_and_the_page_shows_it(
    client: httpx.AsyncClient, caller: Caller
) -> None:
    a, b, c = [await new_link(caller, title) for title in ("Alpha", "Bravo", "Charlie")]
    page = await browse(client, f"/{caller.account.username}", CHROME)
    assert page.text.index("Alpha") < page.text.index("Charlie")  # cached now
    answer = await caller.request(
        "PUT", "/v1/links/order", json={"ids": [c["id"], a["id"], b["id"]]}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == 3
    assert [(link["title"], link["order"]) for link in body["links"]] == [
        ("Charlie", 0),
        ("Alpha", 1),
        ("Bravo", 2),
    ]
    assert body == (await caller.get("/v1/links")).json()  # the same shape as GET /v1/links
    page = await browse(client, f"/{caller.account.username}", CHROME)
    assert page.text.index("Charlie") < page.text.index("Alpha") < page.text.index("Bravo")


@pytest.mark.parametrize(
    ("ids", "named"),
    [
        (lambda a, b, c: [a, b], ["missing"]),
        (lambda a, b, c: [a, b, c, "lnk_nope"], ["unknown"]),
        (lambda a, b, c: [a, b, c, a], ["repeated"]),
        (lambda a, b, c: [a, a, c], ["repeated", "missing"]),
    ],
)
async def test_a_wrong_set_of_ids_is_refused_and_changes_nothing(
    caller: Caller, ids: object, named: list[str]
) -> None:
    made = [str((await new_link(caller, title))["id"]) for title in ("A", "B", "C")]
    before = (await caller.get("/v1/links")).json()
    sent = ids(*reversed(made))  # type: ignore[operator]
    answer = await caller.request("PUT", "/v1/links/order", json={"ids": sent})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    messages = " ".join(detail["message"] for detail in error["details"])
    for word in named:
        assert word in messages
    assert all(detail["field"] == "ids" for detail in error["details"])
    assert (await caller.get("/v1/links")).json() == before


async def test_another_account_s_ids_are_unknown(
    app: FastAPI, client: httpx.AsyncClient, caller: Caller
) -> None:
    mine = await new_link(caller, "Mine")
    other = await make_caller(app, client)
    theirs = await new_link(other, "Theirs")
    answer = await caller.request(
        "PUT", "/v1/links/order", json={"ids": [mine["id"], theirs["id"]]}
    )
    assert answer.status_code == 422
    assert f"{theirs['id']}: unknown" in answer.text
    assert await order_of(other) == ["Theirs"]


async def test_reorder_needs_links_write_and_keeps_405_on_a_link(
    app: FastAPI, client: httpx.AsyncClient, caller: Caller
) -> None:
    link = await new_link(caller, "One")
    reader = await make_key(app, caller.account.id, "links:read")
    refused = await caller.request(
        "PUT", "/v1/links/order", json={"ids": [link["id"]]}, headers=caller.auth(reader)
    )
    assert refused.status_code == 403
    assert "links:write" in refused.json()["error"]["message"]
    put_link = await caller.request("PUT", f"/v1/links/{link['id']}", json={})
    assert put_link.status_code == 405
    assert set(put_link.headers["allow"].replace(" ", "").split(",")) == {"GET", "PATCH", "DELETE"}
    assert (await caller.get("/v1/links/order")).status_code == 404  # just an unknown id


async def test_empty_order_for_an_account_without_links(caller: Caller) -> None:
    answer = await caller.request("PUT", "/v1/links/order", json={"ids": []})
    assert answer.status_code == 200
    assert answer.json() == {"links": [], "total": 0}


async def test_groups_reorder(app: FastAPI, client: httpx.AsyncClient, caller: Caller) -> None:
    first, second = await new_group(caller, "First"), await new_group(caller, "Second")
    await new_link(caller, "LinkOne", groupId=first["id"])
    await new_link(caller, "LinkTwo", groupId=second["id"])
    page = await browse(client, f"/{caller.account.username}", CHROME)
    assert page.text.index("First") < page.text.index("Second")  # cached now
    answer = await caller.request(
        "PUT", "/v1/groups/order", json={"ids": [second["id"], first["id"]]}
    )
    assert answer.status_code == 200, answer.text
    assert [(g["title"], g["order"]) for g in answer.json()["groups"]] == [
        ("Second", 0),
        ("First", 1),
    ]
    assert answer.json() == (await caller.get("/v1/groups")).json()
    page = await browse(client, f"/{caller.account.username}", CHROME)
    assert page.text.index("Second") < page.text.index("First")  # read after write
    wrong = await caller.request("PUT", "/v1/groups/order", json={"ids": [first["id"]]})
    assert wrong.status_code == 422
    assert f"{second['id']}: missing" in wrong.text
    other = await make_caller(app, client)
    theirs = await new_group(other, "Theirs")
    foreign = await caller.request(
        "PUT", "/v1/groups/order", json={"ids": [second["id"], first["id"], theirs["id"]]}
    )
    assert foreign.status_code == 422
    assert f"{theirs['id']}: unknown" in foreign.text
    assert [g["title"] for g in (await caller.get("/v1/groups")).json()["groups"]] == [
        "Second",
        "First",
    ]


async def test_options_on_the_order_resource_allows_only_put(caller: Caller) -> None:
    answer = await caller.request("OPTIONS", "/v1/links/order")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "PUT"


async def test_reorder_emits_link_updated_for_each_moved_link(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await make_caller(app, client, tier="pro")
    made = await caller.post(
        "/v1/webhooks", json={"url": "https://example.com/hook", "eventTypes": ["link.updated"]}
    )
    assert made.status_code == 201, made.text
    a, b, c = [await new_link(caller, title) for title in ("A", "B", "C")]
    answer = await caller.request(
        "PUT", "/v1/links/order", json={"ids": [b["id"], a["id"], c["id"]]}
    )
    assert answer.status_code == 200
    async with state_of(app).db.session() as session:
        query = select(WebhookEvent).where(WebhookEvent.account_id == caller.account.id)
        events = (await session.execute(query)).scalars().all()
    updated = [orjson.loads(e.payload)["data"] for e in events if e.type == "link.updated"]
    moved = sorted(data["id"] for data in updated)
    assert moved == sorted([a["id"], b["id"]])  # C stayed in place
