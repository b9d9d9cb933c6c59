"""Webhook fixtures: a local receiver, and an app that may deliver to it (http, loopback)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from eziox.app import create_app
from eziox.config import Settings
from eziox.state import AppState
from tests.backends import Backend
from tests.conftest import make_settings
from tests.factories import Caller, make_caller, state_of
from tests.webhooks.receiver import Receiver

_paths = itertools.count()


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def hook_path() -> str:
    """A path of the receiver of this test's own."""
    return f"/hook/{next(_paths)}"


@pytest.fixture(scope="session")
async def hook_settings(settings: Settings, backend: Backend, data_dir: Path) -> Settings:
    return make_settings(
        backend,
        data_dir,
        webhook_allow_http=True,
        webhook_allow_private=True,
        webhook_timeout=1.0,
        webhook_lease=3.0,
    )


@pytest.fixture(scope="session")
async def hook_app(hook_settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(hook_settings, migrate_on_start=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def hooks(hook_app: FastAPI) -> AppState:
    return state_of(hook_app)


@pytest.fixture
async def hook_client(hook_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hook_app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def pro(hook_app: FastAPI, hook_client: httpx.AsyncClient) -> Caller:
    """A Pro account (3 endpoints) with a full-access key, on the app that allows loopback."""
    return await make_caller(hook_app, hook_client, tier="pro")
