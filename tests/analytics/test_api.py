"""GET /v1/analytics and friends: shapes, periods, time zones, counting rules, CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import time_machine
from fastapi import FastAPI

from eziox.analytics.rollup import roll_up_all
from tests.analytics.factories import GOOGLEBOT, IPHONE, record
from tests.factories import Caller, make_caller, state_of

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


async def both_ways(app: FastAPI, caller: Caller, url: str, **params: object) -> dict:  # type: ignore[type-arg]
    """The answer must be the same from the un-rolled tail and from the rollups."""
    before = await caller.get(url, params=params)
    assert before.status_code == 200, before.text
    await roll_up_all(state_of(app).db)
    after = await caller.get(url, params=params)
    assert after.json() == before.json()
    return after.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("period", "days"), [("7d", 7), ("30d", 30), ("90d", 90), ("1y", 365)])
async def test_daily_is_zero_filled_oldest_first_ending_today(
    caller: Caller, period: str, days: int
) -> None:
    body = (await caller.get("/v1/analytics", params={"period": period})).json()
    assert body["period"] == period
    assert body["summary"] == {"views": 0, "clicks": 0, "clickRate": 0, "uniqueVisitors": 0}
    dates = [date.fromisoformat(point["date"]) for point in body["daily"]]
    assert len(dates) == days
    assert dates[-1] == datetime.now(UTC).date()
    assert dates == sorted(dates)
    assert dates[0] == dates[-1] - timedelta(days=days - 1)
    assert all(point["views"] == point["clicks"] == 0 for point in body["daily"])


async def test_default_period_is_30d(caller: Caller) -> None:
    body = (await caller.get("/v1/analytics")).json()
    assert body["period"] == "30d"
    assert len(body["daily"]) == 30


async def test_summary_daily_and_click_rate(app: FastAPI, caller: Caller) -> None:
    link = (await caller.post("/v1/links", json={"title": "a", "url": "https://a.example"})).json()
    await record(app, caller.account.id, times=3)
    await record(app, caller.account.id, link_id=link["id"])
    body = await both_ways(app, caller, "/v1/analytics", period="7d")
    assert body["summary"] == {"views": 3, "clicks": 1, "clickRate": 0.33, "uniqueVisitors": 1}
    assert body["daily"][-1] == {
        "date": datetime.now(UTC).date().isoformat(),
        "views": 3,
        "clicks": 1,
    }


@pytest.mark.parametrize(
    ("metric", "summary_keys", "point_keys"),
    [
        ("all", {"views", "clicks", "clickRate", "uniqueVisitors"}, {"date", "views", "clicks"}),
        ("views", {"views", "uniqueVisitors"}, {"date", "views"}),
        ("clicks", {"clicks"}, {"date", "clicks"}),
    ],
)
async def test_metric_narrows_fields(
    caller: Caller, metric: str, summary_keys: set[str], point_keys: set[str]
) -> None:
    body = (await caller.get("/v1/analytics", params={"metric": metric, "period": "7d"})).json()
    assert set(body["summary"]) == summary_keys
    assert all(set(point) == point_keys for point in body["daily"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "14d"}, "period"),
        ({"period": "1Y"}, "period"),
        ({"metric": "likes"}, "metric"),
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"tz": "../../etc/passwd"}, "tz"),
        ({"format": "xml"}, "format"),
    ],
)
async def test_bad_parameters(caller: Caller, params: dict[str, str], field: str) -> None:
    response = await caller.get("/v1/analytics", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][0]["field"] == field


async def test_bots_are_stored_but_never_counted(app: FastAPI, caller: Caller) -> None:
    await record(app, caller.account.id, agent=GOOGLEBOT, times=4)
    await record(app, caller.account.id, agent="curl/8.4.0")
    await record(app, caller.account.id, agent="")
    body = await both_ways(app, caller, "/v1/analytics", period="7d")
    assert body["summary"]["views"] == 0
    assert (await caller.get("/v1/profile")).json()["stats"]["views"] == 0


async def test_unique_visitors_per_day(app: FastAPI, caller: Caller) -> None:
    await record(app, caller.account.id, ip="198.51.100.1", times=3)
    await record(app, caller.account.id, ip="198.51.100.2")
    await record(app, caller.account.id, ip="198.51.100.2", agent=IPHONE)
    body = await both_ways(app, caller, "/v1/analytics", period="7d", metric="views")
    assert body["summary"] == {"views": 5, "uniqueVisitors": 3}


async def test_salt_rotates_daily(app: FastAPI, caller: Caller) -> None:
    from sqlalchemy import select

    from eziox.models import Event, EventInbox

    yesterday = datetime.now(UTC) - timedelta(days=1)
    await record(app, caller.account.id, at=yesterday, ip="198.51.100.7")
    await record(app, caller.account.id, ip="198.51.100.7")
    async with state_of(app).db.session() as session:
        hashes = set(
            await session.scalars(
                select(EventInbox.visitor).where(EventInbox.account_id == caller.account.id)
            )
        )
    assert len(hashes) == 2  # the same person is unlinkable across days
    body = await both_ways(app, caller, "/v1/analytics", period="7d")
    assert body["summary"]["uniqueVisitors"] == 2
    async with state_of(app).db.session() as session:
        stored = list(
            await session.scalars(select(Event).where(Event.account_id == caller.account.id))
        )
    assert all(b"198.51.100.7" not in e.visitor for e in stored)
    assert all("198.51.100.7" not in str(vars(e)) for e in stored)


async def test_time_zones_move_day_boundaries(app: FastAPI, caller: Caller) -> None:
    for moment in ("2026-03-09T23:30:00", "2026-03-10T00:30:00", "2026-03-10T06:00:00"):
        await record(app, caller.account.id, at=datetime.fromisoformat(moment).replace(tzinfo=UTC))
    expected = {
        "UTC": {"2026-03-09": 1, "2026-03-10": 2},
        "America/New_York": {"2026-03-09": 2, "2026-03-10": 1},  # UTC-4 after the DST change
        "Asia/Tokyo": {"2026-03-10": 3},
    }
    with time_machine.travel(NOW, tick=False):
        for zone, days in expected.items():
            body = (await caller.get("/v1/analytics", params={"period": "7d", "tz": zone})).json()
            assert body["timezone"] == zone
            counted = {p["date"]: p["views"] for p in body["daily"] if p["views"]}
            assert counted == days, zone
        await roll_up_all(state_of(app).db)
        for zone, days in expected.items():
            body = (await caller.get("/v1/analytics", params={"period": "7d", "tz": zone})).json()
            assert {p["date"]: p["views"] for p in body["daily"] if p["views"]} == days, zone


async def test_period_boundaries(app: FastAPI, caller: Caller) -> None:
    start_of_today = NOW.replace(hour=0, minute=0)
    await record(app, caller.account.id, at=start_of_today - timedelta(days=6))  # in 7d
    await record(app, caller.account.id, at=start_of_today - timedelta(days=6, seconds=1))
    await record(app, caller.account.id, at=NOW + timedelta(hours=11, minutes=59))  # today, later
    await roll_up_all(state_of(app).db)
    with time_machine.travel(NOW + timedelta(hours=11, minutes=59, seconds=30), tick=False):
        week = (await caller.get("/v1/analytics", params={"period": "7d"})).json()
        month = (await caller.get("/v1/analytics", params={"period": "30d"})).json()
    assert week["summary"]["views"] == 2
    assert week["daily"][0] == {"date": "2026-03-04", "views": 1, "clicks": 0}
    assert week["daily"][-1]["views"] == 1
    assert month["summary"]["views"] == 3


async def test_csv_export(app: FastAPI, caller: Caller) -> None:
    await record(app, caller.account.id, times=2)
    response = await caller.get("/v1/analytics", params={"period": "7d", "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    lines = response.text.strip().splitlines()
    assert lines[0] == "date,views,clicks"
    assert len(lines) == 8
    assert lines[-1] == f"{datetime.now(UTC).date().isoformat()},2,0"
    clicks_only = await caller.get("/v1/analytics", params={"metric": "clicks", "format": "csv"})
    assert clicks_only.text.splitlines()[0] == "date,clicks"


async def test_link_analytics(app: FastAPI, client: httpx.AsyncClient, caller: Caller) -> None:
    link = (await caller.post("/v1/links", json={"title": "a", "url": "https://a.example"})).json()
    other = (await caller.post("/v1/links", json={"title": "b", "url": "https://b.example"})).json()
    await record(app, caller.account.id, link_id=link["id"], times=2)
    await record(app, caller.account.id, link_id=other["id"])
    body = await both_ways(app, caller, f"/v1/analytics/links/{link['id']}", period="7d")
    assert body["link"] == link["id"]
    assert body["summary"] == {"clicks": 2}
    assert body["daily"][-1]["clicks"] == 2
    assert len(body["daily"]) == 7
    assert (await caller.get(f"/v1/links/{link['id']}")).json()["clicks"] == 2
    intruder = await make_caller(app, client)
    response = await intruder.get(f"/v1/analytics/links/{link['id']}")
    assert response.status_code == 404
    assert (await caller.get("/v1/analytics/links/lnk_missing")).status_code == 404


async def test_breakdowns(app: FastAPI, caller: Caller) -> None:
    link = (
        await caller.post("/v1/links", json={"title": "Shop", "url": "https://s.example"})
    ).json()
    await record(
        app, caller.account.id, referer="https://www.instagram.com/p/1", agent=IPHONE, times=3
    )
    await record(app, caller.account.id, referer="https://t.co/xyz")
    await record(app, caller.account.id, link_id=link["id"], times=2)
    referrers = await both_ways(app, caller, "/v1/analytics/referrers", period="7d")
    assert referrers["total"] == 4
    assert referrers["items"][:2] == [
        {"value": "instagram.com", "views": 3, "clicks": 0, "share": 0.75},
        {"value": "t.co", "views": 1, "clicks": 0, "share": 0.25},
    ]
    devices = (await caller.get("/v1/analytics/devices", params={"period": "7d"})).json()
    assert devices["items"][0]["value"] == "mobile"
    browsers = (await caller.get("/v1/analytics/browsers", params={"period": "7d"})).json()
    assert browsers["items"][0]["value"] == "Mobile Safari"
    systems = (await caller.get("/v1/analytics/os", params={"period": "7d"})).json()
    assert systems["items"][0]["value"] == "iOS"
    links = (await caller.get("/v1/analytics/links", params={"period": "7d"})).json()
    assert links["items"] == [{"value": link["id"], "title": "Shop", "clicks": 2, "share": 1.0}]
    limited = (await caller.get("/v1/analytics/referrers", params={"limit": 1})).json()
    assert len(limited["items"]) == 1
    assert (await caller.get("/v1/analytics/planets")).status_code == 422
    assert (await caller.get("/v1/analytics/referrers", params={"limit": 0})).status_code == 422


async def test_analytics_are_per_account(app: FastAPI, client: httpx.AsyncClient) -> None:
    mine, theirs = await make_caller(app, client), await make_caller(app, client)
    await record(app, theirs.account.id, times=5)
    assert (await mine.get("/v1/analytics")).json()["summary"]["views"] == 0
    assert (await mine.get("/v1/analytics/referrers")).json()["total"] == 0


async def test_analytics_needs_its_permission(app: FastAPI, client: httpx.AsyncClient) -> None:
    caller = await make_caller(app, client, permissions="links:read")
    response = await caller.get("/v1/analytics")
    assert response.status_code == 403
    assert "analytics:read" in response.json()["error"]["message"]
