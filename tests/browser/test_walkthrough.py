"""A new user's first session, in a real browser against a real server.

Landing page → sign up → three links → reorder (buttons, then drag and drop) → the public
page shows them in that order → a click is counted at once on the Analytics tab → an API key
made in the UI works with httpx until it is revoked in the UI → sign out, sign back in.
"""

from __future__ import annotations

import secrets

import httpx
import pytest
from playwright.async_api import Dialog, Locator, Page, expect

from tests.browser.harness import PASSWORD, Web, add_link, shown_titles, sign_up

pytestmark = pytest.mark.slow


async def drag(page: Page, source: Locator, target: Locator, *, drop: bool = True) -> None:
    """Drag like a hand does: many small moves, resting a moment over the drop place.

    With ``drop=False`` the row is let go outside the list (a cancelled drag).
    """
    await target.scroll_into_view_if_needed()
    await source.scroll_into_view_if_needed()
    start, end = await source.bounding_box(), await target.bounding_box()
    assert start is not None
    assert end is not None
    await page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(end["x"] + 40, end["y"] + 4, steps=12)
    await page.mouse.move(end["x"] + 42, end["y"] + 6, steps=2)
    if not drop:
        heading = await page.get_by_role("heading", name="Add a link").bounding_box()
        assert heading
        await page.mouse.move(heading["x"] + 5, heading["y"] + 5, steps=6)
    await page.mouse.up()


async def stat(page: Page, label: str) -> str:
    card = page.locator(".stat").filter(has=page.locator(".stat-label", has_text=label))
    return (await card.locator(".stat-value").inner_text()).strip()


