"""Forgot password → mail with a single-use link → new password: every path and error path.

Decision tested here: over the per-IP limit the forgot page answers 429 (it says nothing
about any address); over the per-address limit it answers the same neutral page as always,
and queues no mail.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import time_machine
from fastapi import FastAPI
from sqlalchemy import func, select

from eziox.kit.time import utcnow
from eziox.models import Account, OutgoingMail, WebSession
from eziox.web.password_reset import AFTER_RESET, FORGOT_PER_ADDRESS, FORGOT_PER_IP
from tests.dashboard.browser import TOKEN, WebUser, sign_up
from tests.factories import state_of
from tests.security.test_headers import assert_secure_html

NEUTRAL = "If an account has this address, we sent a link to it."
GONE = "This link does not work any more"
NEW_PASSWORD = "c0rrect-h0rse-battery"
LINK = re.compile(r"http://[^/\s]+/reset-password/([A-Za-z0-9_-]+)")


def new_client(app: FastAPI) -> httpx.AsyncClient:
    ip = f"198.20.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=app, client=(ip, 5555))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with new_client(app) as client:
        yield client


@pytest.fixture
async def user(app: FastAPI) -> AsyncIterator[WebUser]:
    async with new_client(app) as client:
        yield await sign_up(client, f"r{secrets.token_hex(5)}")


def email_of(user: WebUser) -> str:
    return f"{user.username}@example.com"


async def csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = TOKEN.search(page.text)
    assert match, (path, page.status_code)
    return match.group(1)


async def ask(client: httpx.AsyncClient, email: str) -> httpx.Response:
    token = await csrf(client, "/forgot-password")
    return await client.post("/forgot-password", data={"csrf_token": token, "email": email})


async def mails_to(app: FastAPI, email: str) -> list[str]:
    async with state_of(app).db.session() as session:
        rows = await session.scalars(
            select(OutgoingMail.text_body)
            .where(OutgoingMail.to_address == email)
            .order_by(OutgoingMail.created_at)
        )
        return list(rows)


async def link_for(app: FastAPI, client: httpx.AsyncClient, email: str) -> str:
    response = await ask(client, email)
    assert response.status_code == 200
    [*_, body] = await mails_to(app, email)
    match = LINK.search(body)
    assert match, body
    return f"/reset-password/{match.group(1)}"


async def choose(client: httpx.AsyncClient, link: str, password: str) -> httpx.Response:
    token = await csrf(client, link)
    return await client.post(link, data={"csrf_token": token, "password": password})


async def signs_in(app: FastAPI, login: str, password: str) -> bool:
    async with new_client(app) as client:
        token = await csrf(client, "/sign-in")
        response = await client.post(
            "/sign-in", data={"csrf_token": token, "login": login, "password": password}
        )
        return response.status_code == 303


async def test_the_whole_reset_flow(
    app: FastAPI, user: WebUser, browser: httpx.AsyncClient
) -> None:
    old_session = user.http  # signed in since sign-up
    assert (await old_session.get("/profile")).status_code == 200
    answer = await ask(browser, email_of(user).upper())  # addresses match case-insensitively
    assert answer.status_code == 200
    assert NEUTRAL in answer.text
    assert_secure_html(answer)
    link = await link_for(app, browser, email_of(user))
    form = await browser.get(link)
    assert form.status_code == 200
    assert user.username in form.text
    assert 'autocomplete="new-password"' in form.text
    assert form.headers["referrer-policy"] == "same-origin"  # the URL stays on this site
    assert_secure_html(form)

    done = await choose(browser, link, NEW_PASSWORD)
    assert done.status_code == 303
    assert done.headers["location"] == AFTER_RESET
    assert (await browser.get(AFTER_RESET)).status_code == 200  # signed in, new session
    assert (await old_session.get("/profile")).status_code == 303  # every old session ended
    assert not await signs_in(app, user.username, user.password)
    assert await signs_in(app, user.username, NEW_PASSWORD)


async def test_every_session_of_the_account_ends(app: FastAPI, user: WebUser) -> None:
    async with new_client(app) as other, new_client(app) as resetter:
        token = await csrf(other, "/sign-in")
        login = {"csrf_token": token, "login": user.username, "password": user.password}
        assert (await other.post("/sign-in", data=login)).status_code == 303
        link = await link_for(app, resetter, email_of(user))
        assert (await choose(resetter, link, NEW_PASSWORD)).status_code == 303
        assert (await other.get("/profile")).status_code == 303
        assert (await user.http.get("/profile")).status_code == 303
        assert (await resetter.get("/profile")).status_code == 200
    async with state_of(app).db.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(WebSession)
            .join(Account, Account.id == WebSession.account_id)
            .where(Account.username == user.username)
        )
    assert count == 1  # only the session the reset started


async def test_a_link_works_once(app: FastAPI, user: WebUser, browser: httpx.AsyncClient) -> None:
    link = await link_for(app, browser, email_of(user))
    token = await csrf(browser, link)
    first = await browser.post(link, data={"csrf_token": token, "password": NEW_PASSWORD})
    assert first.status_code == 303
    async with new_client(app) as again:
        page = await again.get(link)
        assert page.status_code == 410
        assert GONE in page.text
        assert_secure_html(page)
        token = await csrf(again, "/forgot-password")
        reused = await again.post(link, data={"csrf_token": token, "password": "an0ther-passw0rd"})
        assert reused.status_code == 410
        assert "eziox_session" not in reused.cookies
    assert await signs_in(app, user.username, NEW_PASSWORD)
    assert not await signs_in(app, user.username, "an0ther-passw0rd")


async def test_two_parallel_uses_of_a_link_cannot_both_win(app: FastAPI, user: WebUser) -> None:
    async with new_client(app) as first, new_client(app) as second:
        link = await link_for(app, first, email_of(user))
        forms = [
            {"csrf_token": await csrf(client, link), "password": password}
            for client, password in ((first, NEW_PASSWORD), (second, "an0ther-passw0rd"))
        ]
        answers = await asyncio.gather(
            first.post(link, data=forms[0]), second.post(link, data=forms[1])
        )
    assert sorted(a.status_code for a in answers) == [303, 410]
    winner = NEW_PASSWORD if answers[0].status_code == 303 else "an0ther-passw0rd"
    loser = "an0ther-passw0rd" if winner == NEW_PASSWORD else NEW_PASSWORD
    assert await signs_in(app, user.username, winner)
    assert not await signs_in(app, user.username, loser)


async def test_an_expired_link_changes_nothing(
    app: FastAPI, user: WebUser, browser: httpx.AsyncClient
) -> None:
    link = await link_for(app, browser, email_of(user))
    token = await csrf(browser, link)
    with time_machine.travel(utcnow() + timedelta(minutes=59)):
        assert (await browser.get(link)).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        assert (await browser.get(link)).status_code == 410
        late = await browser.post(link, data={"csrf_token": token, "password": NEW_PASSWORD})
        assert late.status_code == 410
        assert GONE in late.text
    assert (await user.http.get("/profile")).status_code == 200  # still signed in
    assert await signs_in(app, user.username, user.password)


async def test_a_weak_password_is_refused_in_the_form_and_the_link_still_works(
    app: FastAPI, user: WebUser, browser: httpx.AsyncClient
) -> None:
    link = await link_for(app, browser, email_of(user))
    weak = await choose(browser, link, "short")
    assert weak.status_code == 422
    assert "at least 8 characters" in weak.text
    assert 'aria-invalid="true"' in weak.text
    common = await choose(browser, link, "password123")
    assert common.status_code == 422
    assert "most common" in common.text
    assert (await user.http.get("/profile")).status_code == 200  # nothing ended
    assert (await choose(browser, link, NEW_PASSWORD)).status_code == 303


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    app: FastAPI, user: WebUser, browser: httpx.AsyncClient
) -> None:
    known = await ask(browser, email_of(user))
    nobody = f"nobody-{secrets.token_hex(4)}@example.com"
    unknown = await ask(browser, nobody)
    garbage = await ask(browser, "not an address")
    for answer in (unknown, garbage):
        assert answer.status_code == known.status_code == 200
        assert NEUTRAL in answer.text
    assert await mails_to(app, nobody) == []
    assert len(await mails_to(app, email_of(user))) == 1


async def test_unknown_and_malformed_tokens_get_a_clear_page(
    browser: httpx.AsyncClient,
) -> None:
    for token in ("nope", secrets.token_urlsafe(32), "x" * 500, "%C3%A9t%C3%A9"):
        page = await browser.get(f"/reset-password/{token}")
        assert page.status_code == 410, token
        assert GONE in page.text
        assert 'href="/forgot-password"' in page.text
        csrf_token = await csrf(browser, "/forgot-password")
        sent = await browser.post(
            f"/reset-password/{token}", data={"csrf_token": csrf_token, "password": NEW_PASSWORD}
        )
        assert sent.status_code == 410


async def test_a_wrong_csrf_token_changes_nothing(
    app: FastAPI, user: WebUser, browser: httpx.AsyncClient
) -> None:
    refused = await browser.post(
        "/forgot-password", data={"csrf_token": "forged", "email": email_of(user)}
    )
    assert refused.status_code == 403
    assert await mails_to(app, email_of(user)) == []
    link = await link_for(app, browser, email_of(user))
    forged = await browser.post(link, data={"csrf_token": "forged", "password": NEW_PASSWORD})
    assert forged.status_code == 403
    other_site = await browser.post(
        link,
        data={"csrf_token": await csrf(browser, link), "password": NEW_PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    assert (await browser.get(link)).status_code == 200  # the link still works
    assert await signs_in(app, user.username, user.password)


async def test_requests_are_limited_per_address(app: FastAPI, user: WebUser) -> None:
    for _ in range(FORGOT_PER_ADDRESS + 2):
        async with new_client(app) as client:  # a new network each time
            answer = await ask(client, email_of(user))
            assert answer.status_code == 200
            assert NEUTRAL in answer.text
    assert len(await mails_to(app, email_of(user))) == FORGOT_PER_ADDRESS


async def test_requests_are_limited_per_ip(app: FastAPI, browser: httpx.AsyncClient) -> None:
    for _ in range(FORGOT_PER_IP):
        assert (await ask(browser, f"n{secrets.token_hex(4)}@example.com")).status_code == 200
    over = await ask(browser, f"n{secrets.token_hex(4)}@example.com")
    assert over.status_code == 429
    assert int(over.headers["retry-after"]) > 0
    assert "Too many requests" in over.text
    assert_secure_html(over)


async def test_the_sign_in_page_links_to_the_forgot_page(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/sign-in")
    assert '<a href="/forgot-password">Forgot your password?</a>' in page.text
    forgot = await browser.get("/forgot-password")
    assert '<label for="email">Email</label>' in forgot.text
    assert "<h1>Forgot your password?</h1>" in forgot.text


async def test_the_token_stays_out_of_the_access_log(
    browser: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = secrets.token_urlsafe(32)
    with caplog.at_level(logging.INFO, logger="eziox.access"):
        await browser.get(f"/reset-password/{token}")
        await browser.post(f"/reset-password/{token}", data={"csrf_token": "x"})
    lines = [r.getMessage() for r in caplog.records if r.name == "eziox.access"]
    assert any("/reset-password/{token}" in line for line in lines), lines
    assert not [line for line in lines if token in line]
