"""One account's hourly budget is exact across processes and instances sharing Redis.

Two `eziox serve` instances (one of them with two workers, so three processes) share the
database and one Redis; a burst of concurrent requests with one Free-tier key is spread
across them: exactly 1,000 succeed, each seeing a distinct remaining count, the rest are 429.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from eziox.config import Settings
from eziox.ratelimit import window_bounds
from tests import backends
from tests.process.servers import (
    avoid_window_edge,
    eziox_env,
    free_port,
    provision,
    run_eziox,
    running,
)

pytestmark = pytest.mark.slow

FREE_LIMIT = 1000
REQUESTS = 1100
CONCURRENCY = 16


@dataclass(frozen=True)
class SharedStore:
    redis_url: str
    prefix: str


@pytest.fixture
async def shared_store(settings: Settings) -> AsyncIterator[SharedStore]:
    """The run's Redis; on the SQLite backend (no Redis in the run) a private prefix on the
    local Redis — SQLite plus Redis for several workers on one machine is supported too."""
    if settings.redis_url:
        yield SharedStore(settings.redis_url, settings.redis_prefix)
        return
    backends.require_redis()
    prefix = f"eziox-test-process-{secrets.token_hex(6)}"
    try:
        yield SharedStore(backends.REDIS_URL, prefix)
    finally:
        await backends.clear_redis_prefix(prefix)


@dataclass(frozen=True)
class Answer:
    server: int
    status: int
    headers: httpx.Headers
    body: bytes


async def burst(urls: list[str], key: str) -> list[Answer]:
    """REQUESTS GETs of /v1/profile, CONCURRENCY at a time, alternating between the servers."""
    auth = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    clients = [httpx.AsyncClient(base_url=url, timeout=30, limits=limits) for url in urls]
    queue = iter(range(REQUESTS))
    answers: list[Answer] = []

    async def worker() -> None:
        for n in queue:
            server = n % len(clients)
            response = await clients[server].get("/v1/profile", headers=auth)
            answers.append(Answer(server, response.status_code, response.headers, response.content))

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(CONCURRENCY):
                group.create_task(worker())
    finally:
        for client in clients:
            await client.aclose()
    return answers


async def test_exactly_the_limit_succeeds_across_processes(
    settings: Settings, shared_store: SharedStore
) -> None:
    owner = await provision(settings, f"rl_{secrets.token_hex(4)}", permissions="profile:read")
    [(_, key)] = owner.keys
    env = eziox_env(
        settings,
        EZIOX_REDIS_URL=shared_store.redis_url,
        EZIOX_REDIS_PREFIX=shared_store.prefix,
        EZIOX_RATE_LIMIT_WINDOW="3600",
    )
    async with running((env, ("--workers", "2")), (env, ())) as servers:
        await avoid_window_edge(3600, margin=30)
        _, reset = window_bounds(3600)
        started = time.monotonic()
        answers = await burst([server.url for server in servers], key)
        elapsed = time.monotonic() - started
        logs = [server.log() for server in servers]

    assert len(answers) == REQUESTS
    statuses = Counter(answer.status for answer in answers)
    assert not [s for s in statuses if s >= 500], (statuses, logs)
    assert statuses == {200: FREE_LIMIT, 429: REQUESTS - FREE_LIMIT}, (statuses, elapsed)

    ok = [a for a in answers if a.status == 200]
    refused = [a for a in answers if a.status == 429]
    remaining = sorted(int(a.headers["x-ratelimit-remaining"]) for a in ok)
    assert remaining == list(range(FREE_LIMIT))  # every count from 1 to 1000 handed out once
    for answer in answers:
        assert answer.headers["x-ratelimit-limit"] == str(FREE_LIMIT)
        assert answer.headers["x-ratelimit-reset"] == str(reset)
    for answer in refused:
        assert answer.headers["x-ratelimit-remaining"] == "0"
        retry_after = int(answer.headers["retry-after"])
        assert 1 <= retry_after <= 3600
        assert abs(retry_after - (reset - time.time())) <= elapsed + 2
        error = httpx.Response(429, content=answer.body).json()["error"]
        assert error["code"] == "RATE_LIMIT_EXCEEDED"
        assert error["message"]
        assert error["retryAfter"] == retry_after
    # Both instances answered both ways: the budget is one, not one per instance.
    assert {(a.server, a.status) for a in answers} == {(0, 200), (1, 200), (0, 429), (1, 429)}
    for log in logs:
        assert "Traceback" not in log, log


async def test_several_workers_without_redis_are_refused(settings: Settings) -> None:
    env = eziox_env(settings, EZIOX_REDIS_URL=None)
    started = time.monotonic()
    result = await run_eziox(
        env, "serve", "--host", "127.0.0.1", "--port", str(free_port()), "--workers", "2",
        timeout=20,
    )  # fmt: skip
    assert result.returncode != 0, result
    assert "EZIOX_REDIS_URL" in result.stderr, result
    assert result.stderr.startswith("error: "), result
    assert time.monotonic() - started < 15
