"""Groups made through /v1/groups, as a client makes them."""

from __future__ import annotations

from tests.factories import Caller


async def new_group(caller: Caller, title: str) -> dict[str, object]:
    response = await caller.post("/v1/groups", json={"title": title})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
