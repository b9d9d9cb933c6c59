"""Fixtures of the process tests."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from eziox.config import Settings
from tests import backends


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
