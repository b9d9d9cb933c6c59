"""Faults under load: Redis stops, PostgreSQL connections are dropped; the service recovers.

Only private resources are hurt: a `redis-server` this test starts on a free port, and the
backends of this run's own PostgreSQL database (filtered by name). Never the shared services.

- Redis gone: `/v1` fails closed — `503 SERVICE_UNAVAILABLE` with Retry-After, never an
  unlimited request, never a 500 — and logs a warning; bio pages (no Redis needed) keep
  answering; `/readyz` says 503. Redis back on the same port: `/v1` answers again by itself.
- PostgreSQL backends terminated: the requests that were using them get the 503 envelope,
  the next ones succeed on fresh connections, without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
import pytest

from eziox.config import Settings
from tests import backends
from tests.process.servers import (
    PrivateRedis,
    eziox_env,
    http_client,
    make_link,
    provision,
    running,
    until,
)

pytestmark = pytest.mark.slow

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


@dataclass
class Load:
    """Requests sent in a loop by a few tasks until stopped; every answer is kept with the
    moments it was sent and answered."""

    client: httpx.AsyncClient
    paths: list[tuple[str, dict[str, str]]]
    answers: list[tuple[float, str, httpx.Response]] = field(default_factory=list)
    sent: dict[int, float] = field(default_factory=dict)  # id(response) -> when it was sent
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def _worker(self, n: int) -> None:
        while not self._stop.is_set():
            path, headers = self.paths[n % len(self.paths)]
            sent = time.monotonic()
            response = await self.client.get(path, headers=headers)
            self.sent[id(response)] = sent
            self.answers.append((time.monotonic(), path, response))
            n += 1

    @contextlib.asynccontextmanager
    async def running(self, tasks: int = 8) -> AsyncIterator[None]:
        workers = [asyncio.create_task(self._worker(n)) for n in range(tasks)]
        try:
            yield
        finally:
            self._stop.set()
            await asyncio.gather(*workers)

    def since(self, moment: float, prefix: str = "") -> list[httpx.Response]:
        """Answers that arrived at or after ``moment``."""
        return [r for t, p, r in self.answers if t >= moment and p.startswith(prefix)]

    def sent_after(self, moment: float, prefix: str = "") -> list[httpx.Response]:
        """Answers to requests sent at or after ``moment`` (none of them was in flight then)."""
        return [r for r in self.since(moment, prefix) if self.sent[id(r)] >= moment]


def assert_unavailable_envelope(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert error["message"]
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["x-request-id"]


async def test_redis_outage_fails_closed_and_recovers_by_itself(
    settings: Settings, private_redis: PrivateRedis
) -> None:
    who = await provision(settings, f"rf_{secrets.token_hex(4)}", tier="creator")
    key = who.keys[0][1]
    env = eziox_env(
        settings,
        EZIOX_REDIS_URL=private_redis.url,
        EZIOX_REDIS_PREFIX=f"eziox-fault-{secrets.token_hex(4)}",
        EZIOX_LOG_LEVEL="warning",
    )
    api = ("/v1/profile", {"Authorization": f"Bearer {key}"})
    page = (f"/{who.username}", {"User-Agent": BROWSER})
    async with running((env, ())) as (server,), http_client(server.url) as client:
        load = Load(client, [api, api, page])

        async def api_is(status: int) -> bool:
            return (await client.get(*api[:1], headers=api[1])).status_code == status

        def answered(moment: float, prefix: str, count: int) -> Callable[[], bool]:
            return lambda: len(load.sent_after(moment, prefix)) >= count

        async with load.running():
            await until(answered(0, "/v1", 20), "answers before the outage")
            outage = time.monotonic()
            private_redis.kill()
            await until(lambda: api_is(503), "503 once Redis is gone")
            gone = time.monotonic()
            # The outage, under load: API calls and bio pages sent while Redis is away.
            await until(answered(gone, "/v1", 40), "API calls during the outage")
            await until(answered(gone, "/" + who.username, 5), "bio pages during the outage")
            ready = await client.get("/readyz")
            health = await client.get("/healthz")
            back = time.monotonic()
            await private_redis.start()
            recovery = await until(lambda: api_is(200), "200 once Redis is back")
            recovered = time.monotonic()
            await until(answered(recovered, "", 30), "answers after the recovery")
        ready_after = await client.get("/readyz")
        log = server.log()

    everything = [r for _, _, r in load.answers]
    assert not [r for r in everything if r.status_code >= 500 and r.status_code != 503], log
    before = [r for t, _, r in load.answers if t < outage]
    assert before
    assert {r.status_code for r in before} == {200}
    during_api = [r for r in load.since(outage, "/v1") if r not in load.since(back)]
    refused = [r for r in during_api if r.status_code == 503]
    assert refused, Counter(r.status_code for r in during_api)
    for response in refused:
        assert_unavailable_envelope(response)
    # Fail closed: while Redis was away, nothing past the first in-flight ones was let through.
    assert [r.status_code for r in during_api][-20:] == [503] * min(20, len(during_api))
    pages = load.since(outage, "/" + who.username)
    assert pages
    assert {r.status_code for r in pages} == {200}  # bio pages do not need Redis
    assert_unavailable_envelope(ready)
    assert health.status_code == 200
    assert {r.status_code for r in load.sent_after(recovered)} == {200}
    assert ready_after.status_code == 200
    assert "rate-limit store unreachable" in log
    print(
        f"redis outage: {Counter(r.status_code for r in during_api)}; recovered in {recovery:.2f} s"
    )


async def test_dropped_database_connections_answer_503_then_recover(settings: Settings) -> None:
    if settings.is_sqlite:
        pytest.skip(
            "SQLite backend: an embedded database has no connections to drop; this test runs "
            "in the PostgreSQL pass of `make test` (EZIOX_TEST_BACKEND=postgres)"
        )
    database = settings.db_url.rsplit("/", 1)[1]
    who = await provision(settings, f"pf_{secrets.token_hex(4)}", tier="creator")
    link_id = await make_link(settings, who.account_id)
    auth = {"Authorization": f"Bearer {who.keys[0][1]}"}
    env = eziox_env(settings, EZIOX_DB_POOL_SIZE="4", EZIOX_KEY_CACHE_SIZE="0")
    paths = [
        ("/v1/links", auth),
        (f"/v1/links/{link_id}", auth),
        (f"/{who.username}", {"User-Agent": BROWSER}),
        (f"/l/{link_id}", {"User-Agent": BROWSER}),
    ]
    async with running((env, ())) as (server,), http_client(server.url) as client:
        load = Load(client, paths)
        async with load.running(tasks=12):
            await until(lambda: len(load.answers) >= 20, "answers before the fault")
            fault = time.monotonic()
            terminated = 0

            async def some_request_lost_its_connection() -> bool:
                # Drop every connection of the run's database until a request was using one.
                nonlocal terminated
                if [r for r in load.since(fault) if r.status_code == 503]:
                    return True
                terminated += await backends.terminate_pg_backends(database)
                return False

            await until(some_request_lost_its_connection, "a request on a dropped connection")
            settled = time.monotonic()
            await until(lambda: len(load.sent_after(settled)) >= 24, "requests after the fault")
            recovered = time.monotonic()
            await until(lambda: len(load.sent_after(recovered)) >= 60, "answers after recovery")
        log = server.log()

    statuses = Counter(r.status_code for _, _, r in load.answers)
    assert set(statuses) <= {200, 302, 503}, (statuses, log)
    unavailable = [r for _, _, r in load.answers if r.status_code == 503]
    for response in unavailable:
        if response.headers["content-type"].startswith("application/json"):
            assert_unavailable_envelope(response)
        else:
            pytest.fail(f"503 without the envelope: {response.text[:200]}")
    after = load.sent_after(recovered)
    assert len(after) >= 60
    assert {r.status_code for r in after} <= {200, 302}, Counter(r.status_code for r in after)
    assert "backing service unavailable" in log
    print(
        f"pg_terminate_backend: {terminated} backends dropped, {len(unavailable)} requests 503, "
        f"{len(load.since(settled))} after, all answered; statuses {dict(statuses)}"
    )
