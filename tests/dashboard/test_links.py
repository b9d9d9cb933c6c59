"""The Links tab's groups, link options (group, schedule, sensitive) and CSV import,
through its forms."""

from __future__ import annotations

import re

import pytest

from tests.dashboard.browser import WebUser

pytestmark = pytest.mark.usefixtures("one_hash_for_the_shared_password")


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
