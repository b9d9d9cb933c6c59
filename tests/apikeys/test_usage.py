"""Usage per key: GET /v1/usage, its counts (kept in memory, written in batches) and errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, func, insert, select

from eziox.apikeys.schemas import Usage
from eziox.apikeys.service import revoke_api_key
from eziox.apikeys.usage import HOUR, RETENTION_DAYS, UsageCounter, current_hour
from eziox.models import Account, ApiKey, KeyUsage
from tests.factories import Caller, make_account, make_caller, make_key, state_of
from tests.ratelimit.test_limits import avoid_window_edge

pytestmark = pytest.mark.usefixtures("one_hash_for_the_shared_password")


async def usage(caller: Caller, key: str | None = None, **params: Any) -> dict[str, Any]:
    answer = await caller.http.get("/v1/usage", params=params, headers=caller.auth(key))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    Usage.model_validate(body)  # the published schema holds
    return body


async def key_id_of(app: FastAPI, account_id: str) -> str:
    async with state_of(app).db.session() as session:
        query = select(ApiKey.id).where(ApiKey.account_id == account_id)
        return str((await session.execute(query)).scalar_one())


def key_entry(report: dict[str, Any], key: str) -> dict[str, Any]:
    last4 = key[-4:]
    (entry,) = [k for k in report["keys"] if k["key"].endswith(last4)]
    return entry


async def rows_of(app: FastAPI, account_id: str) -> list[tuple[str, int, int, int, int]]:
    async with state_of(app).db.session() as session:
        query = select(
            KeyUsage.api_key_id,
            KeyUsage.hour,
            KeyUsage.requests,
            KeyUsage.limited,
            KeyUsage.not_modified,
        ).where(KeyUsage.account_id == account_id)
        return [tuple(row) for row in await session.execute(query)]  # type: ignore[misc]


async def test_requests_are_counted_per_key_per_day(app: FastAPI, caller: Caller) -> None:
    await avoid_window_edge()
    other = await make_key(app, caller.account.id, "links:read")
    for _ in range(3):
        assert (await caller.get("/v1/profile")).status_code == 200
    for _ in range(2):
        assert (await caller.get("/v1/links", headers=caller.auth(other))).status_code == 200
    report = await usage(caller, other, days=7)  # any valid key may ask, links:read only

    assert report["days"] == 7
    assert report["timezone"] == "UTC"
    today = datetime.now(UTC).date()
    assert report["to"] == today.isoformat()
    assert report["from"] == (today - timedelta(days=6)).isoformat()
    first, second = key_entry(report, caller.key), key_entry(report, other)
    assert [k["id"] for k in report["keys"]] == [first["id"], second["id"]]  # oldest first
    assert first["requests"] == 3
    assert second["requests"] == 3  # its two reads and this report
    assert report["requests"] == 6
    for entry in (first, second):
        assert [d["date"] for d in entry["daily"]] == [
            (today - timedelta(days=n)).isoformat() for n in range(6, -1, -1)
        ]
        assert [d["requests"] for d in entry["daily"][:-1]] == [0] * 6
        assert entry["status"] == "active"
        assert "…" in entry["key"]
    assert other not in str(report)
    assert caller.key not in str(report)
    assert first["daily"][-1]["requests"] == 3
    limit = report["budget"]["limit"]
    assert limit == 1000
    assert first["currentHour"] == {"requests": 3, "budgetShare": round(3 / limit, 4)}
    assert first["peakHourShare"] == round(3 / limit, 4)
    assert report["budget"]["used"] == 6
    assert report["budget"]["remaining"] == limit - 6
    assert report["budget"]["share"] == round(6 / limit, 4)


async def test_counts_are_written_in_batches_not_per_request(app: FastAPI, caller: Caller) -> None:
    await avoid_window_edge()
    state = state_of(app)
    await state.usage.flush()  # whatever other tests left pending
    for _ in range(5):
        await caller.get("/v1/links")
    assert await rows_of(app, caller.account.id) == []  # five requests, no write yet
    before = await usage(caller)
    assert await state.usage.flush() >= 1
    key_id = key_entry(before, caller.key)["id"]
    assert await rows_of(app, caller.account.id) == [(key_id, current_hour(), 6, 0, 0)]
    after = await usage(caller)  # rows plus what is pending: nothing counted twice
    assert key_entry(after, caller.key)["requests"] == 7
    await state.usage.flush()
    await state.usage.flush()  # nothing new: nothing added
    assert await rows_of(app, caller.account.id) == [(key_id, current_hour(), 7, 0, 0)]


async def test_a_304_is_counted_but_not_against_the_budget(caller: Caller) -> None:
    await avoid_window_edge()
    tag = (await caller.get("/v1/profile")).headers["etag"]
    for _ in range(4):
        answer = await caller.get("/v1/profile", headers={"If-None-Match": tag})
        assert answer.status_code == 304
    entry = key_entry(await usage(caller), caller.key)
    assert entry["requests"] == 6
    assert entry["notModified"] == 4
    assert entry["daily"][-1]["notModified"] == 4
    assert entry["currentHour"]["budgetShare"] == round(2 / 1000, 4)  # the 200 and the report


async def test_refused_requests_are_counted_as_limited(app: FastAPI, caller: Caller) -> None:
    await avoid_window_edge()
    state = state_of(app)
    generation = await state.limiter.generation()
    for _ in range(1000):  # use up the account's hour without going through HTTP
        await state.limiter.hit(caller.account.id, generation)
    for _ in range(3):
        assert (await caller.get("/v1/links")).status_code == 429
    refused = await caller.get("/v1/usage")
    assert refused.status_code == 429  # the report is a request like any other
    other = await make_caller(app, caller.http)
    assert (await other.get("/v1/usage")).status_code == 200  # another account's budget
    await state.usage.flush()
    ((_, _, requests, limited, _),) = await rows_of(app, caller.account.id)
    assert (requests, limited) == (4, 4)
    for _ in range(5):  # give the hour back: 999 counted, the next request gets through
        await state.limiter.refund(caller.account.id, (current_hour() + 1) * HOUR)
    entry = key_entry(await usage(caller), caller.key)
    assert (entry["requests"], entry["limited"]) == (5, 4)
    assert entry["currentHour"]["budgetShare"] == round(1 / 1000, 4)


async def test_only_the_callers_account_is_shown(app: FastAPI, client: httpx.AsyncClient) -> None:
    mine = await make_caller(app, client)
    theirs = await make_caller(app, client)
    await theirs.get("/v1/links")
    report = await usage(mine)
    assert [k["key"][-4:] for k in report["keys"]] == [mine.key[-4:]]
    assert report["requests"] == 1


async def test_revoked_keys_show_only_while_their_usage_is_in_the_period(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await make_caller(app, client, tier="pro")  # Free allows two active keys
    used = await make_key(app, caller.account.id)
    unused = await make_key(app, caller.account.id)
    await caller.get("/v1/links", headers=caller.auth(used))
    async with state_of(app).db.transaction() as session:
        for secret in (used, unused):
            key_id = (
                await session.execute(select(ApiKey.id).where(ApiKey.last4 == secret[-4:]))
            ).scalar_one()
            await revoke_api_key(session, caller.account.id, key_id)
    report = await usage(caller)
    statuses = {k["key"][-4:]: k["status"] for k in report["keys"]}
    assert statuses == {caller.key[-4:]: "active", used[-4:]: "revoked"}
    assert key_entry(report, used)["requests"] == 1


async def test_days_follow_the_time_zone_asked_for(app: FastAPI, caller: Caller) -> None:
    key_id = key_entry(await usage(caller), caller.key)["id"]
    # Two hours yesterday, 23:00 and 22:00 UTC: in Berlin (UTC+1 in winter, +2 in summer) the
    # first is already today's; both are yesterday's in UTC.
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    late = int(today.timestamp()) // HOUR - 1
    async with state_of(app).db.transaction() as session:
        await session.execute(
            insert(KeyUsage),
            [
                {
                    "api_key_id": key_id,
                    "account_id": caller.account.id,
                    "hour": hour,
                    "requests": n,
                    "limited": 0,
                    "not_modified": 0,
                }
                for hour, n in ((late, 10), (late - 1, 20))
            ],
        )
    utc_day = datetime.fromtimestamp(late * HOUR, UTC).date()
    late_day = datetime.fromtimestamp(late * HOUR, ZoneInfo("Europe/Berlin")).date()
    assert late_day == utc_day + timedelta(days=1)
    in_utc = key_entry(await usage(caller, days=3), caller.key)
    assert {d["date"]: d["requests"] for d in in_utc["daily"]}[utc_day.isoformat()] == 30
    berlin = await usage(caller, days=3, tz="Europe/Berlin")
    assert berlin["timezone"] == "Europe/Berlin"
    days = {d["date"]: d["requests"] for d in key_entry(berlin, caller.key)["daily"]}
    assert days[utc_day.isoformat()] == 20
    assert days[late_day.isoformat()] >= 10  # and whatever this test asked today
    assert key_entry(berlin, caller.key)["peakHourShare"] == round(20 / 1000, 4)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"days": "0"}, "days"),
        ({"days": "91"}, "days"),
        ({"days": "a week"}, "days"),
        ({"tz": "Mars/Olympus"}, "tz"),
    ],
)
async def test_bad_parameters_answer_422_naming_them(
    caller: Caller, params: dict[str, str], field: str
) -> None:
    answer = await caller.http.get("/v1/usage", params=params, headers=caller.auth())
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in str(error["details"])


async def test_a_missing_or_unknown_key_is_401(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer ezx_" + "0" * 40}):
        answer = await client.get("/v1/usage", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "UNAUTHORIZED"


async def test_a_deleted_accounts_counts_are_dropped_and_the_rest_kept(app: FastAPI) -> None:
    state = state_of(app)
    counter = UsageCounter(state.db, interval=60)
    gone, kept = await make_account(app), await make_account(app)
    for account in (gone, kept):
        await make_key(app, account.id)
        counter.note(account.id, await key_id_of(app, account.id))
    async with state.db.transaction() as session:
        await session.execute(delete(Account).where(Account.id == gone.id))
    await counter.flush()
    assert await rows_of(app, gone.id) == []
    assert [row[2] for row in await rows_of(app, kept.id)] == [1]
    assert counter.pending_for(kept.id) == {}


async def test_stop_writes_what_is_pending_and_old_rows_are_purged(app: FastAPI) -> None:
    state = state_of(app)
    account = await make_account(app)
    await make_key(app, account.id)
    key_id = await key_id_of(app, account.id)
    too_old = current_hour() - RETENTION_DAYS * 24 - 1
    async with state.db.transaction() as session:
        await session.execute(
            insert(KeyUsage).values(
                api_key_id=key_id,
                account_id=account.id,
                hour=too_old,
                requests=5,
                limited=0,
                not_modified=0,
            )
        )
    counter = UsageCounter(state.db, interval=60)
    counter.start()
    counter.note(account.id, key_id)
    counter.note(account.id, key_id, limited=True)
    counter.note_not_modified(account.id, key_id)
    await counter.stop()
    assert await rows_of(app, account.id) == [(key_id, current_hour(), 2, 1, 1)]
    async with state.db.session() as session:
        left = await session.execute(
            select(func.count()).select_from(KeyUsage).where(KeyUsage.hour < too_old + 1)
        )
        assert left.scalar_one() == 0
