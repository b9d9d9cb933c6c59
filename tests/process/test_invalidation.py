"""A running server sees CLI revocations and tier changes on its very next request.

The server caches key lookups in memory; the CLI is another process. Without Redis the
invalidation travels through a generation file in the data directory, with Redis through a
counter there — either way no sleep and no cache expiry is involved.
"""

from __future__ import annotations

import secrets

import httpx
import pytest

from eziox.config import Settings
from tests.process.servers import (
    avoid_window_edge,
    eziox_env,
    http_client,
    provision,
    run_eziox,
    running,
)

pytestmark = pytest.mark.slow


def limit_of(response: httpx.Response) -> tuple[int, int]:
    headers = response.headers
    return int(headers["x-ratelimit-limit"]), int(headers["x-ratelimit-remaining"])


async def test_revocation_and_tier_change_apply_on_the_next_request(settings: Settings) -> None:
    owner = await provision(settings, f"inv_{secrets.token_hex(4)}", keys=2)
    (revoked_id, revoked_key), (_, other_key) = owner.keys
    env = eziox_env(settings)
    await avoid_window_edge(settings.rate_limit_window, margin=60)  # counts below: one window

    async with (
        running((env, ())) as [server],
        http_client(server.url) as http,
    ):

        async def profile(key: str) -> httpx.Response:
            return await http.get("/v1/profile", headers={"Authorization": f"Bearer {key}"})

        # Loaded once, then served from the server's key cache.
        for used in (1, 2):
            response = await profile(revoked_key)
            assert response.status_code == 200, response.text
            assert response.json()["username"] == owner.username
            assert limit_of(response) == (1000, 1000 - used)

        changed = await run_eziox(env, "users", "set-tier", owner.username, "pro")
        assert changed.returncode == 0, changed
        upgraded = await profile(revoked_key)
        assert upgraded.status_code == 200, upgraded.text
        assert limit_of(upgraded) == (5000, 5000 - 3)  # same window, same count, new limit

        revoked = await run_eziox(env, "keys", "revoke", revoked_id)
        assert revoked.returncode == 0, revoked
        refused = await profile(revoked_key)
        assert refused.status_code == 401, refused.text
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["error"]["code"] == "UNAUTHORIZED"
        assert "x-ratelimit-limit" not in refused.headers  # not counted against the account

        # Only that key: the account's other key still works, at the new tier.
        still = await profile(other_key)
        assert still.status_code == 200, still.text
        assert limit_of(still) == (5000, 5000 - 4)
        assert (await profile(revoked_key)).status_code == 401
