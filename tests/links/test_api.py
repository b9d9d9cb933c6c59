"""The /v1/links contract: shapes, validation, pagination, ordering, tenant isolation."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Caller, make_caller

LINK_FIELDS = {
    "id",
    "title",
    "url",
    "description",
    "thumbnail",
    "clicks",
    "isActive",
    "order",
    "groupId",
    "startsAt",
    "endsAt",
    "status",
    "sensitive",
    "createdAt",
    "updatedAt",
}


async def add(caller: Caller, title: str, **fields: object) -> dict[str, object]:
    response = await caller.post(
        "/v1/links", json={"title": title, "url": "https://example.com/" + title, **fields}
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def titles(caller: Caller) -> list[tuple[str, int]]:
    body = (await caller.get("/v1/links", params={"limit": 100})).json()
    return [(link["title"], link["order"]) for link in body["links"]]


async def test_create_returns_the_full_link(caller: Caller) -> None:
    link = await add(caller, "Site", description="About me", thumbnail="https://cdn.example/t.png")
    assert set(link) == LINK_FIELDS
    assert link["id"].startswith("lnk_")  # type: ignore[union-attr]
    assert link["isActive"] is True
    assert link["order"] == 0
    assert link["clicks"] == 0
    assert link["description"] == "About me"
    assert str(link["createdAt"]).endswith("Z")
    fetched = await caller.get(f"/v1/links/{link['id']}")
    assert fetched.json() == link


async def test_links_are_appended_in_order(caller: Caller) -> None:
    for name in "abc":
        await add(caller, name)
    assert await titles(caller) == [("a", 0), ("b", 1), ("c", 2)]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://example.com/path?q=1#frag",
        "https://sub.example.co.uk:8443/x",
        "mailto:hello@example.com",
        "tel:+1-555-0100",
        "https://xn--bcher-kva.example/",
        "HTTPS://Example.COM/Path_(x)?a=1&b=%20#top",
        "https://medium.com/@someone/post-1",
        "https://192.0.2.1:65535/",
        "mailto:first.last+tag@sub.example.org?subject=Hi",
        "tel:+1.555.0100",
    ],
)
async def test_accepted_urls(caller: Caller, url: str) -> None:
    response = await caller.post("/v1/links", json={"title": "ok", "url": url})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "ftp://example.com",
        "//example.com/path",
        "/relative",
        "example.com",
        "https://",
        "https://exa mple.com",
        "https://user:pass@example.com",
        "https://example.com@evil.example",
        "https://localhost",
        "https://example.com:99999",
        "https://example.com/\x00",
        "mailto:nobody",
        "tel:abc",
        "https://example.com/" + "a" * 2040,
        "",
        " https://example.com",
        "https://bücher.example/",
        "https://[2001:db8::1]/",
        "https://-bad.example",
        "https://example.com:0",
        "https://example.com/a b",
        'https://example.com/"quoted"',
        "tel:12",
        "mailto:a@b",
    ],
)
async def test_refused_urls(caller: Caller, url: str) -> None:
    response = await caller.post("/v1/links", json={"title": "bad", "url": url})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert any(d["field"] == "url" for d in error["details"])
    assert (await caller.get("/v1/links")).json()["total"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://example.com"}, "title"),
        ({"title": "", "url": "https://example.com"}, "title"),
        ({"title": "   ", "url": "https://example.com"}, "title"),
        ({"title": " padded ", "url": "https://example.com"}, "title"),
        ({"title": "x" * 101, "url": "https://example.com"}, "title"),
        ({"title": "ok"}, "url"),
        ({"title": "ok", "url": "https://example.com", "description": "d" * 301}, "description"),
        ({"title": "ok", "url": "https://example.com", "thumbnail": "mailto:a@b.co"}, "thumbnail"),
        ({"title": "ok", "url": "https://example.com", "isActive": "maybe"}, "isActive"),
        ({"title": "ok", "url": "https://example.com", "clicks": 99}, "clicks"),
        ({"title": "ok", "url": "https://example.com", "order": 3}, "order"),
        ({"title": 5, "url": "https://example.com"}, "title"),
    ],
)
async def test_create_validation(caller: Caller, body: dict[str, object], field: str) -> None:
    response = await caller.post("/v1/links", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in [d["field"] for d in error["details"]]
    assert field in error["message"]
    assert (await caller.get("/v1/links")).json()["total"] == 0


async def test_unknown_fields_are_named(caller: Caller) -> None:
    response = await caller.post(
        "/v1/links", json={"title": "x", "url": "https://example.com", "colour": "red", "pin": 1}
    )
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "colour" in message
    assert "pin" in message


async def test_malformed_json_and_wrong_media_type(caller: Caller) -> None:
    bad_json = await caller.post(
        "/v1/links", content=b'{"title": "x",', headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 422
    assert bad_json.json()["error"]["code"] == "VALIDATION_ERROR"
    not_json = await caller.http.post(
        "/v1/links",
        content=b"title=x&url=https://example.com",
        headers={**caller.auth(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert not_json.status_code == 415
    assert not_json.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    not_object = await caller.post("/v1/links", json=["title", "url"])
    assert not_object.status_code == 422
    assert (await caller.get("/v1/links")).json()["total"] == 0


async def test_oversized_body(caller: Caller) -> None:
    huge = {"title": "x", "url": "https://example.com", "description": "d" * 2_000_000}
    response = await caller.post("/v1/links", json=huge)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_oversized_chunked_body(caller: Caller) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"title": "x", "url": "https://example.com", "description": "'
        for _ in range(40):
            yield b"d" * 65536
        yield b'"}'

    response = await caller.http.post(
        "/v1/links", content=chunks(), headers={**caller.auth(), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_pagination_and_total(caller: Caller) -> None:
    for i in range(7):
        await add(caller, f"l{i}", isActive=i % 2 == 0)
    page = (await caller.get("/v1/links", params={"limit": 3, "offset": 2})).json()
    assert [link["title"] for link in page["links"]] == ["l2", "l3", "l4"]
    assert page["total"] == 7
    tail = (await caller.get("/v1/links", params={"limit": 3, "offset": 6})).json()
    assert [link["title"] for link in tail["links"]] == ["l6"]
    assert tail["total"] == 7
    beyond = (await caller.get("/v1/links", params={"offset": 50})).json()
    assert beyond == {"links": [], "total": 7}
    active = (await caller.get("/v1/links", params={"active": "true", "limit": 2})).json()
    assert [link["title"] for link in active["links"]] == ["l0", "l2"]
    assert active["total"] == 4
    inactive = (await caller.get("/v1/links", params={"active": "false"})).json()
    assert [link["title"] for link in inactive["links"]] == ["l1", "l3", "l5"]
    assert inactive["total"] == 3


async def test_default_page_size_is_50(caller: Caller) -> None:
    for i in range(52):
        await add(caller, f"n{i}")
    body = (await caller.get("/v1/links")).json()
    assert len(body["links"]) == 50
    assert body["total"] == 52


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": -1},
        {"limit": "ten"},
        {"offset": -1},
        {"active": "perhaps"},
    ],
)
async def test_pagination_bounds(caller: Caller, params: dict[str, object]) -> None:
    response = await caller.get("/v1/links", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == next(iter(params))


async def test_limit_bounds_inclusive(caller: Caller) -> None:
    assert (await caller.get("/v1/links", params={"limit": 1})).status_code == 200
    assert (await caller.get("/v1/links", params={"limit": 100})).status_code == 200


async def test_update_fields(caller: Caller) -> None:
    link = await add(caller, "old", description="desc", thumbnail="https://cdn.example/a.png")
    response = await caller.patch(
        f"/v1/links/{link['id']}",
        json={"title": "new", "isActive": False, "description": None, "thumbnail": None},
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["title"] == "new"
    assert updated["isActive"] is False
    assert updated["description"] is None
    assert updated["thumbnail"] is None
    assert updated["url"] == link["url"]
    assert updated["createdAt"] == link["createdAt"]


@pytest.mark.parametrize(
    "body",
    [
        {"title": None},
        {"url": None},
        {"isActive": None},
        {"order": None},
        {"url": "javascript:x"},
        {"order": -1},
        {"title": ""},
        {"id": "lnk_x"},
    ],
)
async def test_update_validation_changes_nothing(caller: Caller, body: dict[str, object]) -> None:
    link = await add(caller, "keep")
    response = await caller.patch(f"/v1/links/{link['id']}", json=body)
    assert response.status_code == 422, response.text
    assert (await caller.get(f"/v1/links/{link['id']}")).json() == link


async def test_move_renumbers(caller: Caller) -> None:
    ids = [str((await add(caller, name))["id"]) for name in "abcde"]
    moved = await caller.patch(f"/v1/links/{ids[0]}", json={"order": 3})
    assert moved.json()["order"] == 3
    assert await titles(caller) == [("b", 0), ("c", 1), ("d", 2), ("a", 3), ("e", 4)]
    await caller.patch(f"/v1/links/{ids[4]}", json={"order": 0})
    assert await titles(caller) == [("e", 0), ("b", 1), ("c", 2), ("d", 3), ("a", 4)]
    await caller.patch(f"/v1/links/{ids[2]}", json={"order": 2})
    assert await titles(caller) == [("e", 0), ("b", 1), ("c", 2), ("d", 3), ("a", 4)]


async def test_move_beyond_the_end_goes_last(caller: Caller) -> None:
    ids = [str((await add(caller, name))["id"]) for name in "abc"]
    response = await caller.patch(f"/v1/links/{ids[0]}", json={"order": 99})
    assert response.status_code == 200
    assert response.json()["order"] == 2
    assert await titles(caller) == [("b", 0), ("c", 1), ("a", 2)]


@pytest.mark.parametrize("body", [{"order": True}, {"isActive": 1}, {"title": 5}, {"order": "1"}])
async def test_types_are_strict(caller: Caller, body: dict[str, object]) -> None:
    link = await add(caller, "strict")
    response = await caller.patch(f"/v1/links/{link['id']}", json=body)
    assert response.status_code == 422
    assert (await caller.get(f"/v1/links/{link['id']}")).json() == link


async def test_delete_renumbers(caller: Caller) -> None:
    ids = [str((await add(caller, name))["id"]) for name in "abcd"]
    response = await caller.delete(f"/v1/links/{ids[1]}")
    assert response.status_code == 204
    assert response.content == b""
    assert await titles(caller) == [("a", 0), ("c", 1), ("d", 2)]
    assert (await caller.get(f"/v1/links/{ids[1]}")).status_code == 404
    assert (await caller.delete(f"/v1/links/{ids[1]}")).status_code == 404
    await add(caller, "e")
    assert await titles(caller) == [("a", 0), ("c", 1), ("d", 2), ("e", 3)]


async def test_concurrent_creates_keep_orders_dense(caller: Caller) -> None:
    import asyncio

    await asyncio.gather(*(add(caller, f"c{i}") for i in range(12)))
    orders = sorted(order for _, order in await titles(caller))
    assert orders == list(range(12))


@pytest.mark.parametrize(
    ("method", "body"), [("GET", None), ("PATCH", {"title": "mine now"}), ("DELETE", None)]
)
async def test_another_accounts_link_is_not_found(
    app: FastAPI, client: httpx.AsyncClient, method: str, body: dict[str, object] | None
) -> None:
    owner = await make_caller(app, client)
    intruder = await make_caller(app, client)
    link = await add(owner, "private")
    response = await client.request(
        method, f"/v1/links/{link['id']}", headers=intruder.auth(), json=body
    )
    missing = await client.request(
        method, "/v1/links/lnk_doesnotexist00000000", headers=intruder.auth(), json=body
    )
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
    assert (await owner.get(f"/v1/links/{link['id']}")).json() == link
    assert (await intruder.get("/v1/links")).json()["total"] == 0
