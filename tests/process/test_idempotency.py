"""Idempotency keys across processes: two instances of two workers each, one key sent by many
clients at once, really in parallel. The work is done once; every other answer is its replay
or a 409 "still in progress"; afterwards every retry replays the one link created."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections import Counter

import pytest

from eziox.config import Settings
from tests.process.conftest import SharedStore
from tests.process.servers import eziox_env, http_client, provision, running

pytestmark = pytest.mark.slow

SENDERS = 24


async def test_one_key_sent_to_four_processes_at_once_runs_once(
    settings: Settings, shared_store: SharedStore
) -> None:
    who = await provision(settings, f"ik_{secrets.token_hex(4)}")
    headers = {
        "Authorization": f"Bearer {who.keys[0][1]}",
        "Idempotency-Key": str(uuid.uuid4()),
    }
    link = {"title": "Once", "url": "https://example.com/once"}
    env = eziox_env(
        settings, EZIOX_REDIS_URL=shared_store.redis_url, EZIOX_REDIS_PREFIX=shared_store.prefix
    )
    async with running((env, ("--workers", "2")), (env, ("--workers", "2"))) as servers:
        clients = [http_client(s.url, connections=SENDERS) for s in servers]
        try:
            answers = await asyncio.gather(
                *(
                    clients[n % 2].post("/v1/links", json=link, headers=headers)
                    for n in range(SENDERS)
                )
            )
            later = [await c.post("/v1/links", json=link, headers=headers) for c in clients]
            listed = (await clients[0].get("/v1/links", headers=headers)).json()
        finally:
            for client in clients:
                await client.aclose()

    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, [a.text for a in answers]
    assert statuses[201] >= 1
    created = {a.content for a in answers if a.status_code == 201}
    assert len(created) == 1  # the first answer, or its replays
    for answer in answers:
        if answer.status_code == 409:
            assert "still in progress" in answer.json()["error"]["message"]
    for answer in later:
        assert answer.status_code == 201
        assert answer.headers["idempotent-replayed"] == "true"
        assert answer.content in created
    assert listed["total"] == 1
