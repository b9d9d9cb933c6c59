"""Passwords: any Unicode is accepted, but not one made only of spaces or invisible
characters — at sign-up and on a password change (the CLI: tests/process/test_cli.py)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from eziox.models import Account
from tests.dashboard.browser import WebUser, sign_up
from tests.factories import state_of

BLANK = [
    " " * 8,
    "\t" * 8,
    "\u00a0" * 8,  # no-break spaces
    "\u3000" * 8,  # ideographic spaces
    "\u200b" * 8,  # zero-width spaces
    " \u200d \ufeff \u2060  ",  # spaces, a joiner, a BOM and a word joiner
]
UNICODE = [
    "пароль-для-входа",
    "密码很长很长很长",
    "🔑🔑🔑🔑🔑🔑🔑🔑",
    "  spaces around  ",
    "tab\tinside!",
]


def browser(app: FastAPI) -> httpx.AsyncClient:
    ip = f"198.22.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=app, client=(ip, 5555))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(app) as client:
        yield client


async def accounts_named(app: FastAPI, username: str) -> int:
    async with state_of(app).db.session() as session:
        query = select(func.count()).select_from(Account).where(Account.username == username)
        return int(await session.scalar(query) or 0)


async def try_sign_up(http: httpx.AsyncClient, password: str) -> tuple[str, httpx.Response]:
    username = f"p{secrets.token_hex(5)}"
    user = WebUser(http, username, password)
    response = await user.submit(
        "/sign-up",
        {"username": username, "email": f"{username}@example.com", "password": password},
        token_from="/sign-up",
    )
    return username, response


@pytest.mark.parametrize("password", BLANK)
async def test_blank_password_is_refused_at_sign_up(
    app: FastAPI, http: httpx.AsyncClient, password: str
) -> None:
    username, response = await try_sign_up(http, password)
    assert response.status_code == 422
    assert "Password must not be only spaces or invisible characters" in response.text
    assert await accounts_named(app, username) == 0


@pytest.mark.parametrize("password", UNICODE)
async def test_any_other_unicode_password_works(
    app: FastAPI, http: httpx.AsyncClient, password: str
) -> None:
    username, response = await try_sign_up(http, password)
    assert response.status_code == 303, response.text
    async with browser(app) as other:
        again = WebUser(other, username, password)
        signed_in = await again.submit(
            "/sign-in", {"login": username, "password": password}, token_from="/sign-in"
        )
        assert signed_in.status_code == 303
        assert (await other.get("/profile")).status_code == 200


@pytest.mark.parametrize("password", BLANK[:1] + BLANK[-1:])
async def test_blank_new_password_is_refused_and_the_old_one_kept(
    app: FastAPI, http: httpx.AsyncClient, password: str
) -> None:
    user = await sign_up(http, f"q{secrets.token_hex(5)}")
    refused = await user.submit(
        "/profile/settings/password",
        {
            "current_password": user.password,
            "new_password": password,
            "confirm_password": password,
        },
    )
    assert refused.status_code == 422
    assert "only spaces or invisible characters" in refused.text
    async with browser(app) as other:
        old = WebUser(other, user.username)
        signed_in = await old.submit(
            "/sign-in", {"login": user.username, "password": user.password}, token_from="/sign-in"
        )
        assert signed_in.status_code == 303
