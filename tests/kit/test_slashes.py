"""A trailing slash is redirected (307) to the path a route serves with a path-only Location:
a forged Host header never sends the visitor to another site."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Caller, make_account

FORGED = {"Host": "evil.example"}


@pytest.mark.parametrize(
    ("asked", "location"),
    [
        ("/sign-in/", "/sign-in"),
        ("/profile/?tab=api", "/profile?tab=api"),
        ("/api-docs/", "/api-docs"),
        ("/healthz/", "/healthz"),
    ],
)
async def test_slash_redirects_ignore_the_host_header(
    client: httpx.AsyncClient, asked: str, location: str
) -> None:
    response = await client.get(asked, headers=FORGED)
    assert response.status_code == 307
    assert response.headers["location"] == location
    assert "evil.example" not in response.text


async def test_bio_page_with_a_slash(app: FastAPI, client: httpx.AsyncClient) -> None:
    account = await make_account(app)
    response = await client.get(f"/{account.username}/", headers=FORGED)
    assert response.status_code == 307
    assert response.headers["location"] == f"/{account.username}"
    assert (await client.get(response.headers["location"])).status_code == 200


async def test_api_with_a_slash(caller: Caller) -> None:
    response = await caller.get("/v1/links/?limit=5", headers=FORGED)
    assert response.status_code == 307
    assert response.headers["location"] == "/v1/links?limit=5"


async def test_encoded_paths_stay_encoded(client: httpx.AsyncClient) -> None:
    response = await client.get("/caf%C3%A9%2520x/", headers=FORGED)
    assert response.status_code == 307
    assert response.headers["location"] == "/caf%C3%A9%2520x"


@pytest.mark.parametrize("asked", ["/nothing/served/here/", "/static/missing.css/"])
async def test_paths_no_route_serves_are_not_redirected(
    client: httpx.AsyncClient, asked: str
) -> None:
    response = await client.get(asked, headers=FORGED)
    assert response.status_code == 404
    assert "location" not in response.headers
