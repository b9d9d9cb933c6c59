"""The /v1/webhooks contract: shapes, secrets shown once, validation, permissions, tiers."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Caller, make_caller, make_key
from tests.webhooks.receiver import Receiver

ENDPOINT_FIELDS = {
    "id",
    "url",
    "description",
    "eventTypes",
    "enabled",
    "disabledReason",
    "createdAt",
    "updatedAt",
}


async def create(caller: Caller, url: str, **fields: Any) -> dict[str, Any]:
    body = {"url": url, "eventTypes": ["link.created"], **fields}
    response = await caller.post("/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_create_shows_the_secret_once(pro: Caller, receiver: Receiver) -> None:
    created = await create(
        pro,
        receiver.url("/a"),
        description="CRM sync",
        eventTypes=["link.deleted", "link.created", "link.created"],
    )
    assert set(created) == ENDPOINT_FIELDS | {"secret"}
    assert created["id"].startswith("whk_")
    assert created["eventTypes"] == ["link.created", "link.deleted"]  # documented order, once
    assert created["enabled"] is True
    assert created["disabledReason"] is None
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 64

    shown = (await pro.get(f"/v1/webhooks/{created['id']}")).json()
    assert set(shown) == ENDPOINT_FIELDS
    listed = (await pro.get("/v1/webhooks")).json()
    assert listed["total"] == 1
    assert listed["webhooks"] == [shown]
    assert secret not in (await pro.get("/v1/webhooks")).text


async def test_update_and_delete(pro: Caller, receiver: Receiver) -> None:
    endpoint = await create(pro, receiver.url("/b"), description="old")
    response = await pro.patch(
        f"/v1/webhooks/{endpoint['id']}",
        json={"description": None, "eventTypes": ["profile.updated"], "enabled": False},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["description"] is None
    assert body["eventTypes"] == ["profile.updated"]
    assert body["enabled"] is False
    assert "secret" not in body

    assert (await pro.delete(f"/v1/webhooks/{endpoint['id']}")).status_code == 204
    assert (await pro.get(f"/v1/webhooks/{endpoint['id']}")).status_code == 404
    assert (await pro.delete(f"/v1/webhooks/{endpoint['id']}")).status_code == 404


async def test_rotate_returns_a_new_secret(pro: Caller, receiver: Receiver) -> None:
    endpoint = await create(pro, receiver.url("/c"))
    response = await pro.post(f"/v1/webhooks/{endpoint['id']}/rotate-secret")
    assert response.status_code == 200, response.text
    rotated = response.json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != endpoint["secret"]
    assert rotated["id"] == endpoint["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://example.com/h", "eventTypes": []}, "eventTypes"),
        ({"url": "https://example.com/h", "eventTypes": ["link.exploded"]}, "eventTypes.0"),
        ({"url": "https://example.com/h"}, "eventTypes"),
        ({"url": "ftp://example.com/h", "eventTypes": ["link.created"]}, "url"),
        ({"url": "javascript:alert(1)", "eventTypes": ["link.created"]}, "url"),
        ({"eventTypes": ["link.created"]}, "url"),
        ({"url": "https://example.com/h", "eventTypes": ["link.created"], "x": 1}, "x"),
        ({"url": "https://example.com/h", "eventTypes": ["webhook.test"]}, "eventTypes.0"),
    ],
)
async def test_invalid_bodies_are_refused(pro: Caller, body: dict[str, Any], field: str) -> None:
    response = await pro.post("/v1/webhooks", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in [d["field"] for d in response.json()["error"]["details"]]
    assert (await pro.get("/v1/webhooks")).json()["total"] == 0


async def test_patch_refuses_null_for_required_fields(pro: Caller, receiver: Receiver) -> None:
    endpoint = await create(pro, receiver.url("/d"))
    for field in ("url", "eventTypes", "enabled"):
        response = await pro.patch(f"/v1/webhooks/{endpoint['id']}", json={field: None})
        assert response.status_code == 422, field
    unchanged = (await pro.get(f"/v1/webhooks/{endpoint['id']}")).json()
    assert unchanged["eventTypes"] == ["link.created"]
    assert unchanged["enabled"] is True


# The session app keeps the default policy: https only, public addresses only.
@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("http://example.com/hook", 422, "url: must use https"),
        ("https://127.0.0.1/hook", 403, "url: 127.0.0.1 is a loopback address"),
        ("https://127.0.0.1:8443/hook", 403, "url: 127.0.0.1 is a loopback address"),
        ("https://10.1.2.3/hook", 403, "url: 10.1.2.3 is a private address"),
        ("https://192.168.0.10/hook", 403, "url: 192.168.0.10 is a private address"),
        ("https://169.254.169.254/latest", 403, "url: 169.254.169.254 is a link-local address"),
        ("https://0.0.0.0/hook", 403, "url: 0.0.0.0 is an unspecified address"),
        ("https://127.1/hook", 403, "url: 127.1 resolves to 127.0.0.1, a loopback address"),
    ],
)
async def test_private_and_plain_http_urls_are_refused(
    app: FastAPI, client: httpx.AsyncClient, url: str, status: int, message: str
) -> None:
    caller = await make_caller(app, client, tier="pro")
    response = await caller.post("/v1/webhooks", json={"url": url, "eventTypes": ["link.created"]})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"].startswith(message)
    assert (await caller.get("/v1/webhooks")).json()["total"] == 0


async def test_a_host_that_does_not_resolve_yet_is_accepted(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """DNS may be set up later: every attempt resolves and checks the address again."""
    caller = await make_caller(app, client, tier="pro")
    url = "https://hooks.not-yet.invalid/eziox"
    response = await caller.post("/v1/webhooks", json={"url": url, "eventTypes": ["link.created"]})
    assert response.status_code == 201, response.text


async def test_the_schema_publishes_https_only(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for name in ("WebhookEndpointCreate", "WebhookEndpointUpdate"):
        assert schemas[name]["properties"]["url"]["pattern"].startswith("^[Hh][Tt][Tt][Pp][Ss]://")


async def test_patching_to_a_private_url_is_refused(
    app: FastAPI, client: httpx.AsyncClient, pro: Caller, receiver: Receiver
) -> None:
    endpoint = await create(pro, receiver.url("/e"))  # allowed on the loopback-friendly app
    caller = Caller(pro.account, pro.key, client)  # the same key on the default-policy app
    response = await caller.patch(
        f"/v1/webhooks/{endpoint['id']}", json={"url": "https://10.0.0.8/x"}
    )
    assert response.status_code == 403
    assert "10.0.0.8 is a private address" in response.json()["error"]["message"]


async def test_keys_without_webhook_permissions_are_refused(
    hook_app: FastAPI, pro: Caller, receiver: Receiver
) -> None:
    endpoint = await create(pro, receiver.url("/f"))
    links_only = await make_key(hook_app, pro.account.id, "links:read,links:write")
    reader = await make_key(hook_app, pro.account.id, "webhooks:read")
    wid = endpoint["id"]
    writes = [
        ("POST", "/v1/webhooks", {"url": receiver.url("/g"), "eventTypes": ["link.created"]}),
        ("PATCH", f"/v1/webhooks/{wid}", {"enabled": False}),
        ("DELETE", f"/v1/webhooks/{wid}", None),
        ("POST", f"/v1/webhooks/{wid}/rotate-secret", None),
        ("POST", f"/v1/webhooks/{wid}/test", None),
        ("POST", f"/v1/webhooks/{wid}/deliveries/dlv_x/resend", None),
    ]
    reads = [("GET", "/v1/webhooks", None), ("GET", f"/v1/webhooks/{wid}", None)]
    reads.append(("GET", f"/v1/webhooks/{wid}/deliveries", None))
    for key, calls, permission in [
        (links_only, reads, "webhooks:read"),
        (links_only, writes, "webhooks:write"),
        (reader, writes, "webhooks:write"),
    ]:
        for method, url, body in calls:
            response = await pro.request(method, url, json=body, headers=pro.auth(key))
            assert response.status_code == 403, (method, url)
            assert permission in response.json()["error"]["message"]
    assert (await pro.get(f"/v1/webhooks/{wid}", headers=pro.auth(reader))).status_code == 200
    assert (await pro.get(f"/v1/webhooks/{wid}")).json()["enabled"] is True


async def test_other_accounts_endpoints_are_invisible(
    hook_app: FastAPI, hook_client: httpx.AsyncClient, pro: Caller, receiver: Receiver
) -> None:
    endpoint = await create(pro, receiver.url("/h"))
    other = await make_caller(hook_app, hook_client, tier="pro")
    wid = endpoint["id"]
    assert (await other.get("/v1/webhooks")).json() == {"webhooks": [], "total": 0}
    for method, url, body in [
        ("GET", f"/v1/webhooks/{wid}", None),
        ("PATCH", f"/v1/webhooks/{wid}", {"enabled": False}),
        ("DELETE", f"/v1/webhooks/{wid}", None),
        ("POST", f"/v1/webhooks/{wid}/rotate-secret", None),
        ("POST", f"/v1/webhooks/{wid}/test", None),
        ("GET", f"/v1/webhooks/{wid}/deliveries", None),
    ]:
        response = await other.request(method, url, json=body)
        assert response.status_code == 404, (method, url)
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert (await pro.get(f"/v1/webhooks/{wid}")).json()["enabled"] is True


async def test_tier_limits_the_number_of_endpoints(
    hook_app: FastAPI, hook_client: httpx.AsyncClient, receiver: Receiver
) -> None:
    free = await make_caller(hook_app, hook_client, tier="free")
    body = {"url": receiver.url("/i"), "eventTypes": ["link.created"]}
    response = await free.post("/v1/webhooks", json=body)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Webhooks are not part of the Free plan; Pro includes 3."
    )

    pro = await make_caller(hook_app, hook_client, tier="pro")
    for _ in range(3):
        assert (await pro.post("/v1/webhooks", json=body)).status_code == 201
    response = await pro.post("/v1/webhooks", json=body)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Your Pro plan includes 3 webhook endpoint(s), all in use; Creator includes 10."
    )
    assert (await pro.get("/v1/webhooks")).json()["total"] == 3
