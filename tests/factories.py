"""Small factories shared by every domain's tests: an account, a key, an authed client."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from eziox.accounts.service import create_account
from eziox.apikeys.service import create_api_key
from eziox.models import Account
from eziox.state import AppState


def state_of(app: FastAPI) -> AppState:
    state: AppState = app.state.eziox
    return state


async def make_account(app: FastAPI, *, tier: str = "free", username: str | None = None) -> Account:
    username = username or f"u{secrets.token_hex(6)}"
    async with state_of(app).db.transaction() as session:
        return await create_account(
            session,
            username=username,
            email=f"{username}@example.com",
            password="correct horse battery",
            tier=tier,
        )


async def make_key(
    app: FastAPI, account_id: str, permissions: str = "all", expires_in_days: int | None = None
) -> str:
    async with state_of(app).db.transaction() as session:
        created = await create_api_key(
            session,
            account_id,
            name="test",
            permissions=permissions,
            expires_in_days=expires_in_days,
        )
    return created.secret


@dataclass
class Caller:
    """An account, one of its keys, and a client that sends it."""

    account: Account
    key: str
    http: httpx.AsyncClient

    def auth(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.key}"}

    async def request(
        self, method: str, url: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        return await self.http.request(
            method, url, headers={**self.auth(), **(headers or {})}, **kwargs
        )

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)


async def make_caller(
    app: FastAPI, http: httpx.AsyncClient, *, tier: str = "free", permissions: str = "all"
) -> Caller:
    account = await make_account(app, tier=tier)
    return Caller(account, await make_key(app, account.id, permissions), http)
