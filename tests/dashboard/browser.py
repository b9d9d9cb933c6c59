"""A form-submitting client that behaves like a browser: cookies, CSRF tokens, redirects."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebUser:
    http: httpx.AsyncClient
    username: str
    password: str = "Tr0ub4dor&3-horse"

    async def token(self, path: str = "/profile") -> str:
        page = await self.http.get(path)
        match = TOKEN.search(page.text)
        assert match, f"no CSRF token on {path}: {page.status_code}"
        return match.group(1)

    async def submit(
        self, path: str, data: dict[str, str], token_from: str = "/profile"
    ) -> httpx.Response:
        return await self.http.post(path, data={"csrf_token": await self.token(token_from), **data})


async def sign_up(http: httpx.AsyncClient, username: str) -> WebUser:
    user = WebUser(http, username)
    response = await user.submit(
        "/sign-up",
        {"username": username, "email": f"{username}@example.com", "password": user.password},
        token_from="/sign-up",
    )
    assert response.status_code == 303, response.text
    return user
