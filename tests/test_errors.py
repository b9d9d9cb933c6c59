"""The framework's own errors leave in the SPEC envelope, with a request id, never a trace."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI

from eziox.app import create_app
from eziox.config import Settings
from tests.factories import Caller


def assert_envelope(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code
    assert isinstance(response.json()["error"]["message"], str)
    assert response.headers["x-request-id"]


async def test_unknown_route_outside_v1(client: httpx.AsyncClient) -> None:
    assert_envelope(await client.get("/no/such/page"), 404, "NOT_FOUND")


async def test_unknown_route_inside_v1_needs_a_key_first(
    client: httpx.AsyncClient, caller: Caller
) -> None:
    assert_envelope(await client.get("/v1/nothing"), 401, "UNAUTHORIZED")
    assert_envelope(await caller.get("/v1/nothing"), 404, "NOT_FOUND")


async def test_method_not_allowed(caller: Caller) -> None:
    response = await caller.request("PUT", "/v1/profile", json={})
    assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]


async def test_request_id_is_echoed_when_sane(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-Id": "trace-123.abc"})
    assert echoed.headers["x-request-id"] == "trace-123.abc"
    replaced = await client.get("/healthz", headers={"X-Request-Id": "<script>" + "x" * 200})
    assert replaced.headers["x-request-id"].startswith("req_")
    one = (await client.get("/healthz")).headers["x-request-id"]
    two = (await client.get("/healthz")).headers["x-request-id"]
    assert one != two


async def test_unexpected_exception_is_a_clean_500(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    broken: FastAPI = create_app(settings, migrate_on_start=False)

    @broken.get("/explode/now")
    async def explode() -> None:
        raise RuntimeError("SELECT secret FROM vault -- internal detail")

    async with (
        broken.router.lifespan_context(broken),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=broken, raise_app_exceptions=False),
            base_url="http://testserver",
        ) as client,
    ):
        with caplog.at_level(logging.ERROR, logger="eziox.request"):
            response = await client.get("/explode/now")
    assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "vault" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"] in caplog.text


async def test_health_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}


async def test_head_is_get_without_a_body(client: httpx.AsyncClient, caller: Caller) -> None:
    for path in ("/healthz", "/", "/sign-in", "/api-docs", "/openapi.json"):
        get, head = await client.get(path), await client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
    profile = await caller.request("HEAD", "/v1/profile")
    assert profile.status_code == 200
    assert profile.content == b""
    assert profile.headers["x-ratelimit-limit"]
    missing = await caller.request("HEAD", "/v1/nothing")
    assert (missing.status_code, missing.content) == (404, b"")


async def test_browsers_get_an_html_404_outside_the_api(client: httpx.AsyncClient) -> None:
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = await client.get("/no/such/page", headers=html)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<main" in page.text
    assert page.headers["x-request-id"]
    assert_envelope(await client.get("/v1/no/such/thing", headers=html), 401, "UNAUTHORIZED")
    assert_envelope(await client.get("/no/such/page"), 404, "NOT_FOUND")
