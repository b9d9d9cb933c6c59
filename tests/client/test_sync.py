"""The blocking client against a live `eziox serve` (each scenario runs in a worker thread)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from eziox.client import Eziox, EzioxError
from eziox.config import Settings
from tests.client.conftest import Account, blocking, new_account
from tests.process.servers import Server

pytestmark = pytest.mark.slow

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


async def test_links_crud_and_every_page(account: Account) -> None:
    def scenario() -> None:
        with Eziox(account.key, base_url=account.url) as eziox:
            created = [
                eziox.links.create(f"Link {n}", f"https://example.com/{n}") for n in range(7)
            ]
            assert [link.order for link in created] == list(range(7))
            hidden = eziox.links.create(
                "Hidden", "https://example.com/h", description="d", is_active=False
            )
            assert (hidden.order, hidden.is_active, hidden.description) == (7, False, "d")

            page = eziox.links.list(limit=3, offset=6)
            assert page.total == 8
            assert [link.title for link in page.links] == ["Link 6", "Hidden"]
            assert page.next_offset is None
            assert [link.order for link in eziox.iter_links(page_size=3)] == list(range(8))
            assert [link.id for link in eziox.links.iter(active=False, page_size=3)] == [hidden.id]

            moved = eziox.links.update(
                hidden.id, order=0, is_active=True, description=None, title="Top"
            )
            assert (moved.order, moved.is_active, moved.description) == (0, True, None)
            assert eziox.links.get(created[0].id).order == 1
            eziox.links.delete(created[0].id)
            remaining = list(eziox.iter_links())
            assert [link.order for link in remaining] == list(range(7))
            assert created[0].id not in {link.id for link in remaining}
            assert eziox.rate_limit is not None
            assert eziox.rate_limit.limit == 1000

    await blocking(scenario)


async def test_profile_and_templates(account: Account) -> None:
    def scenario() -> None:
        with Eziox(account.key, base_url=account.url) as eziox:
            profile = eziox.profile.get()
            assert (profile.username, profile.links, profile.stats.views) == (
                account.username,
                0,
                0,
            )
            updated = eziox.profile.update(
                name="Ada Lovelace", bio="Engines", avatar="https://example.com/a.png"
            )
            assert (updated.name, updated.bio, updated.avatar) == (
                "Ada Lovelace",
                "Engines",
                "https://example.com/a.png",
            )
            assert eziox.profile.update(avatar=None).avatar is None
            assert eziox.profile.get().name == "Ada Lovelace"

            templates = eziox.templates.list()
            assert len(templates) >= 30
            gamer = eziox.templates.list(category="Gamer")
            assert gamer
            assert {t.category for t in gamer} == {"Gamer"}
            choice = next(t for t in templates if not t.premium and t.id != profile.theme)
            assert eziox.templates.get(choice.id) == choice
            assert choice.theme.colors.accent_text.startswith("#")
            assert eziox.templates.apply(choice.id).theme == choice.id
            premium = next(t for t in templates if t.premium)
            with pytest.raises(EzioxError) as caught:
                eziox.templates.apply(premium.id)  # a Free account
            assert (caught.value.status, caught.value.code) == (403, "FORBIDDEN")

    await blocking(scenario)


async def test_analytics_shapes(account: Account) -> None:
    with Eziox(account.key, base_url=account.url) as eziox:
        link = await blocking(lambda: eziox.links.create("Counted", "https://example.com/c"))
    async with httpx.AsyncClient(base_url=account.url, headers={"User-Agent": BROWSER}) as http:
        referer = {"Referer": "https://news.example.org/story"}
        assert (await http.get(f"/{account.username}", headers=referer)).status_code == 200
        assert (await http.get(f"/l/{link.id}")).status_code == 302

    def scenario() -> None:
        with Eziox(account.key, base_url=account.url) as eziox:
            week = eziox.analytics.get(period="7d")
            assert (week.period, week.timezone, len(week.daily)) == ("7d", "UTC", 7)
            assert week.daily[-1].date >= dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
            summary = week.summary
            assert (summary.views, summary.clicks, summary.click_rate) == (1, 1, 1.0)
            assert summary.unique_visitors == 1

            clicks = eziox.analytics.get(metric="clicks", tz="Europe/Berlin")
            assert (clicks.timezone, len(clicks.daily)) == ("Europe/Berlin", 30)
            assert (clicks.summary.views, clicks.summary.clicks) == (None, 1)
            assert clicks.daily[-1].views is None

            one = eziox.analytics.link(link.id, period="7d")
            assert (one.link, one.summary.clicks, len(one.daily)) == (link.id, 1, 7)
            top = eziox.analytics.breakdown("links", limit=5)
            assert (top.dimension, top.total) == ("links", 1)
            assert (top.items[0].value, top.items[0].title, top.items[0].share) == (
                link.id,
                "Counted",
                1.0,
            )
            assert eziox.analytics.breakdown("referrers").total == 1
            csv = eziox.analytics.csv(period="7d").splitlines()
            assert (csv[0], len(csv)) == ("date,views,clicks", 8)

    await blocking(scenario)


async def test_errors_are_mapped(settings: Settings, live: Server, account: Account) -> None:
    reader = await new_account(settings, live, permissions="links:read")

    def scenario() -> None:
        with Eziox(account.key, base_url=account.url) as eziox:
            with pytest.raises(EzioxError) as caught:
                eziox.links.get("lnk_doesnotexist")
            missing = caught.value
            assert (missing.code, missing.status, missing.retry_after) == ("NOT_FOUND", 404, None)
            assert missing.request_id
            assert missing.request_id.startswith("req_")

            with pytest.raises(EzioxError) as caught:
                eziox.links.create("Bad", "javascript:alert(1)")
            invalid = caught.value
            assert (invalid.code, invalid.status) == ("VALIDATION_ERROR", 422)
            assert [detail.field for detail in invalid.details] == ["url"]

        with Eziox("ezx_" + "A" * 32, base_url=account.url) as stranger:
            with pytest.raises(EzioxError) as caught:
                stranger.profile.get()
            assert (caught.value.code, caught.value.status) == ("UNAUTHORIZED", 401)

        with Eziox(reader.key, base_url=account.url) as limited:
            with pytest.raises(EzioxError) as caught:
                limited.links.create("Nope", "https://example.com")
            assert (caught.value.code, caught.value.status) == ("FORBIDDEN", 403)
            assert "links:write" in caught.value.message
            assert limited.rate_limit is not None  # every authenticated answer carries them

    await blocking(scenario)


async def test_usage_per_key(account: Account) -> None:
    def scenario() -> None:
        with Eziox(account.key, base_url=account.url) as eziox:
            before = eziox.usage(days=7)
            for _ in range(3):
                eziox.profile.get()
            after = eziox.usage(days=7, tz="Europe/Berlin")
            assert (after.days, after.timezone, len(after.keys)) == (7, "Europe/Berlin", 1)
            key = after.keys[0]
            assert key.requests - before.keys[0].requests == 4  # 3 reads and this report
            assert key.status == "active"
            assert key.key.startswith("ezx_")
            assert [day.date for day in key.daily][-1] == after.to
            assert len(key.daily) == 7
            assert key.daily[0].date == after.from_
            assert after.budget.limit == 1000
            assert after.budget.used >= 5
            assert key.current_hour.requests >= 5
            assert key.current_hour.budget_share > 0
            for bad in ({"days": 0}, {"days": 91}, {"tz": "Mars/Olympus"}):
                with pytest.raises(EzioxError) as caught:
                    eziox.usage(**bad)  # type: ignore[arg-type]
                assert (caught.value.status, caught.value.code) == (422, "VALIDATION_ERROR")

    await blocking(scenario)
