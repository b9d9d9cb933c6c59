"""Forgot password in a real browser against a real server, the mail read from a real SMTP
server (aiosmtpd): sign-in page → "Forgot your password?" → the mail's link → a weak
password refused in the form → a good one signs in, and the old session is gone."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from playwright.async_api import expect

from eziox.config import Settings
from tests.browser.harness import PASSWORD, Web, sign_up
from tests.mail.smtp import Inbox, parts, smtp_server
from tests.process.servers import eziox_env, free_port, running

pytestmark = pytest.mark.slow

LINK = re.compile(r"http://\S+/reset-password/[A-Za-z0-9_-]+")


@pytest.fixture(scope="module")
async def mailing() -> AsyncIterator[tuple[int, Inbox]]:
    port = free_port()
    with smtp_server(port) as inbox:
        yield port, inbox


@pytest.fixture(scope="module")
async def web_with_mail(settings: Settings, mailing: tuple[int, Inbox]) -> AsyncIterator[Web]:
    env = eziox_env(
        settings,
        EZIOX_SMTP_URL=f"smtp://127.0.0.1:{mailing[0]}",
        EZIOX_MAIL_WORKER="true",
        EZIOX_MAIL_POLL_INTERVAL="0.1",
    )
    async with running((env, ())) as [server]:
        harness = Web(server)
        try:
            yield harness
        finally:
            await harness.close()


async def test_forgot_password_by_mail(web_with_mail: Web, mailing: tuple[int, Inbox]) -> None:
    web, inbox = web_with_mail, mailing[1]
    username = f"reset_{secrets.token_hex(4)}"
    async with web.page("reset-sign-up") as page:
        await page.goto(f"{web.url}/sign-up")
        await sign_up(page, username)
        await expect(page.get_by_role("heading", level=1)).to_have_text(f"Hi, {username}")
        old_session = await page.context.storage_state()

    async with web.page("reset-ask") as page:
        await page.goto(f"{web.url}/sign-in")
        await page.get_by_role("link", name="Forgot your password?").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
        await page.get_by_label("Email").fill(f"{username}@example.com")
        await page.get_by_role("button", name="Send me a link").click()
        await expect(page.get_by_role("status")).to_contain_text("If an account has this address")

        text, html = parts(await inbox.wait_for(f"{username}@example.com"))
        match = LINK.search(text)
        assert match, text
        assert match.group(0) in html
        await page.goto(web.url + urlsplit(match.group(0)).path)

        await expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
        await page.get_by_label("New password").fill("short")
        await page.get_by_role("button", name="Save the new password").click()
        await expect(page.locator(".field-error")).to_contain_text("at least 8 characters")
        await page.get_by_label("New password").fill("a-new-" + PASSWORD)
        await page.get_by_role("button", name="Save the new password").click()
        await expect(page.get_by_role("status")).to_have_text("Password changed.")
        await expect(page.get_by_role("heading", level=1)).to_have_text(f"Hi, {username}")

    async with web.page("reset-old-session", storage_state=old_session) as page:
        await page.goto(f"{web.url}/profile")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
