"""Settings that guard the account: a password change signs out every other session, and the
email (the way back into the account) changes only with the current password."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from eziox.models import Account
from tests.dashboard.browser import WebUser, sign_up
from tests.factories import state_of

NEW_PASSWORD = "An0ther-long-one"


def browser(app: FastAPI) -> httpx.AsyncClient:
    ip = f"198.21.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=app, client=(ip, 5555))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def user(app: FastAPI) -> AsyncIterator[WebUser]:
    async with browser(app) as client:
        yield await sign_up(client, f"g{secrets.token_hex(5)}")


async def signed_in_elsewhere(app: FastAPI, user: WebUser, password: str) -> WebUser:
    other = WebUser(browser(app), user.username, password)
    response = await other.submit(
        "/sign-in", {"login": user.username, "password": password}, token_from="/sign-in"
    )
    assert response.status_code == 303, response.text
    return other


async def is_signed_in(user: WebUser) -> bool:
    return (await user.http.get("/profile")).status_code == 200


async def email_of(app: FastAPI, user: WebUser) -> str:
    async with state_of(app).db.session() as session:
        query = select(Account.email).where(Account.username == user.username)
        return str(await session.scalar(query))


async def test_password_change_signs_out_every_other_session(app: FastAPI, user: WebUser) -> None:
    phone = await signed_in_elsewhere(app, user, user.password)
    laptop = await signed_in_elsewhere(app, user, user.password)
    try:
        assert await is_signed_in(phone)
        changed = await user.submit(
            "/profile/settings/password",
            {
                "current_password": user.password,
                "new_password": NEW_PASSWORD,
                "confirm_password": NEW_PASSWORD,
            },
        )
        assert changed.status_code == 303
        assert await is_signed_in(user)  # the browser that changed it stays signed in
        assert not await is_signed_in(phone)
        assert not await is_signed_in(laptop)
        again = await signed_in_elsewhere(app, user, NEW_PASSWORD)
        assert await is_signed_in(again)
        await again.http.aclose()
    finally:
        await phone.http.aclose()
        await laptop.http.aclose()


async def test_a_refused_password_change_signs_nobody_out(app: FastAPI, user: WebUser) -> None:
    phone = await signed_in_elsewhere(app, user, user.password)
    try:
        wrong = await user.submit(
            "/profile/settings/password",
            {
                "current_password": "not-my-password",
                "new_password": NEW_PASSWORD,
                "confirm_password": NEW_PASSWORD,
            },
        )
        assert wrong.status_code == 422
        assert await is_signed_in(phone)
    finally:
        await phone.http.aclose()


@pytest.mark.parametrize("password", [None, "", "not-my-password"])
async def test_email_change_needs_the_current_password(
    app: FastAPI, user: WebUser, password: str | None
) -> None:
    before = await email_of(app, user)
    data = {"email": f"taken-over-{user.username}@example.com"}
    if password is not None:
        data["password"] = password
    refused = await user.submit("/profile/settings/email", data)
    assert refused.status_code == 422
    assert "Is not your current password" in refused.text
    assert 'id="f-password" name="password" type="password" value=""' in refused.text
    assert await email_of(app, user) == before


async def test_email_change_with_the_current_password(app: FastAPI, user: WebUser) -> None:
    email = f"new-{user.username}@example.com"
    saved = await user.submit(
        "/profile/settings/email", {"email": email, "password": user.password}
    )
    assert saved.status_code == 303
    assert await email_of(app, user) == email


async def test_without_the_password_nobody_learns_whether_an_email_is_taken(
    app: FastAPI, user: WebUser
) -> None:
    async with browser(app) as other_browser:
        other = await sign_up(other_browser, f"h{secrets.token_hex(5)}")
    refused = await user.submit(
        "/profile/settings/email", {"email": f"{other.username}@example.com", "password": "x"}
    )
    assert refused.status_code == 422
    assert "already exists" not in refused.text


async def test_the_settings_tab_says_when_mail_is_off(user: WebUser) -> None:
    page = await user.http.get("/profile?tab=settings")
    assert page.status_code == 200
    assert "Mail is off on this server." in page.text
    assert "EZIOX_SMTP_URL" in page.text

