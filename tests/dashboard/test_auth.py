"""Sign-up, sign-in, sign-out: sessions, CSRF, limits, inline errors."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from eziox.accounts import passwords, rules
from eziox.app import create_app
from eziox.config import Settings
from eziox.models import Account, WebSession
from eziox.web.auth import SIGN_IN_WINDOW
from tests.dashboard.browser import TOKEN, WebUser, sign_up
from tests.factories import Caller, state_of

BOUND = 15.0  # generous: only a hang reaches it


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    ip = f"198.18.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=app, client=(ip, 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def name() -> str:
    return f"w{secrets.token_hex(5)}"


async def accounts_named(app: FastAPI, username: str) -> int:
    async with state_of(app).db.session() as session:
        query = select(func.count()).select_from(Account).where(Account.username == username)
        return int(await session.scalar(query) or 0)


async def test_landing_and_sign_up_flow(app: FastAPI, browser: httpx.AsyncClient) -> None:
    landing = await browser.get("/")
    assert landing.status_code == 200
    assert 'href="/sign-up"' in landing.text
    assert 'href="/api-docs"' in landing.text
    username = name()
    user = await sign_up(browser, username)
    cookie = browser.cookies.get("eziox_session")
    assert cookie
    dashboard = await browser.get("/profile?tab=links&notice=welcome")
    assert dashboard.status_code == 200
    assert "Welcome!" in dashboard.text
    assert dashboard.headers["cache-control"] == "no-store"
    assert "unsafe-inline" not in dashboard.headers["content-security-policy"]
    assert await accounts_named(app, user.username) == 1
    assert (await browser.get("/")).headers["location"] == "/profile"


async def test_session_cookie_flags(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/sign-up")
    token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    response = await browser.post(
        "/sign-up",
        data={
            "csrf_token": token,
            "username": name(),
            "email": f"{name()}@example.com",
            "password": "Tr0ub4dor&3-horse",
        },
    )
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "secure" not in header  # public URL is http in tests


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"username": "ab"}, "username", "3-30"),
        ({"username": "admin"}, "username", "reserved"),
        ({"email": "nope"}, "email", "valid email"),
        ({"password": "short"}, "password", "at least 8"),
        ({"password": "password123"}, "password", "most common"),
    ],
)
async def test_sign_up_errors_are_inline_and_keep_input(
    app: FastAPI, browser: httpx.AsyncClient, fields: dict[str, str], field: str, message: str
) -> None:
    username = fields.get("username", name())
    data = {"username": username, "email": f"{name()}@example.com", "password": "Tr0ub4dor&3-horse"}
    data.update(fields)
    page = await browser.get("/sign-up")
    response = await browser.post(
        "/sign-up",
        data={"csrf_token": TOKEN.search(page.text).group(1), **data},  # type: ignore[union-attr]
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert f'value="{data["email"]}"' in response.text  # what was typed stays...
    assert data["password"] not in response.text  # ...except the password
    assert "eziox_session" not in browser.cookies


async def test_duplicate_username_is_a_conflict(browser: httpx.AsyncClient) -> None:
    user = await sign_up(browser, name())
    async with httpx.AsyncClient(
        transport=browser._transport, base_url="http://testserver"
    ) as other:
        page = await other.get("/sign-up")
        response = await other.post(
            "/sign-up",
            data={
                "csrf_token": TOKEN.search(page.text).group(1),  # type: ignore[union-attr]
                "username": user.username,
                "email": f"{name()}@example.com",
                "password": "Tr0ub4dor&3-horse",
            },
        )
    assert response.status_code == 409
    assert "already taken" in response.text


@pytest.mark.parametrize("token", [None, "", "forged-token"])
async def test_sign_up_without_a_valid_csrf_token_changes_nothing(
    app: FastAPI, browser: httpx.AsyncClient, token: str | None
) -> None:
    await browser.get("/sign-up")  # sets the double-submit cookie
    username = name()
    data = {
        "username": username,
        "email": f"{username}@example.com",
        "password": "Tr0ub4dor&3-horse",
    }
    if token is not None:
        data["csrf_token"] = token
    response = await browser.post("/sign-up", data=data)
    assert response.status_code == 403
    assert await accounts_named(app, username) == 0


async def test_cross_site_origin_is_refused(app: FastAPI, browser: httpx.AsyncClient) -> None:
    page = await browser.get("/sign-up")
    username = name()
    response = await browser.post(
        "/sign-up",
        data={
            "csrf_token": TOKEN.search(page.text).group(1),  # type: ignore[union-attr]
            "username": username,
            "email": f"{username}@example.com",
            "password": "Tr0ub4dor&3-horse",
        },
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert await accounts_named(app, username) == 0


async def test_sign_in_renews_the_session_id(app: FastAPI, browser: httpx.AsyncClient) -> None:
    user = await sign_up(browser, name())
    old_session = browser.cookies.get("eziox_session")
    await user.submit("/sign-out", {})
    # An attacker plants a session id (here: the victim's old, now dead one) before sign-in.
    browser.cookies.clear()
    browser.cookies.set("eziox_session", old_session or "planted")
    response = await user.submit(
        "/sign-in", {"login": user.username, "password": user.password}, token_from="/sign-in"
    )
    assert response.status_code == 303
    fresh = response.cookies.get("eziox_session")
    assert fresh
    assert fresh != old_session
    browser.cookies.clear()
    browser.cookies.set("eziox_session", fresh)
    async with httpx.AsyncClient(
        transport=browser._transport,
        base_url="http://testserver",
        cookies={"eziox_session": old_session or ""},
    ) as attacker:
        assert (await attacker.get("/profile")).status_code == 303  # sent to sign-in
    assert (await browser.get("/profile")).status_code == 200


async def test_sign_in_by_email_and_sign_out(app: FastAPI, browser: httpx.AsyncClient) -> None:
    user = await sign_up(browser, name())
    out = await user.submit("/sign-out", {})
    assert out.status_code == 303
    assert (await browser.get("/profile")).headers["location"].startswith("/sign-in")
    back = await user.submit(
        "/sign-in",
        {
            "login": f"{user.username}@example.com",
            "password": user.password,
            "next": "/profile?tab=api",
        },
        token_from="/sign-in",
    )
    assert back.headers["location"] == "/profile?tab=api"
    async with state_of(app).db.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(WebSession)
            .join(Account, Account.id == WebSession.account_id)
            .where(Account.username == user.username)
        )
    assert count == 1


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
async def test_next_never_leaves_the_site(browser: httpx.AsyncClient, target: str) -> None:
    user = await sign_up(browser, name())
    await user.submit("/sign-out", {})
    response = await user.submit(
        "/sign-in",
        {"login": user.username, "password": user.password, "next": target},
        token_from="/sign-in",
    )
    assert response.headers["location"] == "/profile"


async def room_in_sign_in_window(needed: float = 30) -> None:
    """Sign-in limits count in aligned 15-minute windows: never straddle an edge mid-test."""
    left = SIGN_IN_WINDOW - time.time() % SIGN_IN_WINDOW
    if left < needed:
        await asyncio.sleep(left + 0.5)


async def test_wrong_password_then_limit_per_account(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await room_in_sign_in_window()
    user = await sign_up(browser, name())
    await user.submit("/sign-out", {})
    for _ in range(10):
        wrong = await user.submit(
            "/sign-in", {"login": user.username, "password": "not it at all"}, token_from="/sign-in"
        )
        assert wrong.status_code == 401
        assert "not right" in wrong.text
        assert f'value="{user.username}"' in wrong.text
    limited = await user.submit(
        "/sign-in", {"login": user.username, "password": user.password}, token_from="/sign-in"
    )
    assert limited.status_code == 429
    assert "Too many sign-in attempts" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    assert "eziox_session" not in browser.cookies


async def test_sign_in_is_limited_per_ip(app: FastAPI, browser: httpx.AsyncClient) -> None:
    await room_in_sign_in_window()
    page = await browser.get("/sign-in")
    token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    for i in range(20):
        response = await browser.post(
            "/sign-in", data={"csrf_token": token, "login": f"ghost{i}", "password": "whatever123"}
        )
        assert response.status_code == 401
    limited = await browser.post(
        "/sign-in", data={"csrf_token": token, "login": "ghost-new", "password": "whatever123"}
    )
    assert limited.status_code == 429


async def wrong_sign_ins(browser: httpx.AsyncClient, logins: list[str]) -> list[int]:
    """Send every sign-in at once (as parallel connections would) and return the statuses."""
    page = await browser.get("/sign-in")
    token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    answers = await asyncio.gather(
        *(
            browser.post("/sign-in", data={"csrf_token": token, "login": login, "password": "no"})
            for login in logins
        )
    )
    return sorted(answer.status_code for answer in answers)


async def test_parallel_wrong_passwords_for_one_account_are_counted_before_checking(
    browser: httpx.AsyncClient,
) -> None:
    await room_in_sign_in_window()
    user = await sign_up(browser, name())
    await user.submit("/sign-out", {})
    statuses = await wrong_sign_ins(browser, [user.username] * 50)
    assert statuses == [401] * 10 + [429] * 40


async def test_parallel_sign_ins_from_one_address_are_counted_before_checking(
    browser: httpx.AsyncClient,
) -> None:
    await room_in_sign_in_window()
    statuses = await wrong_sign_ins(browser, [f"ghost{i}-{name()}" for i in range(60)])
    assert statuses == [401] * 20 + [429] * 40


async def test_username_and_email_share_the_accounts_sign_in_budget(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await room_in_sign_in_window()
    user = await sign_up(browser, name())
    await user.submit("/sign-out", {})
    email = f"{user.username}@example.com"
    for login in [user.username, email.upper()] * 5:
        wrong = await user.submit(
            "/sign-in", {"login": login, "password": "not it at all"}, token_from="/sign-in"
        )
        assert wrong.status_code == 401
    other_address = httpx.ASGITransport(app=app, client=("198.19.0.1", 5555))
    async with httpx.AsyncClient(transport=other_address, base_url="http://testserver") as other:
        # Neither the other name nor another address gets a fresh set of guesses.
        late = WebUser(other, user.username, user.password)
        limited = await late.submit(
            "/sign-in", {"login": email, "password": user.password}, token_from="/sign-in"
        )
    assert limited.status_code == 429


async def test_password_checks_leave_the_server_free_for_others(
    browser: httpx.AsyncClient, caller: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    checking, release = threading.Event(), threading.Event()
    real_verify = rules.verify_password

    def slow_verify(password_hash: str, password: str) -> bool:
        checking.set()
        release.wait(BOUND)
        return real_verify(password_hash, password)

    monkeypatch.setattr(rules, "verify_password", slow_verify)
    page = await browser.get("/sign-in")
    token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "login": "someone", "password": "whatever123"}
    attempt = asyncio.create_task(browser.post("/sign-in", data=form))
    try:
        assert await asyncio.to_thread(checking.wait, BOUND)
        answer = await asyncio.wait_for(caller.get("/v1/profile"), BOUND)
        assert answer.status_code == 200
        assert not attempt.done()  # the API answered while the password was being checked
    finally:
        release.set()
    assert (await asyncio.wait_for(attempt, BOUND)).status_code == 401


async def test_password_hashing_runs_at_most_one_per_core(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    running, most = 0, 0
    lock = threading.Lock()
    real_hash = rules.hash_password

    def counted_hash(password: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            return real_hash(password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(rules, "hash_password", counted_hash)
    await asyncio.gather(*(passwords.hash_password(f"a fine password {i}") for i in range(8)))
    assert 1 <= most <= passwords.SLOTS


@pytest.fixture(scope="module")
async def sign_up_limited_app(settings: Settings) -> AsyncIterator[FastAPI]:
    limited = create_app(settings.model_copy(update={"sign_up_limit": 3}), migrate_on_start=False)
    async with limited.router.lifespan_context(limited):
        yield limited


async def test_sign_ups_are_limited_per_address(sign_up_limited_app: FastAPI) -> None:
    app = sign_up_limited_app
    transport = httpx.ASGITransport(app=app, client=(f"198.18.251.{secrets.randbelow(250)}", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        page = await browser.get("/sign-up")
        token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
        names = [name() for _ in range(8)]
        answers = await asyncio.gather(
            *(
                browser.post(
                    "/sign-up",
                    data={
                        "csrf_token": token,
                        "username": username,
                        "email": f"{username}@example.com",
                        "password": "Tr0ub4dor&3-horse",
                    },
                )
                for username in names
            )
        )
    assert sorted(a.status_code for a in answers) == [303] * 3 + [429] * 5
    refused = next(a for a in answers if a.status_code == 429)
    assert "Too many new accounts" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    assert sum([await accounts_named(app, username) for username in names]) == 3
