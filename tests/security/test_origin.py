"""Forms sent from another site — or from an opaque `Origin: null` (sandboxed frame, data: or
file: page) — change nothing, even with a valid CSRF token: dashboard forms and follow."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.dashboard.browser import TOKEN, WebUser, sign_up

FOREIGN = ["null", "https://evil.example", "http://testserver.evil.example"]


@pytest.fixture
async def user(app: FastAPI) -> AsyncIterator[WebUser]:
    ip = f"198.20.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=app, client=(ip, 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield await sign_up(client, f"o{secrets.token_hex(5)}")


@pytest.fixture
async def star(app: FastAPI) -> WebUser:
    transport = httpx.ASGITransport(app=app, client=("198.20.251.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        return await sign_up(other, f"s{secrets.token_hex(5)}")


async def followers_shown(user: WebUser, star: WebUser) -> str:
    page = await user.http.get(f"/{star.username}")
    found = re.search(r"(\d+) followers?", page.text)
    assert found, page.text
    return found.group(1)


async def bio_token(user: WebUser, star: WebUser) -> str:
    page = await user.http.get(f"/{star.username}")
    found = TOKEN.search(page.text)
    assert found
    return found.group(1)


@pytest.mark.parametrize("origin", FOREIGN)
async def test_follow_from_another_origin_changes_nothing(
    user: WebUser, star: WebUser, origin: str
) -> None:
    response = await user.http.post(
        f"/{star.username}/follow",
        data={"csrf_token": await bio_token(user, star)},
        headers={"Origin": origin},
    )
    assert response.status_code == 404
    assert await followers_shown(user, star) == "0"


@pytest.mark.parametrize("origin", FOREIGN)
async def test_unfollow_from_another_origin_changes_nothing(
    user: WebUser, star: WebUser, origin: str
) -> None:
    path = f"/{star.username}"
    await user.http.post(f"{path}/follow", data={"csrf_token": await bio_token(user, star)})
    assert await followers_shown(user, star) == "1"
    response = await user.http.post(
        f"{path}/unfollow",
        data={"csrf_token": await bio_token(user, star)},
        headers={"Origin": origin},
    )
    assert response.status_code == 404
    assert await followers_shown(user, star) == "1"


async def test_follow_from_this_site_works(user: WebUser, star: WebUser) -> None:
    response = await user.http.post(
        f"/{star.username}/follow",
        data={"csrf_token": await bio_token(user, star)},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 303
    assert await followers_shown(user, star) == "1"


@pytest.mark.parametrize("origin", FOREIGN)
async def test_dashboard_form_from_another_origin_changes_nothing(
    user: WebUser, origin: str
) -> None:
    response = await user.http.post(
        "/profile/links",
        data={
            "csrf_token": await user.token(),
            "title": "planted",
            "url": "https://planted.example",
        },
        headers={"Origin": origin},
    )
    assert response.status_code == 403
    assert "planted" not in (await user.http.get("/profile?tab=links")).text


async def test_dashboard_form_from_this_site_works(user: WebUser) -> None:
    response = await user.http.post(
        "/profile/links",
        data={"csrf_token": await user.token(), "title": "mine", "url": "https://mine.example"},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 303
    assert "mine.example" in (await user.http.get("/profile?tab=links")).text
