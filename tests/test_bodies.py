"""Request bodies: a slow client never holds up anyone else; big bodies stop at the limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from eziox.app import create_app
from eziox.billing.api import MAX_EVENT_BYTES
from eziox.config import Settings
from tests.dashboard.browser import sign_up
from tests.factories import Caller

BOUND = 15.0  # generous: only a hang reaches it
CHUNK = 64 * 1024


class Trickle:
    """A request body whose first bytes arrive, then nothing until the test releases it."""

    def __init__(self, first: bytes, rest: bytes = b"") -> None:
        self.first, self.rest = first, rest
        self.waiting = asyncio.Event()  # the server has the first bytes and waits for more
        self.release = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        self.waiting.set()
        await self.release.wait()
        yield self.rest


class Flood:
    """A chunked body far over any limit that counts how much of it the server pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.total:
            self.pulled += CHUNK
            yield b"a" * CHUNK


SLOW_POSTS = [
    ("/webhooks/stripe", {"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=0"}),
    ("/sign-in", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("/profile/links", {"Content-Type": "application/x-www-form-urlencoded"}),
]


@pytest.mark.parametrize(("path", "headers"), SLOW_POSTS)
async def test_a_slow_body_never_holds_up_writes(
    client: httpx.AsyncClient, caller: Caller, path: str, headers: dict[str, str]
) -> None:
    if path.startswith("/profile"):
        await sign_up(client, f"slow{caller.account.id[-8:].lower()}")
    body = Trickle(b"a=", b"b")
    slow = asyncio.create_task(client.post(path, content=body, headers=headers))
    try:
        await asyncio.wait_for(body.waiting.wait(), BOUND)
        link = {"title": "While someone trickles", "url": "https://example.com"}
        created = await asyncio.wait_for(caller.post("/v1/links", json=link), BOUND)
        assert created.status_code == 201
    finally:
        body.release.set()
    assert (await asyncio.wait_for(slow, BOUND)).status_code < 500


@pytest.fixture(scope="module")
async def impatient_app(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings.model_copy(update={"body_timeout": 0.3}), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.mark.parametrize("path", ["/webhooks/stripe", "/sign-in", "/v1/links"])
async def test_a_body_that_arrives_too_slowly_is_cut_off_with_408(
    impatient_app: FastAPI, path: str
) -> None:
    transport = httpx.ASGITransport(app=impatient_app)
    body = Trickle(b"{")
    headers = {"Content-Type": "application/json"}
    if path.startswith("/v1"):
        from tests.factories import make_caller

        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            headers.update((await make_caller(impatient_app, http)).auth())
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await asyncio.wait_for(http.post(path, content=body, headers=headers), BOUND)
    finally:
        body.release.set()
    assert response.status_code == 408
    assert response.json()["error"]["code"] == "REQUEST_TIMEOUT"
    assert response.headers["connection"] == "close"


@pytest.mark.parametrize(
    ("path", "limit"),
    [("/webhooks/stripe", MAX_EVENT_BYTES), ("/sign-in", None), ("/sign-up", None)],
)
async def test_a_huge_chunked_body_is_refused_at_the_limit_not_buffered(
    client: httpx.AsyncClient, settings: Settings, path: str, limit: int | None
) -> None:
    limit = limit or settings.max_body_bytes
    body = Flood(64 * 1024 * 1024)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = await client.post(path, content=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert body.pulled <= limit + CHUNK
