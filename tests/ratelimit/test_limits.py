"""Per-account hourly limits: exact counts, headers, 429s, shared budgets, tier changes."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import FastAPI

from eziox.accounts.service import set_tier
from eziox.ratelimit import window_bounds
from tests.factories import Caller, make_caller, make_key, state_of


async def avoid_window_edge(window: int = 3600, margin: int = 20) -> None:
    """Counting across an hour boundary would split the budget: wait for the new window."""
    _, reset = window_bounds(window)
    if reset - time.time() < margin:
        await asyncio.sleep(reset - time.time() + 0.5)


def limits(response: httpx.Response) -> tuple[int, int, int]:
    return (
        int(response.headers["x-ratelimit-limit"]),
        int(response.headers["x-ratelimit-remaining"]),
        int(response.headers["x-ratelimit-reset"]),
    )


async def test_exactly_the_limit_succeeds_then_429(caller: Caller) -> None:
    await avoid_window_edge()
    _, expected_reset = window_bounds(3600)
    remaining_seen = []
    for _ in range(1000):
        response = await caller.get("/v1/profile")
        assert response.status_code == 200
        limit, remaining, reset = limits(response)
        assert limit == 1000
        assert reset == expected_reset
        remaining_seen.append(remaining)
    assert remaining_seen == list(range(999, -1, -1))

    refused = await caller.get("/v1/profile")
    assert refused.status_code == 429
    assert limits(refused) == (1000, 0, expected_reset)
    error = refused.json()["error"]
    assert error["code"] == "RATE_LIMIT_EXCEEDED"
    retry_after = int(refused.headers["retry-after"])
    assert error["retryAfter"] == retry_after
    assert abs(retry_after - (expected_reset - time.time())) <= 2
    # Errors still count as requests and carry the headers.
    missing = await caller.get("/v1/links/lnk_nothing")
    assert missing.status_code == 429


async def test_all_keys_of_an_account_share_one_budget(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await avoid_window_edge()
    caller = await make_caller(app, client)
    second = await make_key(app, caller.account.id, "profile:read")
    first = await caller.get("/v1/profile")
    other = await client.get("/v1/profile", headers=caller.auth(second))
    assert limits(first)[1] == 999
    assert limits(other)[1] == 998
    stranger = await make_caller(app, client)
    assert limits(await stranger.get("/v1/profile"))[1] == 999


async def test_403_and_404_carry_rate_limit_headers(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await make_caller(app, client, permissions="links:read")
    forbidden = await caller.get("/v1/profile")
    assert forbidden.status_code == 403
    assert limits(forbidden)[0] == 1000
    missing = await caller.get("/v1/links/lnk_missing")
    assert missing.status_code == 404
    assert limits(missing)[1] == limits(forbidden)[1] - 1


async def test_tier_change_applies_on_the_next_request(app: FastAPI, caller: Caller) -> None:
    await avoid_window_edge()
    assert limits(await caller.get("/v1/profile"))[:2] == (1000, 999)
    async with state_of(app).db.transaction() as session:
        await set_tier(session, caller.account.username, "pro")
    assert limits(await caller.get("/v1/profile"))[:2] == (5000, 4998)
    async with state_of(app).db.transaction() as session:
        await set_tier(session, caller.account.username, "creator")
    assert limits(await caller.get("/v1/profile"))[:2] == (10000, 9997)


async def test_downgrade_past_the_used_budget_refuses_at_once(app: FastAPI, caller: Caller) -> None:
    await avoid_window_edge()
    async with state_of(app).db.transaction() as session:
        await set_tier(session, caller.account.username, "pro")
    for _ in range(1000):
        assert (await caller.get("/v1/profile")).status_code == 200
    async with state_of(app).db.transaction() as session:
        await set_tier(session, caller.account.username, "free")
    refused = await caller.get("/v1/profile")
    assert refused.status_code == 429
    assert limits(refused)[:2] == (1000, 0)
    async with state_of(app).db.transaction() as session:
        await set_tier(session, caller.account.username, "lifetime")
    assert limits(await caller.get("/v1/profile"))[:2] == (10000, 10000 - 1002)


async def test_concurrent_requests_never_exceed_the_limit(app: FastAPI, caller: Caller) -> None:
    await avoid_window_edge()
    results = await asyncio.gather(*(caller.get("/v1/profile") for _ in range(1050)))
    statuses = [r.status_code for r in results]
    assert statuses.count(200) == 1000
    assert statuses.count(429) == 50
    remaining = sorted(limits(r)[1] for r in results if r.status_code == 200)
    assert remaining == list(range(1000))
