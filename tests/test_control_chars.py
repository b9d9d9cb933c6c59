"""Control codes (NUL above all, which PostgreSQL refuses) get a clear 422/404, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.dashboard.browser import TOKEN
from tests.factories import Caller
from tests.test_errors import assert_envelope


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Bad\x00title", "url": "https://example.com"}, "title"),
        ({"title": "Bell\x07", "url": "https://example.com"}, "title"),
        ({"title": "Fine", "url": "https://example.com", "description": "a\x00b"}, "description"),
        ({"title": "Fine", "url": "https://example.com", "description": "\x1b[31m"}, "description"),
    ],
)
async def test_link_text_with_control_codes_is_refused(
    caller: Caller, body: dict[str, str], field: str
) -> None:
    response = await caller.post("/v1/links", json=body)
    assert_envelope(response, 422, "VALIDATION_ERROR")
    details = response.json()["error"]["details"]
    assert details == [{"field": field, "message": details[0]["message"]}]
    assert "control" in details[0]["message"]
    assert (await caller.get("/v1/links")).json()["total"] == 0


async def test_tabs_and_newlines_stay_allowed(caller: Caller) -> None:
    body = {"title": "Two\tparts", "url": "https://example.com", "description": "line\nline"}
    created = await caller.post("/v1/links", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["description"] == "line\nline"


@pytest.mark.parametrize("field", ["name", "bio"])
async def test_profile_text_with_nul_is_refused(caller: Caller, field: str) -> None:
    before = (await caller.get("/v1/profile")).json()
    response = await caller.patch("/v1/profile", json={field: "x\x00y"})
    assert_envelope(response, 422, "VALIDATION_ERROR")
    assert response.json()["error"]["details"][0]["field"] == field
    assert (await caller.get("/v1/profile")).json() == before


async def test_control_codes_in_path_or_query(caller: Caller) -> None:
    assert_envelope(await caller.get("/v1/links/lnk_%00"), 404, "NOT_FOUND")
    assert_envelope(await caller.delete("/v1/links/lnk_%00x"), 404, "NOT_FOUND")
    response = await caller.get("/v1/templates?category=%00")
    assert_envelope(response, 422, "VALIDATION_ERROR")
    assert "control characters" in response.json()["error"]["message"]
    assert_envelope(await caller.get("/v1/analytics?period=7d%01"), 422, "VALIDATION_ERROR")


async def test_public_pages_with_nul(client: httpx.AsyncClient) -> None:
    assert (await client.get("/l/lnk_%00")).status_code == 404
    assert (await client.get("/someone%00")).status_code == 404


async def test_sign_in_and_sign_up_with_nul(client: httpx.AsyncClient) -> None:
    page = await client.get("/sign-in")
    token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    wrong = await client.post(
        "/sign-in", data={"csrf_token": token, "login": "a\x00b", "password": "whatever123"}
    )
    assert wrong.status_code == 401
    page = await client.get("/sign-up")
    token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    refused = await client.post(
        "/sign-up",
        data={
            "csrf_token": token,
            "username": "nulltester",
            "email": "nul\x00@example.com",
            "password": "Tr0ub4dor&3-horse",
        },
    )
    assert refused.status_code == 422
    assert "valid email" in refused.text
