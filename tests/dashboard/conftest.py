"""A browser signed up to a fresh account, for the dashboard's tests."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.dashboard.browser import WebUser, sign_up


@pytest.fixture
async def user(app: FastAPI) -> AsyncIterator[WebUser]:
    ip = f"198.19.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=app, client=(ip, 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield await sign_up(client, f"d{secrets.token_hex(5)}")
