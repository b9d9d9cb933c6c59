"""startsAt/endsAt: computed status, ?status= filter, the bio page and /l/{id} over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from fastapi import FastAPI

from tests.factories import Caller, make_caller
from tests.links.factories import new_link
from tests.web.visits import CHROME

pytestmark = pytest.mark.usefixtures("one_hash_for_the_shared_password")

T0 = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
START = "2030-06-01T13:00:00Z"
END = "2030-06-01T14:00:00Z"


async def statuses(caller: Caller, status: str | None = None) -> dict[str, str]:
    params = {"limit": 100, **({"status": status} if status else {})}
    body = (await caller.get("/v1/links", params=params)).json()
    assert body["total"] == len(body["links"])
    return {link["title"]: link["status"] for link in body["links"]}


async def test_schedule_fields_and_status_over_time(caller: Caller) -> None:
    with time_machine.travel(T0, tick=False):
        windowed = await new_link(caller, "Window", startsAt=START, endsAt=END)
        assert windowed["startsAt"] == START
        assert windowed["endsAt"] == END
        assert windowed["status"] == "scheduled"
        await new_link(caller, "Always")
        await new_link(caller, "Off", isActive=False, startsAt=START)
        offset = await new_link(caller, "Offset", startsAt="2030-06-01T15:00:00+02:00")
        assert offset["startsAt"] == "2030-06-01T13:00:00Z"  # stored and shown in UTC
        assert await statuses(caller) == {
            "Window": "scheduled",
            "Always": "active",
            "Off": "inactive",
            "Offset": "scheduled",
        }
        assert await statuses(caller, "scheduled") == {"Window": "scheduled", "Offset": "scheduled"}
        assert await statuses(caller, "inactive") == {"Off": "inactive"}
        assert await statuses(caller, "expired") == {}
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):  # exactly startsAt
        assert await statuses(caller, "active") == {
            "Window": "active",
            "Always": "active",
            "Offset": "active",
        }
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):  # exactly endsAt
        assert await statuses(caller, "expired") == {"Window": "expired"}
        single = await caller.get(f"/v1/links/{windowed['id']}")
        assert single.json()["status"] == "expired"


async def test_schedule_can_be_changed_and_cleared(caller: Caller) -> None:
    link = await new_link(caller, "L", startsAt=START)
    changed = await caller.patch(f"/v1/links/{link['id']}", json={"endsAt": END})
    assert (changed.json()["startsAt"], changed.json()["endsAt"]) == (START, END)
    cleared = await caller.patch(f"/v1/links/{link['id']}", json={"startsAt": None, "endsAt": None})
    assert cleared.json()["startsAt"] is None
    assert cleared.json()["status"] == "active"


async def test_a_window_must_end_after_it_starts(caller: Caller) -> None:
    refused = await caller.post(
        "/v1/links", json={"title": "t", "url": "https://e.com", "startsAt": END, "endsAt": START}
    )
    assert refused.status_code == 409
    assert "endsAt must be after startsAt" in refused.json()["error"]["message"]
    same = await caller.post(
        "/v1/links", json={"title": "t", "url": "https://e.com", "startsAt": END, "endsAt": END}
    )
    assert same.status_code == 409
    assert (await caller.get("/v1/links")).json()["total"] == 0
    link = await new_link(caller, "L", endsAt=START)
    moved = await caller.patch(f"/v1/links/{link['id']}", json={"startsAt": END})
    assert moved.status_code == 409
    assert (await caller.get(f"/v1/links/{link['id']}")).json()["startsAt"] is None


async def test_bad_timestamps_and_filters_are_refused(caller: Caller) -> None:
    for value in (
        "2030-06-01",
        "2030-06-01T12:00:00",
        "2030-02-30T00:00:00Z",
        "1700000000",
        "2024-01-01T12:99:00Z",
        1700000000,
        "tomorrow",
    ):
        response = await caller.post(
            "/v1/links", json={"title": "t", "url": "https://e.com", "startsAt": value}
        )
        assert response.status_code == 422, value
        assert response.json()["error"]["details"][0]["field"] == "startsAt"
    assert (await caller.get("/v1/links", params={"status": "live"})).status_code == 422
    for body in ({"sensitive": None}, {"sensitive": "yes"}, {"groupId": 5}):
        link = await new_link(caller, "x")
        assert (await caller.patch(f"/v1/links/{link['id']}", json=body)).status_code == 422


async def page_titles(client: httpx.AsyncClient, username: str) -> tuple[list[str], str]:
    response = await client.get(f"/{username}", headers={"User-Agent": CHROME})
    assert response.status_code == 200
    html = response.text
    titles = [part.split("</span>")[0] for part in html.split('class="link-title">')[1:]]
    return titles, response.headers["Cache-Control"]


async def test_bio_page_and_redirect_follow_the_window(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await make_caller(app, client)
    username = caller.account.username
    with time_machine.travel(T0, tick=False):
        windowed = await new_link(caller, "Window", startsAt=START, endsAt=END)
        await new_link(caller, "Always")
        titles, _ = await page_titles(client, username)
        assert titles == ["Always"]
        early = await client.get(f"/l/{windowed['id']}", headers={"User-Agent": CHROME})
        assert early.status_code == 404
        assert "text/html" in early.headers["content-type"]
    with time_machine.travel(T0 + timedelta(hours=1, minutes=30), tick=False):
        titles, _ = await page_titles(client, username)
        assert titles == ["Window", "Always"]
        live = await client.get(f"/l/{windowed['id']}", headers={"User-Agent": CHROME})
        assert live.status_code == 302
        assert live.headers["location"] == "https://example.com/Window"
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        titles, _ = await page_titles(client, username)
        assert titles == ["Always"]
        late = await client.get(f"/l/{windowed['id']}", headers={"User-Agent": CHROME})
        assert late.status_code == 404


async def test_shared_caches_do_not_outlive_a_scheduled_change(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: object
) -> None:
    from tests.factories import state_of

    caller = await make_caller(app, client)
    settings = state_of(app).settings
    original = settings.page_cdn_ttl
    object.__setattr__(settings, "page_cdn_ttl", 600)
    try:
        with time_machine.travel(T0, tick=False):
            _, cache = await page_titles(client, caller.account.username)
            assert cache.endswith("s-maxage=600")
            await new_link(caller, "Soon", startsAt="2030-06-01T12:01:30Z")
            _, cache = await page_titles(client, caller.account.username)
            assert cache == "public, max-age=0, must-revalidate, s-maxage=90"
    finally:
        object.__setattr__(settings, "page_cdn_ttl", original)
