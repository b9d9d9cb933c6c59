"""Idempotent retries of /v1 POSTs: replays, conflicts, expiry, what is stored and what not."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
import time_machine
from fastapi import FastAPI
from sqlalchemy import func, select

from eziox.idempotency import layer
from eziox.kit.time import utcnow
from eziox.models import IdempotencyKey, Link
from tests.factories import Caller, make_caller, state_of

LINK = {"title": "Site", "url": "https://example.com"}


def keyed(key: str | None = None) -> dict[str, str]:
    return {"Idempotency-Key": key or str(uuid.uuid4())}


async def link_count(caller: Caller) -> int:
    total: int = (await caller.get("/v1/links")).json()["total"]
    return total


async def create(caller: Caller, key: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return await caller.post("/v1/links", json=body or LINK, headers=keyed(key))


async def test_a_retry_replays_the_first_answer_without_running_again(caller: Caller) -> None:
    key = str(uuid.uuid4())
    first = await create(caller, key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await create(caller, key)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert "x-ratelimit-remaining" in again.headers
    assert "x-request-id" in again.headers
    assert await link_count(caller) == 1


async def test_the_same_key_for_another_body_or_path_is_a_conflict(caller: Caller) -> None:
    key = str(uuid.uuid4())
    assert (await create(caller, key)).status_code == 201
    other_body = await create(caller, key, {**LINK, "title": "Other"})
    assert other_body.status_code == 409
    assert other_body.json()["error"]["code"] == "CONFLICT"
    assert "different request body" in other_body.json()["error"]["message"]
    other_path = await caller.post("/v1/groups", json={"title": "G"}, headers=keyed(key))
    assert other_path.status_code == 409
    assert "POST /v1/links" in other_path.json()["error"]["message"]
    assert await link_count(caller) == 1
    assert (await caller.get("/v1/groups")).json()["total"] == 0


async def test_keys_belong_to_one_account(app: FastAPI, caller: Caller) -> None:
    other = await make_caller(app, caller.http)
    key = str(uuid.uuid4())
    mine, theirs = await create(caller, key), await create(other, key)
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.parametrize("value", ["", " x", "x ", "é", "a" * 256, "tab\there"])
async def test_a_malformed_key_is_refused_and_nothing_is_done(caller: Caller, value: str) -> None:
    response = await caller.post(
        "/v1/links",
        json=LINK,
        headers={"Idempotency-Key": value.encode("utf-8")},  # type: ignore[dict-item]
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][0]["field"] == "Idempotency-Key"
    assert await link_count(caller) == 0


async def test_keys_of_every_printable_ascii_length_are_accepted(caller: Caller) -> None:
    for key in ("k", "a b ~!", "z" * 255):
        assert (await create(caller, key, {**LINK, "title": key[:100]})).status_code == 201
    assert await link_count(caller) == 3


async def test_concurrent_requests_with_one_key_do_the_work_once(caller: Caller) -> None:
    key = str(uuid.uuid4())
    answers = await asyncio.gather(*(create(caller, key) for _ in range(5)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    for answer in answers:
        if answer.status_code == 409:
            assert "still in progress" in answer.json()["error"]["message"]
            assert answer.headers["retry-after"] == "1"
    assert await link_count(caller) == 1
    assert (await create(caller, key)).headers["idempotent-replayed"] == "true"


async def test_a_key_is_new_again_after_24_hours(caller: Caller) -> None:
    key = str(uuid.uuid4())
    first = await create(caller, key)
    with time_machine.travel(utcnow() + timedelta(hours=24, seconds=1), tick=False):
        later = await create(caller, key, {**LINK, "title": "Tomorrow"})
    assert later.status_code == 201
    assert "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first.json()["id"]
    assert await link_count(caller) == 2


async def test_validation_errors_are_replayed_too(caller: Caller) -> None:
    key = str(uuid.uuid4())
    bad = {"title": "", "url": "javascript:alert(1)"}
    first = await create(caller, key, bad)
    assert first.status_code == 422
    again = await create(caller, key, bad)
    assert again.status_code == 422
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_failed_answer_is_not_stored_and_a_retry_runs(
    app: FastAPI, caller: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = str(uuid.uuid4())
    db = state_of(app).db
    real_commit, real_finish = db.commit, layer.repository.finish

    async def finish_marked(session: Any, request: Any, answer: Any) -> None:
        session.info["fail_commit"] = True
        await real_finish(session, request, answer)

    async def failing_commit(session: Any) -> None:  # the commit of the work and its answer
        if session.info.pop("fail_commit", False):
            raise ConnectionError("database went away")
        await real_commit(session)

    monkeypatch.setattr(layer.repository, "finish", finish_marked)
    monkeypatch.setattr(db, "commit", failing_commit)
    failed = await create(caller, key)
    monkeypatch.setattr(db, "commit", real_commit)
    assert failed.status_code == 503, failed.text
    assert failed.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert await link_count(caller) == 0  # the work rolled back with its answer
    retried = await create(caller, key)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert await link_count(caller) == 1


async def test_the_answer_commits_in_the_transaction_of_the_work(
    app: FastAPI, caller: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = str(uuid.uuid4())
    seen: list[tuple[int, int]] = []
    real_finish = layer.repository.finish
    db = state_of(app).db

    async def spy(session: Any, request: Any, answer: Any) -> None:
        inside = await session.scalar(select(func.count()).select_from(Link))
        async with db.session() as other:  # what is committed so far
            outside = await other.scalar(select(func.count()).select_from(Link))
        seen.append((inside, outside))
        await real_finish(session, request, answer)

    monkeypatch.setattr(layer.repository, "finish", spy)
    before = await link_count(caller)
    assert (await create(caller, key)).status_code == 201
    [(inside, outside)] = seen
    assert inside == outside + 1  # the new link is in this transaction, not yet committed
    async with db.session() as session:
        row = await session.get(IdempotencyKey, (caller.account.id, key))
    assert row is not None
    assert row.status == 201
    assert row.locked_until is None
    assert await link_count(caller) == before + 1


async def test_a_marker_left_by_a_dead_process_lapses(app: FastAPI, caller: Caller) -> None:
    key = str(uuid.uuid4())
    async with state_of(app).db.transaction() as session:
        session.add(
            IdempotencyKey(
                account_id=caller.account.id,
                key=key,
                target="POST /v1/links",
                body_sha256=hashlib.sha256(json.dumps(LINK).encode()).hexdigest(),
                locked_until=utcnow() + timedelta(seconds=60),
            )
        )
    busy = await caller.post(
        "/v1/links",
        content=json.dumps(LINK),
        headers={**keyed(key), "Content-Type": "application/json"},
    )
    assert busy.status_code == 409
    assert "still in progress" in busy.json()["error"]["message"]
    assert await link_count(caller) == 0
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        taken_over = await caller.post(
            "/v1/links",
            content=json.dumps(LINK),
            headers={**keyed(key), "Content-Type": "application/json"},
        )
    assert taken_over.status_code == 201, taken_over.text
    assert await link_count(caller) == 1


async def test_gets_and_requests_without_a_key_are_untouched(caller: Caller) -> None:
    assert (await caller.get("/v1/links", headers=keyed("x"))).status_code == 200
    assert (await caller.post("/v1/links", json=LINK)).status_code == 201
    assert (await caller.post("/v1/links", json=LINK)).status_code == 201
    assert await link_count(caller) == 2


async def test_a_long_query_is_told_apart_from_another(caller: Caller) -> None:
    key = str(uuid.uuid4())
    long = "x" * 3000
    first = await caller.post(f"/v1/links?a={long}1", json=LINK, headers=keyed(key))
    assert first.status_code == 201, first.text
    again = await caller.post(f"/v1/links?a={long}1", json=LINK, headers=keyed(key))
    assert again.headers["idempotent-replayed"] == "true"
    other = await caller.post(f"/v1/links?a={long}2", json=LINK, headers=keyed(key))
    assert other.status_code == 409
