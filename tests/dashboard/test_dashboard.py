"""The dashboard tabs and actions, through forms as a browser sends them."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from eziox.models import Account, ApiKey, Link
from tests.dashboard.browser import WebUser, sign_up
from tests.factories import state_of


async def titles(user: WebUser) -> list[str]:
    page = await user.http.get("/profile?tab=links")
    return re.findall(r'class="link-title">([^<]+)<', page.text)


async def link_ids(user: WebUser) -> list[str]:
    page = await user.http.get("/profile?tab=links")
    return re.findall(r'data-id="(lnk_[^"]+)"', page.text)


async def add(user: WebUser, title: str) -> None:
    response = await user.submit(
        "/profile/links", {"title": title, "url": f"https://{title}.example"}
    )
    assert response.status_code == 303, response.text


@pytest.mark.parametrize("tab", ["profile", "links", "api", "analytics", "templates", "settings"])
async def test_every_tab_renders(user: WebUser, tab: str) -> None:
    page = await user.http.get(f"/profile?tab={tab}")
    assert page.status_code == 200
    assert 'aria-current="page"' in page.text
    assert 'id="panel-title"' in page.text


async def test_signed_out_visitors_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/profile?tab=api")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/profile%3Ftab%3Dapi"


async def test_links_add_edit_toggle_move_delete(user: WebUser) -> None:
    for title in ("alpha", "beta", "gamma"):
        await add(user, title)
    assert await titles(user) == ["alpha", "beta", "gamma"]
    ids = await link_ids(user)
    await user.submit(f"/profile/links/{ids[2]}", {"order": "0"})
    assert await titles(user) == ["gamma", "alpha", "beta"]
    await user.submit(
        f"/profile/links/{ids[2]}",
        {"title": "Gamma!", "url": "https://g.example", "description": ""},
    )
    await user.submit(f"/profile/links/{ids[0]}", {"toggle": "off"})
    page = await user.http.get("/profile?tab=links")
    assert "Gamma!" in page.text
    assert page.text.count('class="badge off"') == 1
    bio = await user.http.get(f"/{user.username}")
    assert "alpha" not in bio.text
    assert "Gamma!" in bio.text
    await user.submit(f"/profile/links/{ids[1]}/delete", {})
    assert await titles(user) == ["Gamma!", "alpha"]


async def test_invalid_link_shows_inline_error_and_keeps_input(user: WebUser) -> None:
    response = await user.submit(
        "/profile/links", {"title": "Bad one", "url": "javascript:alert(1)"}
    )
    assert response.status_code == 422
    assert 'id="e-url"' in response.text
    assert "Must be an absolute http(s)" in response.text
    assert 'value="Bad one"' in response.text
    assert await titles(user) == []


@pytest.mark.parametrize("token", [None, "", "wrong"])
async def test_actions_without_the_csrf_token_change_nothing(
    app: FastAPI, user: WebUser, token: str | None
) -> None:
    data = {"title": "sneaky", "url": "https://sneaky.example"}
    if token is not None:
        data["csrf_token"] = token
    response = await user.http.post("/profile/links", data=data)
    assert response.status_code == 403
    assert "nothing was changed" in response.text
    assert await titles(user) == []
    delete = await user.http.post("/profile/settings/delete", data={"confirm": user.username})
    assert delete.status_code == 403
    assert (await user.http.get("/profile")).status_code == 200


async def test_another_accounts_ids_are_not_found(app: FastAPI, user: WebUser) -> None:
    transport = httpx.ASGITransport(app=app, client=("198.19.200.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        owner = await sign_up(other, f"o{secrets.token_hex(5)}")
        await add(owner, "private")
        (their_link,) = await link_ids(owner)
        created = await owner.submit("/profile/keys", {"name": "theirs", "perm:links:read": "on"})
        their_key = re.search(r"/profile/keys/(key_[^/]+)/revoke", created.text).group(1)  # type: ignore[union-attr]
    for path, data in [
        (f"/profile/links/{their_link}", {"title": "mine", "url": "https://x.example"}),
        (f"/profile/links/{their_link}/delete", {}),
        (f"/profile/keys/{their_key}/revoke", {}),
    ]:
        response = await user.submit(path, data)
        assert response.status_code == 404, path
        assert "not found" in response.text.lower()
    async with state_of(app).db.session() as session:
        link = await session.get(Link, their_link)
        key = await session.get(ApiKey, their_key)
    assert link is not None
    assert link.title == "private"
    assert key is not None
    assert key.revoked_at is None


async def test_api_key_shown_once_then_revoked(app: FastAPI, user: WebUser) -> None:
    response = await user.submit(
        "/profile/keys",
        {
            "name": "Zapier",
            "perm:links:read": "on",
            "perm:profile:read": "on",
            "expires_in_days": "30",
        },
    )
    assert response.status_code == 201
    key = re.search(r'<code id="new-key">(ezx_[A-Za-z0-9]{32})</code>', response.text).group(1)  # type: ignore[union-attr]
    assert "will not be shown again" in response.text
    api = {"Authorization": f"Bearer {key}"}
    assert (await user.http.get("/v1/links", headers=api)).status_code == 200
    listing = await user.http.get("/profile?tab=api")
    assert key not in listing.text
    assert f"{key[:8]}…{key[-4:]}" in listing.text
    assert "links:read, profile:read" in listing.text
    key_id = re.search(r"/profile/keys/(key_[^/]+)/revoke", listing.text).group(1)  # type: ignore[union-attr]
    assert (await user.submit(f"/profile/keys/{key_id}/revoke", {})).status_code == 303
    assert (await user.http.get("/v1/links", headers=api)).status_code == 401
    assert "revoked" in (await user.http.get("/profile?tab=api")).text


async def test_key_form_errors(user: WebUser) -> None:
    no_perms = await user.submit("/profile/keys", {"name": "empty"})
    assert no_perms.status_code == 422
    assert "At least one permission is required" in no_perms.text
    bad_days = await user.submit(
        "/profile/keys", {"name": "x", "perm:links:read": "on", "expires_in_days": "soon"}
    )
    assert bad_days.status_code == 422
    assert "whole number" in bad_days.text


async def test_api_tab_shows_hourly_usage(user: WebUser) -> None:
    created = await user.submit("/profile/keys", {"name": "k", "perm:profile:read": "on"})
    key = re.search(r'<code id="new-key">([^<]+)</code>', created.text).group(1)  # type: ignore[union-attr]
    for _ in range(3):
        await user.http.get("/v1/profile", headers={"Authorization": f"Bearer {key}"})
    page = await user.http.get("/profile?tab=api")
    assert "<strong>3</strong> of <strong>1000</strong>" in page.text


async def test_api_tab_shows_usage_per_key(user: WebUser) -> None:
    keys = []
    for name, calls in (("Zapier", 4), ("Quiet", 0)):
        created = await user.submit("/profile/keys", {"name": name, "perm:links:read": "on"})
        key = re.search(r'<code id="new-key">([^<]+)</code>', created.text).group(1)  # type: ignore[union-attr]
        keys.append(key)
        for _ in range(calls):
            await user.http.get("/v1/links", headers={"Authorization": f"Bearer {key}"})
    page = (await user.http.get("/profile?tab=api")).text
    table = page[
        page.index('<table class="usage"') : page.index("</table>", page.index("usage-title"))
    ]
    rows = re.findall(r"<tr>\s*<td class=\"name\">(.*?)</tr>", table, re.S)
    assert len(rows) == 2
    zapier, quiet = (next(r for r in rows if r.startswith(name)) for name in ("Zapier", "Quiet"))
    cells = re.findall(r"<td>(.*?)</td>", zapier, re.S)
    assert cells[2:] == ["4", "4", "4 (0.4 %)", "0.4 %", "0"]  # 30 days, today, hour, peak, 429s
    assert "to 4 today" in zapier  # the per-day chart's text
    assert re.findall(r"<td>(.*?)</td>", quiet, re.S)[2:] == ["0", "0", "0 (0.0 %)", "0.0 %", "0"]
    for key in keys:
        assert key not in page


async def test_profile_form(user: WebUser) -> None:
    saved = await user.submit(
        "/profile/update",
        {"name": "Ada L.", "bio": "Hello <b>world</b>", "avatar": "", "banner": ""},
    )
    assert saved.status_code == 303
    page = await user.http.get("/profile")
    assert 'value="Ada L."' in page.text
    assert "Hello &lt;b&gt;world&lt;/b&gt;" in page.text
    bad = await user.submit(
        "/profile/update", {"name": "x", "bio": "", "avatar": "data:image/png,AAA"}
    )
    assert bad.status_code == 422
    assert 'id="e-avatar"' in bad.text


async def test_analytics_tab_and_csv(user: WebUser) -> None:
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
    )
    await user.http.get(f"/{user.username}", headers={"User-Agent": chrome})
    page = await user.http.get("/profile?tab=analytics&period=7d")
    assert page.status_code == 200
    assert re.search(r'class="stat-value">1</span><span class="stat-label">Views', page.text)
    assert page.text.count("<tr><td>20") == 7
    csv = await user.http.get("/profile/analytics.csv?period=7d")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "date,views,clicks"
    assert len(csv.text.splitlines()) == 8


async def test_settings_email_and_password(user: WebUser) -> None:
    wrong = await user.submit(
        "/profile/settings/password",
        {
            "current_password": "nope",
            "new_password": "An0ther-long-one",
            "confirm_password": "An0ther-long-one",
        },
    )
    assert wrong.status_code == 422
    assert "not your current password" in wrong.text
    mismatch = await user.submit(
        "/profile/settings/password",
        {
            "current_password": user.password,
            "new_password": "An0ther-long-one",
            "confirm_password": "x",
        },
    )
    assert mismatch.status_code == 422
    ok = await user.submit(
        "/profile/settings/password",
        {
            "current_password": user.password,
            "new_password": "An0ther-long-one",
            "confirm_password": "An0ther-long-one",
        },
    )
    assert ok.status_code == 303
    email = await user.submit(
        "/profile/settings/email",
        {"email": f"new-{user.username}@example.com", "password": "An0ther-long-one"},
    )
    assert email.status_code == 303
    assert f"new-{user.username}@example.com" in (await user.http.get("/profile?tab=settings")).text


async def test_billing_not_configured_says_how(user: WebUser) -> None:
    page = await user.http.get("/profile?tab=settings")
    assert "Billing is not configured" in page.text
    assert "EZIOX_STRIPE_SECRET_KEY" in page.text
    response = await user.submit("/profile/billing/checkout", {"tier": "pro"})
    assert response.status_code == 400


async def test_delete_account_needs_the_typed_username(app: FastAPI, user: WebUser) -> None:
    created = await user.submit("/profile/keys", {"name": "k", "perm:links:read": "on"})
    key = re.search(r'<code id="new-key">([^<]+)</code>', created.text).group(1)  # type: ignore[union-attr]
    await add(user, "soon-gone")
    refused = await user.submit("/profile/settings/delete", {"confirm": "yes"})
    assert refused.status_code == 422
    assert "Type your username exactly" in refused.text
    gone = await user.submit("/profile/settings/delete", {"confirm": user.username})
    assert gone.status_code == 303
    assert (
        await user.http.get("/v1/links", headers={"Authorization": f"Bearer {key}"})
    ).status_code == 401
    assert (await user.http.get(f"/{user.username}")).status_code == 404
    async with state_of(app).db.session() as session:
        left = await session.scalar(
            select(func.count()).select_from(Account).where(Account.username == user.username)
        )
    assert left == 0


async def test_follow_from_the_bio_page(app: FastAPI, user: WebUser) -> None:
    transport = httpx.ASGITransport(app=app, client=("198.19.201.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        star = await sign_up(other, f"s{secrets.token_hex(5)}")
    page = await user.http.get(f"/{star.username}")
    assert page.headers["cache-control"] == "private, no-store"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    followed = await user.http.post(f"/{star.username}/follow", data={"csrf_token": token})
    assert followed.status_code == 303
    page = await user.http.get(f"/{star.username}")
    assert "Following ✓" in page.text
    assert "1 follower" in page.text
    forged = await user.http.post(f"/{star.username}/unfollow", data={"csrf_token": "forged"})
    assert forged.status_code == 404
    assert "Following ✓" in (await user.http.get(f"/{star.username}")).text
    own = await user.http.get(f"/{user.username}")
    assert "follow-button" not in own.text
    anonymous = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    async with anonymous:
        public = await anonymous.get(f"/{star.username}")
    assert f"/sign-in?next=/{star.username}" in public.text
    assert public.headers["cache-control"].startswith("public")
