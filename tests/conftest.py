"""Suite-wide fixtures: one migrated database per run, one app, a client per test."""

from __future__ import annotations

import functools
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from eziox import migrate
from eziox.accounts import rules
from eziox.app import create_app
from eziox.config import Settings, load_settings
from eziox.db import make_engine
from tests import backends
from tests.backends import Backend
from tests.factories import Caller, make_caller
from tests.process.servers import PrivateRedis, free_port


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("eziox-data")


@pytest.fixture(scope="session")
async def backend(data_dir: Path) -> AsyncIterator[Backend]:
    if backends.selected() == "sqlite":
        yield backends.sqlite_backend(data_dir)
        return
    backends.require_redis()
    name = f"eziox_test_{secrets.token_hex(6)}"
    await backends.create_pg_database(name)
    prefix = f"eziox-test-{name}"
    try:
        yield Backend("postgres", backends.pg_url(name), backends.REDIS_URL, prefix)
    finally:
        await backends.clear_redis_prefix(prefix)
        await backends.drop_pg_database(name)


def make_settings(backend: Backend, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "database_url": backend.database_url,
        "redis_url": backend.redis_url,
        "redis_prefix": backend.redis_prefix,
        "secret_key": "test-secret",
        "auth_failure_limit": 1_000_000,
        "sign_up_limit": 1_000_000,  # many tests sign up from one address
        # Webhook tests drive the delivery worker themselves (tests/webhooks).
        "webhook_worker": False,
        "mail_worker": False,  # mail tests drive the mail worker themselves (tests/mail)
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture(scope="session")
async def settings(backend: Backend, data_dir: Path) -> Settings:
    settings = make_settings(backend, data_dir)
    engine = make_engine(settings)
    await migrate.upgrade(engine)
    await engine.dispose()
    return settings


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings, migrate_on_start=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def caller(app: FastAPI, client: httpx.AsyncClient) -> Caller:
    return await make_caller(app, client)


_hash_once = functools.cache(rules.hash_password)


@pytest.fixture
def one_hash_for_the_shared_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 is slow by design (~0.3 s a hash) and every factory account has the same
    password: hash it once. For tests whose accounts never sign in with their password."""
    monkeypatch.setattr(rules, "hash_password", _hash_once)


@pytest.fixture
async def private_redis() -> AsyncIterator[PrivateRedis]:
    """A `redis-server` of the test's own on a free port: a test may flush or kill it."""
    redis = PrivateRedis(free_port())
    await redis.start()
    try:
        yield redis
    finally:
        redis.kill()
