"""Authentication at the /v1 gate: every way a key can be wrong, and what a client sees."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, update

from eziox.apikeys import keyformat
from eziox.app import create_app
from eziox.config import Settings
from eziox.kit.time import utcnow
from eziox.models import ApiKey
from tests.factories import Caller, make_caller, make_key, state_of


def assert_unauthorized(response: httpx.Response, message_part: str = "") -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
    assert message_part in response.json()["error"]["message"]
    assert "x-ratelimit-limit" not in response.headers


@contextmanager
def count_queries(app: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = state_of(app).db.engine.sync_engine

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic ezx_abc", "Token x", "Bearer not-a-key", "ezx_only"],
)
async def test_missing_or_malformed_header(client: httpx.AsyncClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    assert_unauthorized(await client.get("/v1/profile", headers=headers))


async def test_broken_checksum_is_refused_without_a_database_query(
    app: FastAPI, caller: Caller
) -> None:
    last = caller.key[-1]
    broken = caller.key[:-1] + ("A" if last != "A" else "B")
    with count_queries(app) as statements:
        response = await caller.http.get("/v1/profile", headers=caller.auth(broken))
    assert_unauthorized(response)
    assert statements == []


async def test_well_formed_unknown_key(caller: Caller) -> None:
    stranger = keyformat.generate().secret
    assert_unauthorized(await caller.http.get("/v1/profile", headers=caller.auth(stranger)))


async def test_lowercase_bearer_scheme_is_accepted(caller: Caller) -> None:
    response = await caller.http.get(
        "/v1/profile", headers={"Authorization": f"bearer {caller.key}"}
    )
    assert response.status_code == 200


async def test_expired_key_is_refused(app: FastAPI, caller: Caller) -> None:
    key = await make_key(app, caller.account.id, expires_in_days=1)
    assert (await caller.http.get("/v1/profile", headers=caller.auth(key))).status_code == 200
    async with state_of(app).db.transaction() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.digest == keyformat.digest(key))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    # The cached entry holds the expiry time itself: no invalidation is needed for expiry.
    state_of(app).keys.clear()
    assert_unauthorized(await caller.http.get("/v1/profile", headers=caller.auth(key)), "expired")


async def test_expiry_is_enforced_from_cache_too(app: FastAPI, caller: Caller) -> None:
    key = await make_key(app, caller.account.id, expires_in_days=1)
    assert (await caller.http.get("/v1/profile", headers=caller.auth(key))).status_code == 200
    cached = state_of(app).keys.cached(keyformat.digest(key))
    assert cached is not None
    cached.expires_at = utcnow() - timedelta(seconds=1)
    assert_unauthorized(await caller.http.get("/v1/profile", headers=caller.auth(key)), "expired")


async def test_revoked_key_stops_on_the_next_request(app: FastAPI, caller: Caller) -> None:
    from eziox.apikeys.service import list_api_keys, revoke_api_key

    assert (await caller.get("/v1/profile")).status_code == 200  # now cached
    async with state_of(app).db.transaction() as session:
        (key,) = await list_api_keys(session, caller.account.id)
        await revoke_api_key(session, caller.account.id, key.id)
    assert_unauthorized(await caller.get("/v1/profile"))


async def test_deleted_account_keys_stop_at_once(app: FastAPI, caller: Caller) -> None:
    from eziox.accounts.service import delete_account

    assert (await caller.get("/v1/links")).status_code == 200
    async with state_of(app).db.transaction() as session:
        await delete_account(session, caller.account.id)
    assert_unauthorized(await caller.get("/v1/links"))


async def test_last_used_is_recorded_without_a_write_per_request(
    app: FastAPI, caller: Caller
) -> None:
    from eziox.apikeys.service import list_api_keys

    for _ in range(5):
        assert (await caller.get("/v1/profile")).status_code == 200
    await state_of(app).keys.drain()
    with count_queries(app) as statements:
        for _ in range(5):
            assert (await caller.get("/v1/profile")).status_code == 200
        await state_of(app).keys.drain()
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    async with state_of(app).db.session() as session:
        (key,) = await list_api_keys(session, caller.account.id)
    assert key.last_used_at is not None
    assert utcnow() - key.last_used_at < timedelta(minutes=1)


async def test_failed_authentication_is_limited_per_ip(settings: Settings, app: FastAPI) -> None:
    limited = create_app(
        settings.model_copy(update={"auth_failure_limit": 5}), migrate_on_start=False
    )
    attacker_ip = f"198.51.100.{secrets.randbelow(250) + 1}"
    async with (
        limited.router.lifespan_context(limited),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=limited, client=(attacker_ip, 5000)),
            base_url="http://testserver",
        ) as attacker,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=limited, client=("192.0.2.10", 5000)),
            base_url="http://testserver",
        ) as bystander,
    ):
        good = await make_caller(limited, attacker)
        for _ in range(5):
            guess = keyformat.generate().secret
            assert_unauthorized(await attacker.get("/v1/profile", headers=good.auth(guess)))
        blocked = await attacker.get("/v1/profile", headers=good.auth(keyformat.generate().secret))
        assert blocked.status_code == 429
        assert blocked.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
        assert int(blocked.headers["retry-after"]) == blocked.json()["error"]["retryAfter"] > 0
        # Other addresses are unaffected.
        assert (await bystander.get("/v1/profile", headers=good.auth())).status_code == 200


async def test_a_valid_key_gets_through_from_an_address_blocked_for_failures(
    settings: Settings,
) -> None:
    limited = create_app(
        settings.model_copy(update={"auth_failure_limit": 5}), migrate_on_start=False
    )
    shared_ip = f"198.51.100.{secrets.randbelow(250) + 1}"  # one NAT: an attacker and a user
    transport = httpx.ASGITransport(app=limited, client=(shared_ip, 5000))
    async with (
        limited.router.lifespan_context(limited),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as nat,
    ):
        user = await make_caller(limited, nat)
        uncached_key = await make_key(limited, user.account.id)
        for _ in range(6):
            await nat.get("/v1/profile", headers=user.auth(keyformat.generate().secret))
        guess = await nat.get("/v1/profile", headers=user.auth(keyformat.generate().secret))
        assert guess.status_code == 429
        malformed = await nat.get("/v1/profile", headers={"Authorization": "Bearer nope"})
        assert malformed.status_code == 429
        # The user's keys, cached or looked up for the first time, keep working...
        for key in (user.key, uncached_key):
            answer = await nat.get("/v1/profile", headers=user.auth(key))
            assert answer.status_code == 200
            assert int(answer.headers["x-ratelimit-remaining"]) >= 0
        # ...and the attacker's next guesses are still refused.
        again = await nat.get("/v1/profile", headers=user.auth(keyformat.generate().secret))
        assert again.status_code == 429


async def test_ipv6_failures_count_per_64_network(settings: Settings) -> None:
    limited = create_app(
        settings.model_copy(update={"auth_failure_limit": 3}), migrate_on_start=False
    )
    network = f"2001:db8:{secrets.randbelow(65535):x}:{secrets.randbelow(65535):x}"

    def client_at(host: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=limited, client=(host, 5000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async with limited.router.lifespan_context(limited):
        # An attacker rotating addresses inside one /64 is still one attacker.
        for host in (f"{network}::1", f"{network}::2", f"{network}:ffff:ffff:ffff:3"):
            async with client_at(host) as rotating:
                guess = {"Authorization": f"Bearer {keyformat.generate().secret}"}
                assert_unauthorized(await rotating.get("/v1/profile", headers=guess))
        async with client_at(f"{network}::beef") as same_network:
            guess = {"Authorization": f"Bearer {keyformat.generate().secret}"}
            assert (await same_network.get("/v1/profile", headers=guess)).status_code == 429
        async with client_at("2001:db8:ffff:ffff::1") as elsewhere:
            guess = {"Authorization": f"Bearer {keyformat.generate().secret}"}
            assert_unauthorized(await elsewhere.get("/v1/profile", headers=guess))
