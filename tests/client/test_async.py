"""The asyncio client against a live `eziox serve`."""

from __future__ import annotations

import asyncio

import pytest

from eziox.client import AsyncEziox, EzioxError
from eziox.config import Settings
from tests.client.conftest import Account, new_account
from tests.process.servers import Server

pytestmark = pytest.mark.slow


async def test_links_crud_and_every_page(account: Account) -> None:
    async with AsyncEziox(account.key, base_url=account.url) as eziox:
        for n in range(5):  # one by one: each goes to the end of the order
            await eziox.links.create(f"Link {n}", f"https://example.com/{n}", is_active=n % 2 == 0)
        walked = [link async for link in eziox.iter_links(page_size=2)]
        assert [link.title for link in walked] == [f"Link {n}" for n in range(5)]
        active = [link.title async for link in eziox.links.iter(active=True, page_size=2)]
        assert active == ["Link 0", "Link 2", "Link 4"]
        page = await eziox.links.list(limit=2, active=False)
        assert (page.total, page.next_offset, len(page.links)) == (2, None, 2)

        first = walked[0]
        changed = await eziox.links.update(first.id, url="https://example.com/new", order=4)
        assert (changed.url, changed.order) == ("https://example.com/new", 4)
        assert (await eziox.links.get(walked[1].id)).order == 0
        await eziox.links.delete(first.id)
        assert (await eziox.links.list()).total == 4


async def test_profile_templates_and_analytics(account: Account) -> None:
    async with AsyncEziox(account.key, base_url=account.url) as eziox:
        profile, templates, analytics = await asyncio.gather(
            eziox.profile.update(bio="async bio"),
            eziox.templates.list(category="minimal"),
            eziox.analytics.get(period="90d", metric="views"),
        )
        assert (profile.bio, profile.username) == ("async bio", account.username)
        assert templates
        assert {t.category for t in templates} == {"Minimal"}
        applied = await eziox.templates.apply(templates[0].id)
        assert applied.theme == templates[0].id
        assert (await eziox.templates.get(templates[0].id)).name == templates[0].name
        assert (analytics.period, len(analytics.daily)) == ("90d", 90)
        assert (analytics.summary.views, analytics.summary.clicks) == (0, None)
        referrers = await eziox.analytics.breakdown("referrers", period="1y")
        assert (referrers.dimension, referrers.total, referrers.items) == ("referrers", 0, [])


async def test_errors_are_mapped(settings: Settings, live: Server, account: Account) -> None:
    async with AsyncEziox(account.key, base_url=account.url) as eziox:
        with pytest.raises(EzioxError) as caught:
            await eziox.links.delete("lnk_doesnotexist")
        assert (caught.value.code, caught.value.status) == ("NOT_FOUND", 404)
        with pytest.raises(EzioxError) as caught:
            await eziox.links.update("lnk_doesnotexist", title="x")
        assert caught.value.status == 404
        with pytest.raises(EzioxError) as caught:
            await eziox.profile.update(name="x" * 101)
        assert (caught.value.code, caught.value.details[0].field) == ("VALIDATION_ERROR", "name")
        with pytest.raises(EzioxError) as caught:
            await eziox.analytics.get(tz="Mars/Olympus")
        assert (caught.value.status, caught.value.details[0].field) == (422, "tz")

    async with AsyncEziox("ezx_not-a-key", base_url=account.url) as stranger:
        with pytest.raises(EzioxError) as caught:
            await stranger.links.list()
        assert (caught.value.code, caught.value.status) == ("UNAUTHORIZED", 401)

    reader = await new_account(settings, live, permissions="profile:read")
    async with AsyncEziox(reader.key, base_url=account.url) as limited:
        assert (await limited.profile.get()).username == reader.username
        with pytest.raises(EzioxError) as caught:
            await limited.analytics.get()
        assert (caught.value.code, caught.value.status) == ("FORBIDDEN", 403)
        assert "analytics:read" in caught.value.message
