"""The Profile tab's social profiles, QR code and export download, through its forms."""

from __future__ import annotations

import pytest

from tests.dashboard.browser import WebUser

pytestmark = pytest.mark.usefixtures("one_hash_for_the_shared_password")


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