async def test_a_new_user_walks_through_the_product(web: Web) -> None:
    username = f"walk_{secrets.token_hex(4)}"
    target = f"{web.url}/healthz"  # same server: no outside network
    urls = {name: f"{target}?to={name.lower()}" for name in ("Alpha", "Bravo", "Charlie")}

    async with web.page("walkthrough") as page, httpx.AsyncClient(base_url=web.url) as api:
        # The landing page leads to sign-up.
        await page.goto(web.url + "/")
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "One link for everything you make."
        )
        await page.get_by_role("link", name="Create your page, free").click()
        await expect(page).to_have_url(f"{web.url}/sign-up")
        await sign_up(page, username)

        # A new account lands on the Links tab of its dashboard, greeted.
        await expect(page).to_have_url(f"{web.url}/profile?tab=links&notice=welcome")
        await expect(page.get_by_role("heading", level=1)).to_have_text(f"Hi, {username}")
        await expect(page.get_by_role("status")).to_contain_text("Add your first links")
        await expect(page.locator(".empty-state")).to_contain_text("No links yet")

        for title, url in urls.items():
            await add_link(page, title, url)
        assert await shown_titles(page) == ["Alpha", "Bravo", "Charlie"]

        # Keyboard-accessible reordering: the Up and Down buttons.
        await expect(page.get_by_role("button", name="Move Alpha up")).to_be_disabled()
        await expect(page.get_by_role("button", name="Move Charlie down")).to_be_disabled()
        await page.get_by_role("button", name="Move Charlie up").click()
        await expect(page.get_by_role("status")).to_have_text("Link updated.")
        assert await shown_titles(page) == ["Alpha", "Charlie", "Bravo"]
        down = page.get_by_role("button", name="Move Alpha down")
        await down.focus()
        await page.keyboard.press("Enter")
        await expect(page.locator(".link-list .link-row").first).to_contain_text("Charlie")
        assert await shown_titles(page) == ["Charlie", "Alpha", "Bravo"]

        # Drag and drop: Bravo (last) onto the top half of the first row. Let go outside
        # the list first: the row goes back and nothing is saved.
        rows = page.locator(".link-list .link-row")
        bravo = rows.filter(has_text="Bravo")
        await drag(page, bravo.locator(".grip"), rows.first, drop=False)
        assert await shown_titles(page) == ["Charlie", "Alpha", "Bravo"]
        await expect(page).to_have_url(f"{web.url}/profile?tab=links&notice=link-updated")
        async with page.expect_navigation():
            await drag(page, bravo.locator(".grip"), rows.first)
        await expect(page.get_by_role("status")).to_have_text("Link updated.")
        assert await shown_titles(page) == ["Bravo", "Charlie", "Alpha"]
        final = ["Bravo", "Charlie", "Alpha"]

        # The public page shows the links in that order; a click goes through /l/{id}.
        await page.get_by_role("link", name="My page").click()
        await expect(page).to_have_url(f"{web.url}/{username}")
        bio_links = page.locator("a.link")
        assert await bio_links.locator(".link-title").all_inner_texts() == final
        hrefs = [await bio_links.nth(i).get_attribute("href") for i in range(3)]
        assert all(h and h.startswith("/l/") for h in hrefs), hrefs
        await bio_links.filter(has_text="Charlie").click()
        await expect(page).to_have_url(urls["Charlie"])

        # Analytics counts the view and the click at once (roll-ups plus the fresh tail).
        await page.goto(f"{web.url}/profile")
        await page.get_by_role("link", name="Analytics").click()
        await expect(page.get_by_role("heading", name="Analytics", level=2)).to_be_visible()
        assert await stat(page, "Clicks") == "1"
        assert await stat(page, "Views") == "1"
        top = page.locator(".breakdown").filter(has_text="Top links")
        await expect(top.locator("li")).to_have_count(1)
        await expect(top.locator("li")).to_contain_text("Charlie")

        # An API key with the "Full access" preset, shown once, works with httpx…
        await page.get_by_role("link", name="API keys").click()
        await page.get_by_label("Name", exact=True).fill("walkthrough")
        boxes = page.locator("input[type=checkbox][name^='perm:']")
        assert await boxes.count() > 1
        await page.get_by_role("button", name="Full access").click()
        for i in range(await boxes.count()):
            await expect(boxes.nth(i)).to_be_checked()
        await page.get_by_role("button", name="Create key").click()
        await expect(page.locator(".new-key")).to_contain_text("will not be shown again")
        secret = (await page.locator("#new-key").inner_text()).strip()
        assert secret.startswith("ezx_"), secret
        auth = {"Authorization": f"Bearer {secret}"}
        listed = await api.get("/v1/links", headers=auth)
        assert listed.status_code == 200, listed.text
        assert listed.json()["total"] == 3
        assert [link["title"] for link in listed.json()["links"]] == final

        # …until it is revoked in the UI (after the confirm dialog).
        messages: list[str] = []

        async def accept(dialog: Dialog) -> None:
            messages.append(dialog.message)
            await dialog.accept()

        page.once("dialog", accept)
        key_row = page.locator("table.keys tbody tr").filter(has_text="walkthrough")
        await key_row.get_by_role("button", name="Revoke").click()
        await expect(page.get_by_role("status")).to_have_text(
            "Key revoked. It stopped working immediately."
        )
        assert len(messages) == 1, messages
        assert "walkthrough" in messages[0], messages
        await expect(key_row.locator(".badge")).to_have_text("revoked")
        refused = await api.get("/v1/links", headers=auth)
        assert refused.status_code == 401, refused.text

        # Sign out; the dashboard then asks to sign in and comes back to where it was.
        await page.get_by_role("button", name="Sign out").click()
        await expect(page).to_have_url(f"{web.url}/")
        await expect(page.get_by_role("link", name="Sign in")).to_be_visible()
        await page.goto(f"{web.url}/profile?tab=api")
        await expect(page).to_have_url(f"{web.url}/sign-in?next=/profile%3Ftab%3Dapi")
        await page.get_by_label("Username or email").fill(username)
        await page.get_by_label("Password").fill("not the password")
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("alert")).to_have_text(
            "That username or password is not right."
        )
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page).to_have_url(f"{web.url}/profile?tab=api")
        await expect(page.get_by_role("heading", level=1)).to_have_text(f"Hi, {username}")
        await expect(key_row.locator(".badge")).to_have_text("revoked")
