"""Each /v1 route refuses a key without its permission (403 naming it) and allows it with."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from eziox.auth.scopes import Permission
from tests.factories import make_account, make_key

ROUTES = [
    ("GET", "/v1/profile", None, Permission.PROFILE_READ),
    ("PATCH", "/v1/profile", {"bio": "hi"}, Permission.PROFILE_WRITE),
    ("GET", "/v1/links", None, Permission.LINKS_READ),
    ("POST", "/v1/links", {"title": "t", "url": "https://example.com"}, Permission.LINKS_WRITE),
    ("GET", "/v1/links/{link}", None, Permission.LINKS_READ),
    ("PATCH", "/v1/links/{link}", {"title": "new"}, Permission.LINKS_WRITE),
    ("DELETE", "/v1/links/{link}", None, Permission.LINKS_DELETE),
]


@pytest.mark.parametrize(("method", "path", "body", "needed"), ROUTES)
async def test_route_needs_its_permission(
    app: FastAPI,
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: dict[str, object] | None,
    needed: Permission,
) -> None:
    account = await make_account(app, tier="creator")  # room for three keys
    full = {"Authorization": f"Bearer {await make_key(app, account.id)}"}
    created = await client.post(
        "/v1/links", headers=full, json={"title": "x", "url": "https://example.com"}
    )
    url = path.format(link=created.json()["id"])
    others = ",".join(p.value for p in Permission if p != needed)
    lacking = {"Authorization": f"Bearer {await make_key(app, account.id, others)}"}

    refused = await client.request(method, url, headers=lacking, json=body)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "FORBIDDEN"
    assert needed.value in refused.json()["error"]["message"]
    assert refused.headers["x-ratelimit-limit"] == "10000"

    only = {"Authorization": f"Bearer {await make_key(app, account.id, needed.value)}"}
    allowed = await client.request(method, url, headers=only, json=body)
    assert allowed.status_code < 300, allowed.text


async def test_refused_write_changes_nothing(app: FastAPI, client: httpx.AsyncClient) -> None:
    account = await make_account(app)
    reader = {"Authorization": f"Bearer {await make_key(app, account.id, 'links:read')}"}
    refused = await client.post(
        "/v1/links", headers=reader, json={"title": "x", "url": "https://example.com"}
    )
    assert refused.status_code == 403
    assert (await client.get("/v1/links", headers=reader)).json()["total"] == 0
