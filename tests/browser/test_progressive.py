"""The dashboard is progressively enhanced: its forms work with JavaScript off, and with
JavaScript on the Analytics tab draws its chart (uPlot, served from /static/vendor)."""

from __future__ import annotations

import secrets

import httpx
import pytest
from playwright.async_api import ConsoleMessage, expect

from tests.browser.harness import Web, add_link, shown_titles, sign_up

pytestmark = pytest.mark.slow


async def test_links_work_without_javascript_and_the_chart_with_it(web: Web) -> None:
    username = f"nojs_{secrets.token_hex(4)}"
    async with web.page("no-javascript", javascript=False) as page:
        await page.goto(f"{web.url}/sign-up")
        await sign_up(page, username)
        await expect(page.get_by_role("heading", level=1)).to_have_text(f"Hi, {username}")

        await add_link(page, "First", "https://example.com/first")
        await add_link(page, "Second", "https://example.com/second")
        assert await shown_titles(page) == ["First", "Second"]
        await page.get_by_role("button", name="Move Second up").click()
        await expect(page.get_by_role("status")).to_have_text("Link updated.")
        assert await shown_titles(page) == ["Second", "First"]

        # Editing opens with <details>, no script needed.
        row = page.locator(".link-row").filter(has_text="First")
        await row.locator("summary").click()
        await row.get_by_label("Title").fill("First, renamed")
        await row.get_by_role("button", name="Save").click()
        await expect(page.get_by_role("status")).to_have_text("Link updated.")
        assert await shown_titles(page) == ["Second", "First, renamed"]

        # Without script the chart has its table fallback and no canvas; a page nobody has
        # visited yet says so instead of showing empty breakdowns.
        await page.get_by_role("link", name="Analytics").click()
        await expect(page.locator(".analytics-empty")).to_contain_text("Nothing counted")
        await expect(page.locator(".breakdown")).to_have_count(0)
        await expect(page.locator("#chart")).to_be_attached()
        await expect(page.locator("#chart canvas")).to_have_count(0)
        await expect(page.locator("details.chart-table table")).to_be_attached()
        session = await page.context.storage_state()

    async with web.page("analytics-chart", storage_state=session) as page:
        problems: list[str] = []

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":  # CSP violations and script failures land here
                problems.append(message.text)

        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        await page.goto(f"{web.url}/profile?tab=analytics")
        await expect(page.locator("#chart .uplot canvas")).to_be_visible()
        box = await page.locator("#chart canvas").bounding_box()
        assert box is not None
        assert box["width"] >= 280, box
        assert box["height"] >= 200, box
        assert await page.evaluate("typeof window.uPlot") == "function"
        assert problems == [], problems

    async with httpx.AsyncClient(base_url=web.url) as http:  # our own copy, never a CDN
        for asset in ("uPlot.iife.min.js", "uPlot.min.css"):
            response = await http.get(f"/static/vendor/uplot/{asset}")
            assert response.status_code == 200, f"/static/vendor/uplot/{asset}"
