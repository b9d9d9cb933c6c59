"""Links made through /v1/links, as a client makes them."""

from __future__ import annotations

from tests.factories import Caller


async def new_link(caller: Caller, title: str, **fields: object) -> dict[str, object]:
    body = {"title": title, "url": f"https://example.com/{title}", **fields}
    response = await caller.post("/v1/links", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
