"""Profile socials: a fixed set of platforms, strict values, an accessible icon row."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Caller, make_caller, make_key
from tests.web.visits import CHROME

pytestmark = pytest.mark.usefixtures("one_hash_for_the_shared_password")
GOOD = [
    {"platform": "github", "value": "octo-cat"},
    {"platform": "x", "value": "jack"},
    {"platform": "email", "value": "me@example.com"},
    {"platform": "website", "value": "https://example.com/about"},
    {"platform": "bluesky", "value": "me.bsky.social"},
]


async def test_socials_are_set_shown_and_cleared(caller: Caller) -> None:
    assert (await caller.get("/v1/profile")).json()["socials"] == []
    response = await caller.patch("/v1/profile", json={"socials": GOOD})
    assert response.status_code == 200, response.text
    shown = response.json()["socials"]
    assert [(s["platform"], s["value"]) for s in shown] == [
        (g["platform"], g["value"]) for g in GOOD
    ]
    assert [s["url"] for s in shown] == [
        "https://github.com/octo-cat",
        "https://x.com/jack",
        "mailto:me@example.com",
        "https://example.com/about",
        "https://bsky.app/profile/me.bsky.social",
    ]
    assert (await caller.get("/v1/profile")).json()["socials"] == shown
    untouched = await caller.patch("/v1/profile", json={"name": "New"})
    assert untouched.json()["socials"] == shown  # omitted: unchanged
    assert (await caller.patch("/v1/profile", json={"socials": []})).json()["socials"] == []
    await caller.patch("/v1/profile", json={"socials": GOOD[:1]})
    assert (await caller.patch("/v1/profile", json={"socials": None})).json()["socials"] == []


async def test_bad_socials_are_refused_and_change_nothing(caller: Caller) -> None:
    await caller.patch("/v1/profile", json={"socials": GOOD[:1]})
    bad = [
        {"platform": "myspace", "value": "tom"},
        {"platform": "github", "value": "-leading-dash"},
        {"platform": "github", "value": "a" * 40},
        {"platform": "x", "value": "has space"},
        {"platform": "x", "value": "toolong_handle_16"},
        {"platform": "email", "value": "not-an-email"},
        {"platform": "email", "value": "javascript:alert(1)"},
        {"platform": "website", "value": "http://plain-http.example"},
        {"platform": "website", "value": "javascript:alert(1)"},
        {"platform": "instagram", "value": "<script>"},
        {"platform": "github", "value": "ok", "extra": 1},
        {"platform": "github"},
        {"value": "ok"},
    ]
    for entry in bad:
        response = await caller.patch("/v1/profile", json={"socials": [entry]})
        assert response.status_code == 422, entry
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    too_many = [{"platform": "x", "value": f"user{i}"} for i in range(21)]
    assert (await caller.patch("/v1/profile", json={"socials": too_many})).status_code == 422
    assert (await caller.patch("/v1/profile", json={"socials": "github"})).status_code == 422
    socials = (await caller.get("/v1/profile")).json()["socials"]
    assert [s["value"] for s in socials] == ["octo-cat"]


async def test_socials_need_profile_write(app: FastAPI, caller: Caller) -> None:
    key = await make_key(app, caller.account.id, "profile:read")
    response = await caller.patch("/v1/profile", json={"socials": GOOD}, headers=caller.auth(key))
    assert response.status_code == 403
    assert (await caller.get("/v1/profile")).json()["socials"] == []


async def test_bio_page_shows_an_accessible_icon_row(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await make_caller(app, client)
    await caller.patch("/v1/profile", json={"socials": GOOD})
    response = await client.get(f"/{caller.account.username}", headers={"User-Agent": CHROME})
    html = response.text
    assert 'aria-label="Social profiles of' in html
    assert html.count('rel="me noopener"') == len(GOOD)
    assert 'href="https://github.com/octo-cat"' in html
    assert 'aria-label="GitHub: octo-cat"' in html
    assert 'href="mailto:me@example.com"' in html
    assert html.count('<svg class="social-icon"') == len(GOOD)
    assert 'aria-hidden="true" focusable="false"' in html
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp
    icon = await client.get("/static/icons/github.svg")
    assert icon.status_code == 200
    assert icon.text.startswith("<svg")
