"""Custom-domain fixtures: a real DNS server, and an app that asks it (and only it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from eziox.app import create_app
from eziox.config import Settings
from tests.backends import Backend
from tests.conftest import make_settings
from tests.domains.dnsserver import LocalDns

PUBLIC_URL = "https://eziox.example"


@pytest.fixture(scope="session")
def dns() -> Iterator[LocalDns]:
    server = LocalDns()
    server.start()
    yield server
    server.stop()


def domain_settings(backend: Backend, data_dir: Path, dns: LocalDns, **extra: object) -> Settings:
    return make_settings(
        backend,
        data_dir,
        public_url=PUBLIC_URL,
        dns_nameservers=dns.address,
        dns_timeout=2.0,
        **extra,
    )


@pytest.fixture(scope="session")
async def domain_app(
    settings: Settings, backend: Backend, data_dir: Path, dns: LocalDns
) -> AsyncIterator[FastAPI]:
    # `settings` first: it migrates the run's database.
    application = create_app(domain_settings(backend, data_dir, dns), migrate_on_start=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(domain_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=domain_app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="https://eziox.example") as client:
        yield client
