"""Small helpers for the webhook tests."""

from __future__ import annotations

from typing import Any

from tests.factories import Caller
from tests.webhooks.receiver import Receiver


async def endpoint(
    caller: Caller, receiver: Receiver, path: str, *types: str, **fields: Any
) -> dict[str, Any]:
    """Create an endpoint on ``path`` of the receiver; its JSON, with the secret."""
    body = {"url": receiver.url(path), "eventTypes": list(types) or ["link.created"], **fields}
    response = await caller.post("/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def add_link(caller: Caller, title: str = "Site") -> dict[str, Any]:
    body = {"title": title, "url": f"https://example.com/{title}"}
    response = await caller.post("/v1/links", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def deliveries(caller: Caller, endpoint_id: str) -> list[dict[str, Any]]:
    response = await caller.get(f"/v1/webhooks/{endpoint_id}/deliveries", params={"limit": 100})
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]  # type: ignore[no-any-return]
