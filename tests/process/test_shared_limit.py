"""Several instances share one database and one Redis: budgets are exact, nothing is lost.

Two `eziox serve` instances with two workers each (four processes) share the run's database
and one Redis. Concurrent load is spread over both: each of several Free-tier accounts sends
more requests than its hourly budget (exactly 1,000 succeed, each seeing a distinct remaining
count, the rest are 429), while bio-page views and link clicks of another account go through
both instances too; once the roll-up workers have caught up, that account's analytics equal
the views and clicks that were answered. No 5xx anywhere.

On the SQLite backend the instances share the database file (one machine) and a private
prefix on the local Redis; on PostgreSQL, the run's database and Redis prefix.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from eziox.config import Settings
from eziox.db import Database
from eziox.models import EventInbox
from eziox.ratelimit import window_bounds
from tests.process.conftest import SharedStore
from tests.process.servers import (
    WAIT_BOUND,
    avoid_window_edge,
    eziox_env,
    free_port,
    http_client,
    make_link,
    provision,
    run_eziox,
    running,
    until,
)

pytestmark = pytest.mark.slow

FREE_LIMIT = 1000
ACCOUNTS = 2
REQUESTS = 1200  # per account
VIEWS = 150
CLICKS = 150
CONCURRENCY = 12  # per stream of requests
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


@dataclass(frozen=True)
class Answer:
    server: int
    status: int
    headers: httpx.Headers
    body: bytes


async def spread(
    clients: list[httpx.AsyncClient], path: str, count: int, headers: dict[str, str]
) -> list[Answer]:
    """``count`` GETs of ``path``, CONCURRENCY at a time, alternating between the servers."""
    queue = iter(range(count))
    answers: list[Answer] = []

    async def worker() -> None:
        for n in queue:
            server = n % len(clients)
            response = await clients[server].get(path, headers=headers)
            answers.append(Answer(server, response.status_code, response.headers, response.content))

    async with asyncio.TaskGroup() as group:
        for _ in range(CONCURRENCY):
            group.create_task(worker())
    return answers


def assert_exact_budget(answers: list[Answer], reset: int, elapsed: float) -> None:
    statuses = Counter(answer.status for answer in answers)
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


async def inbox_size(settings: Settings, account_id: str) -> int:
    db = Database(settings)
    try:
        async with db.session() as session:
            query = select(func.count()).select_from(EventInbox)
            return int(
                (await session.execute(query.where(EventInbox.account_id == account_id))).scalar()
                or 0
            )
    finally:
        await db.dispose()


async def caught_up(settings: Settings, account_id: str) -> None:
    """Wait until the instances' roll-up workers have emptied the account's inbox."""

    async def empty() -> bool:
        return await inbox_size(settings, account_id) == 0

    await until(empty, "the roll-up workers emptying the inbox")


async def test_two_instances_share_budgets_and_count_every_answer(
    settings: Settings, shared_store: SharedStore
) -> None:
    limited = [
        await provision(settings, f"rl_{secrets.token_hex(4)}", permissions="profile:read")
        for _ in range(ACCOUNTS)
    ]
    creator = await provision(settings, f"pg_{secrets.token_hex(4)}", tier="creator")
    link_id = await make_link(settings, creator.account_id)
    env = eziox_env(
        settings,
        EZIOX_REDIS_URL=shared_store.redis_url,
        EZIOX_REDIS_PREFIX=shared_store.prefix,
        EZIOX_RATE_LIMIT_WINDOW="3600",
        EZIOX_ROLLUP_INTERVAL="0.2",
    )
    async with running((env, ("--workers", "2")), (env, ("--workers", "2"))) as servers:
        await avoid_window_edge(3600, margin=150)  # the test's length on a busy machine
        _, reset = window_bounds(3600)
        clients = [http_client(s.url, connections=64) for s in servers]
        try:
            started = time.monotonic()
            page = {"User-Agent": BROWSER}
            streams = [
                *(
                    spread(clients, "/v1/profile", REQUESTS, {"Authorization": f"Bearer {k}"})
                    for k in (who.keys[0][1] for who in limited)
                ),
                spread(clients, f"/{creator.username}", VIEWS, page),
                spread(clients, f"/l/{link_id}", CLICKS, page),
            ]
            *budgets, views, clicks = await asyncio.gather(*streams)
            elapsed = time.monotonic() - started
            await caught_up(settings, creator.account_id)
            auth = {"Authorization": f"Bearer {creator.keys[0][1]}"}
            summary = (await clients[1].get("/v1/analytics?period=7d", headers=auth)).json()
            link = (await clients[0].get(f"/v1/links/{link_id}", headers=auth)).json()
        finally:
            for client in clients:
                await client.aclose()
        logs = [server.log() for server in servers]

    everything = [a for answers in (*budgets, views, clicks) for a in answers]
    assert not [a for a in everything if a.status >= 500], logs
    for answers in budgets:
        assert len(answers) == REQUESTS
        assert_exact_budget(answers, reset, elapsed)
    assert Counter(a.status for a in views) == {200: VIEWS}
    assert Counter(a.status for a in clicks) == {302: CLICKS}
    assert {a.server for a in views} == {a.server for a in clicks} == {0, 1}
    assert summary["summary"]["views"] == VIEWS, summary["summary"]
    assert summary["summary"]["clicks"] == CLICKS, summary["summary"]
    assert sum(day["views"] for day in summary["daily"]) == VIEWS
    assert sum(day["clicks"] for day in summary["daily"]) == CLICKS
    assert link.get("clicks") == CLICKS, link
    for log in logs:
        assert "Traceback" not in log, log


async def test_several_workers_without_redis_are_refused(settings: Settings) -> None:
    env = eziox_env(settings, EZIOX_REDIS_URL=None)
    result = await run_eziox(  # the bound is the proof that it stops instead of serving
        env, "serve", "--host", "127.0.0.1", "--port", str(free_port()), "--workers", "2",
        timeout=WAIT_BOUND,
    )  # fmt: skip
    assert result.returncode != 0, result
    assert "EZIOX_REDIS_URL" in result.stderr, result
    assert result.stderr.startswith("error: "), result
