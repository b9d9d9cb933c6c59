"""Screenshot the signed-in dashboard, the auth pages, the landing page and a bio page.

Needs Playwright for Python (in the ``dev`` extras) and Debian's Chromium
(``apt-get install -y chromium``); it never downloads a browser (no ``playwright install``).

    .venv/bin/python scripts/dashboard_screenshots.py
    .venv/bin/python scripts/dashboard_screenshots.py --out /tmp/shots --events 500

Starts ``eziox serve`` on a free port with a throw-away data directory, signs up a user
through the pages, fills the profile, adds links (one with a very long title), creates an API
key, seeds analytics with ``eziox dev seed-analytics``, and saves full-page screenshots at
390x844 and 1280x800 as ``{out}/{name}-{width}x{height}.png``: every dashboard tab, the API
tab with a new key on it, the empty states of a fresh account, the sign-in and sign-up pages
(also with errors), the landing page and the bio page. The server is always stopped. The
default output directory, ``screenshots/dashboard/``, is git-ignored.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, eziox_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

TABS = ("profile", "links", "api", "analytics", "templates", "settings")
PASSWORD = "Tr0ub4dor&3-horse"
USERNAME = "maya_okafor"
FRESH = "fresh_start"
LONG_TITLE = (
    "My complete, unabridged and extremely long guide to photographing the northern lights "
    "in winter"
)[:100]
LINKS = [
    ("My portfolio", "https://maya-okafor.example.com", "Selected work, 2019 to today"),
    (LONG_TITLE, "https://blog.example.com/2024/01/northern-lights/" + "very-long-path-" * 6, ""),
    ("Newsletter", "https://newsletter.example.com/subscribe", ""),
    ("Say hello", "mailto:hello@maya-okafor.example.com", ""),
]
# Headless Chromium calls itself HeadlessChrome, which the analytics count as a bot.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


def seed_analytics(env: dict[str, str], username: str, events: int) -> None:
    subprocess.run(
        [
            *(sys.executable, "-m", "eziox", "dev", "seed-analytics", "--username", username),
            *("--events", str(events), "--days", "30", "--seed", "7"),
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


class Shooter:
    def __init__(self, browser: Browser, url: str, out: Path) -> None:
        self.browser, self.url, self.out = browser, url, out
        self.saved: list[Path] = []

    def context(self, width: int = 1280, height: int = 800) -> BrowserContext:
        return self.browser.new_context(
            viewport={"width": width, "height": height}, user_agent=USER_AGENT
        )

    def shoot(self, context: BrowserContext, name: str, path: str) -> None:
        """Open `path` at each viewport size in this context's session and save a picture."""
        page = context.new_page()
        try:
            for width, height in VIEWPORTS:
                page.set_viewport_size({"width": width, "height": height})
                response = page.goto(self.url + path)
                if response is None or response.status >= 400:
                    status = response.status if response else "no response"
                    raise SystemExit(f"{path} answered {status}")
                self.settle(page)
                self.save(page, f"{name}-{width}x{height}")
        finally:
            page.close()

    def settle(self, page: Page) -> None:
        page.wait_for_load_state("load")
        if page.locator("#chart").count():
            page.wait_for_selector("#chart canvas", timeout=5_000)

    def save(self, page: Page, stem: str) -> None:
        path = self.out / f"{stem}.png"
        page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)


def sign_up(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/sign-up")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my page").click()
    page.wait_for_url("**/profile?tab=links*")


def fill_account(page: Page, url: str) -> None:
    page.goto(f"{url}/profile?tab=profile")
    page.get_by_label("Display name").fill("Maya Okafor")
    page.get_by_label("Bio").fill(
        "Landscape photographer in Tromsø. Prints, workshops and the occasional aurora alert."
    )
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**notice=profile-saved")
    page.goto(f"{url}/profile?tab=links")
    form = page.locator("form.add-link")
    for title, link_url, description in LINKS:
        form.get_by_label("Title", exact=True).fill(title)
        form.get_by_label("URL", exact=True).fill(link_url)
        form.get_by_label("Description (optional)").fill(description)
        form.get_by_role("button", name="Add link").click()
        page.wait_for_url("**notice=link-added")
    # One hidden link, to show that state too.
    page.locator(".link-row").last.get_by_role("button", name="Hide").click()
    page.wait_for_url("**notice=link-updated")


def take(url: str, env: dict[str, str], out: Path, events: int) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        shooter = Shooter(browser, url, out)
        try:
            # Signed out: the landing page and the auth forms, blank and with errors.
            anonymous = shooter.context()
            shooter.shoot(anonymous, "landing", "/")
            shooter.shoot(anonymous, "sign-in", "/sign-in")
            shooter.shoot(anonymous, "sign-up", "/sign-up")
            page = anonymous.new_page()
            for width, height in VIEWPORTS:
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{url}/sign-up")
                page.get_by_label("Username").fill("no")
                page.get_by_label("Email").fill("not-an-email")
                page.get_by_label("Password").fill("short")
                page.get_by_role("button", name="Create my page").click()
                page.wait_for_load_state("load")
                shooter.save(page, f"sign-up-errors-{width}x{height}")
                page.goto(f"{url}/sign-in")
                page.get_by_label("Username or email").fill("nobody")
                page.get_by_label("Password").fill("wrong password")
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_load_state("load")
                shooter.save(page, f"sign-in-error-{width}x{height}")
            anonymous.close()

            # A fresh account: the empty states.
            fresh = shooter.context()
            sign_up(fresh.new_page(), url, FRESH)
            for tab in TABS:
                shooter.shoot(fresh, f"empty-{tab}", f"/profile?tab={tab}")
            shooter.shoot(fresh, "empty-bio", f"/{FRESH}")
            fresh.close()

            # A filled account: profile, links, a key, analytics.
            context = shooter.context()
            page = context.new_page()
            sign_up(page, url, USERNAME)
            shooter.save(page, "welcome-1280x800")
            fill_account(page, url)
            for width, height in VIEWPORTS:
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{url}/profile?tab=api")
                page.get_by_label("Name", exact=True).fill(f"Zapier {width}")
                page.get_by_role("button", name="Full access").click()
                page.get_by_role("button", name="Create key").click()
                page.wait_for_selector("#new-key")
                shooter.save(page, f"api-new-key-{width}x{height}")
            seed_analytics(env, USERNAME, events)
            for tab in TABS:
                shooter.shoot(context, tab, f"/profile?tab={tab}")
            shooter.shoot(context, "analytics-7d", "/profile?tab=analytics&period=7d")
            shooter.shoot(context, "bio", f"/{USERNAME}")
            context.close()
        finally:
            browser.close()
    return shooter.saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path("screenshots/dashboard"), help="output directory"
    )
    parser.add_argument("--events", type=int, default=3000, help="analytics events to seed")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get update && apt-get install -y chromium")
    with eziox_server() as (url, env):
        for path in take(url, env, args.out, args.events):
            print(path)


if __name__ == "__main__":
    main()
