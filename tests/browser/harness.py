"""A real `eziox serve` and Debian's Chromium, driven by Playwright's async API.

The server shares the run's database (see tests/process/servers.py). The browser is never
downloaded: it is /usr/bin/chromium (`make install` installs it with apt-get), and a browser
that cannot be launched fails the test that asked for it, with the reason, instead of
skipping it.

Pages come from `Web.page()`, an async context manager: if the body raises, it saves a
full-page screenshot and the page's HTML under the artifacts directory and names them in the
failure (an exception note, printed by pytest) together with the end of the server's log.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.process.servers import Server

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(
    os.environ.get("EZIOX_BROWSER_ARTIFACTS")
    or Path(tempfile.gettempdir()) / "eziox-browser-artifacts"
)
PASSWORD = "Tr0ub4dor&3-horse"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80] or "page"


@dataclass
class Web:
    """One server and (launched on first use) one browser, shared by the browser tests."""

    server: Server
    playwright: Playwright | None = None
    browser: Browser | None = None
    user_agent: str = ""
    saved: list[Path] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    async def _launch(self) -> Browser:
        if self.browser is not None:
            return self.browser
        how = "install it with `apt-get update && apt-get install -y chromium` (or `make install`)"
        if not Path(CHROMIUM).exists():
            pytest.fail(f"{CHROMIUM} is missing: {how}", pytrace=False)
        try:
            from playwright.async_api import async_playwright
        except ImportError as exc:
            pytest.fail(f"Playwright for Python is missing ({exc}): `make install`", pytrace=False)
        self.playwright = await async_playwright().start()
        try:
            self.browser = await self.playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
            )
        except Exception as exc:
            pytest.fail(f"Chromium ({CHROMIUM}) could not be launched: {exc}\n{how}", pytrace=False)
        # Headless Chromium says "HeadlessChrome", which the analytics (rightly) count as a
        # bot; a person's Chrome of the same version does not.
        major = self.browser.version.split(".")[0]
        self.user_agent = (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major}.0.0.0 Safari/537.36"
        )
        return self.browser

    @asynccontextmanager
    async def page(
        self,
        name: str,
        *,
        javascript: bool = True,
        storage_state: Any = None,
        viewport: tuple[int, int] = (1280, 800),
    ) -> AsyncIterator[Page]:
        """A page in a fresh browser context; a failure inside saves what the page showed."""
        browser = await self._launch()
        context = await browser.new_context(
            java_script_enabled=javascript,
            user_agent=self.user_agent,
            viewport={"width": viewport[0], "height": viewport[1]},
            storage_state=storage_state,
        )
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(15_000)
        page = await context.new_page()
        try:
            yield page
        except Exception as exc:
            note = await self._save_artifacts(page, name)
            print(note)
            exc.add_note(note)
            raise
        finally:
            await context.close()

    async def _save_artifacts(self, page: Page, name: str) -> str:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = ARTIFACTS / f"{_slug(name)}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        lines = [f"browser artifacts for {name!r} (page at {page.url}):"]
        try:
            await page.screenshot(path=f"{stem}.png", full_page=True, timeout=5_000)
            lines.append(f"  screenshot: {stem}.png")
            Path(f"{stem}.html").write_text(await page.content())
            lines.append(f"  html:       {stem}.html")
        except Exception as exc:  # a crashed page still lets the failure through
            lines.append(f"  (could not capture the page: {exc})")
        log = self.server.log().strip().splitlines()[-30:]
        lines.append("  server log (last lines):" + "".join(f"\n    {x}" for x in log))
        return "\n".join(lines)

    async def close(self) -> None:
        if self.browser is not None:
            await self.browser.close()
        if self.playwright is not None:
            await self.playwright.stop()


async def sign_up(page: Page, username: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-up form the page shows."""
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Email").fill(f"{username}@example.com")
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Create my page").click()


async def add_link(page: Page, title: str, url: str) -> None:
    """Add a link with the Links tab's form and wait for the confirmation."""
    from playwright.async_api import expect

    form = page.locator("form.add-link")
    await form.get_by_label("Title", exact=True).fill(title)
    await form.get_by_label("URL", exact=True).fill(url)
    await form.get_by_role("button", name="Add link").click()
    await expect(page.get_by_role("status")).to_have_text("Link added.")


async def shown_titles(page: Page) -> list[str]:
    """The link titles of the Links tab's list, top to bottom."""
    return await page.locator(".link-list .link-row .link-title").all_inner_texts()
