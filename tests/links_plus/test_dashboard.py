"""The dashboard's groups, schedule, socials, CSV import, QR and export, through its forms."""

from __future__ import annotations

import re
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
        yield await sign_up(client, f"p{secrets.token_hex(5)}")


async def links_tab(user: WebUser) -> str:
    return (await user.http.get("/profile?tab=links")).text


async def test_groups_and_link_options(user: WebUser) -> None:
    assert (await user.submit("/profile/groups", {"group_title": "Music"})).status_code == 303
    page = await links_tab(user)
    group_id = re.findall(r'action="/profile/groups/(grp_[A-Za-z0-9]+)"', page)[0]
    added = await user.submit(
        "/profile/links",
        {
            "title": "Song",
            "url": "https://song.example",
            "group": group_id,
            "starts_at": "2030-01-01T10:00",
            "ends_at": "",
            "sensitive": "on",
            "sensitive_shown": "1",
        },
    )
    assert added.status_code == 303, added.text
    page = await links_tab(user)
    assert "Scheduled" in page
    assert "Sensitive" in page
    assert 'value="2030-01-01T10:00"' in page
    bad = await user.submit(
        "/profile/links",
        {
            "title": "Bad",
            "url": "https://bad.example",
            "starts_at": "2030-01-02T10:00",
            "ends_at": "2030-01-01T10:00",
            "sensitive_shown": "1",
        },
    )
    assert bad.status_code == 409
    assert "endsAt must be after startsAt" in bad.text
    renamed = await user.submit(f"/profile/groups/{group_id}", {"group_title": "Tunes"})
    assert renamed.status_code == 303
    deleted = await user.submit(f"/profile/groups/{group_id}/delete", {})
    assert deleted.status_code == 303
    page = await links_tab(user)
    assert "Tunes" not in page
    assert "Song" in page


async def test_csv_import_shows_every_bad_line_and_adds_nothing(user: WebUser) -> None:
    text = "title,url\nGood,https://good.example\nBad,javascript:alert(1)\n,https://x.example\n"
    response = await user.submit("/profile/links-import", {"csv": text})
    assert response.status_code == 422
    assert "Line 3: url" in response.text
    assert "Line 4: title" in response.text
    page = await links_tab(user)
    assert 'data-id="lnk_' not in page
    ok = await user.submit(
        "/profile/links-import", {"csv": "One,https://one.example\nTwo,https://two.example"}
    )
    assert ok.status_code == 303
    assert re.findall(r'class="link-title">([^<]+)<', await links_tab(user)) == ["One", "Two"]


async def test_csv_file_upload(user: WebUser) -> None:
    token = await user.token("/profile")
    response = await user.http.post(
        "/profile/links-import",
        data={"csrf_token": token},
        files={"file": ("links.csv", b"\xef\xbb\xbftitle,url\nFile,https://file.example\n")},
    )
    assert response.status_code == 303, response.text
    assert "File" in await links_tab(user)


async def test_socials_qr_and_export(user: WebUser) -> None:
    saved = await user.submit(
        "/profile/socials",
        {
            "social_platform_0": "github",
            "social_value_0": "octo",
            "social_platform_1": "x",
            "social_value_1": "",
        },
    )
    assert saved.status_code == 303
    profile = (await user.http.get("/profile?tab=profile")).text
    assert 'value="octo"' in profile
    assert f"/{user.username}/qr.png" in profile
    assert "download=" in profile
    bad = await user.submit(
        "/profile/socials", {"social_platform_0": "x", "social_value_0": "no spaces!"}
    )
    assert bad.status_code == 422
    export = await user.http.get("/profile/export.json")
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    assert export.json()["socials"] == [{"platform": "github", "value": "octo"}]
    bio = await user.http.get(f"/{user.username}")
    assert 'href="https://github.com/octo"' in bio.text
