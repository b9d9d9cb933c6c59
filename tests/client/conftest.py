"""One real `eziox serve` for the SDK and CLI tests, and a fresh account with a key per test.

The server's rate-limit window is a few seconds instead of an hour, so that the 429 path can
be walked for real (exhaust the Free tier's 1,000, wait for the reset) in a few seconds.
Every test makes far fewer than 1,000 requests per account, so no other test is limited.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TypeVar

import pytest

from eziox.config import Settings
from tests.process.servers import Server, eziox_env, provision, running

T = TypeVar("T")
WINDOW = 3  # seconds: EZIOX_RATE_LIMIT_WINDOW of the test server


@dataclass(frozen=True)
class Account:
    username: str
    id: str
    key: str
    url: str  # the live server's base URL


@pytest.fixture(scope="package")
async def live(settings: Settings) -> AsyncIterator[Server]:
    env = eziox_env(settings, EZIOX_RATE_LIMIT_WINDOW=str(WINDOW))
    async with running((env, ())) as (server,):
        yield server


async def new_account(
    settings: Settings, server: Server, *, tier: str = "free", permissions: str = "all"
) -> Account:
    username = f"sdk_{secrets.token_hex(5)}"
    made = await provision(settings, username, tier=tier, permissions=permissions)
    return Account(username, made.account_id, made.keys[0][1], server.url)


@pytest.fixture
async def account(settings: Settings, live: Server) -> Account:
    return await new_account(settings, live)


async def blocking(work: Callable[[], T]) -> T:
    """Run sync-client code off the event loop: the suite's loop must never block (see
    tests/process/servers.py: a blocked loop can hold a SQLite write lock the server needs)."""
    return await asyncio.to_thread(work)
