"""Analytics answers: a period's summary and zero-filled daily series, and breakdowns."""

from __future__ import annotations

import csv
import io
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.analytics.periods import Metric, Period, Window, window
from eziox.analytics.repository import AnalyticsRepository
from eziox.analytics.rollup import DIRECT, UNKNOWN
from eziox.links.repository import LinkRepository
from eziox.models import ACCOUNT_ROW

BREAKDOWNS = {  # API name -> stored dimension
    "referrers": "referrer",
    "devices": "device",
    "browsers": "browser",
    "os": "os",
    "countries": "country",
    "links": "link",
}


def click_rate(views: int, clicks: int) -> float:
    return round(clicks / views, 2) if views else 0.0


async def _daily(repository: AnalyticsRepository, span: Window, link_id: str) -> list[list[int]]:
    """[views, clicks, uniques] per local day of the window: rollups plus the tail."""
    buckets = [[0, 0, 0] for _ in span.days]
    for day, views, clicks, uniques in await repository.daily(link_id, span):
        bucket = buckets[int(day)]
        bucket[0] += int(views)
        bucket[1] += int(clicks)
        bucket[2] += int(uniques)
    tail = await repository.tail(None if link_id == ACCOUNT_ROW else link_id)
    for (_, row_link, hour), amounts in tail.hourly.items():
        if row_link == link_id:
            _add(buckets, span, hour, amounts)
    return buckets


def _add(buckets: list[list[int]], span: Window, hour: int, amounts: Any) -> None:
    index = span.day_index(hour)
    if index is not None:
        for i in range(3):
            buckets[index][i] += int(amounts[i])


def _narrow(metric: Metric, views: int, clicks: int, uniques: int) -> dict[str, Any]:
    if metric is Metric.VIEWS:
        return {"views": views, "uniqueVisitors": uniques}
    if metric is Metric.CLICKS:
        return {"clicks": clicks}
    return {
        "views": views,
        "clicks": clicks,
        "clickRate": click_rate(views, clicks),
        "uniqueVisitors": uniques,
    }


def _point(metric: Metric, day: Any, views: int, clicks: int) -> dict[str, Any]:
    point: dict[str, Any] = {"date": day.isoformat()}
    if metric is not Metric.CLICKS:
        point["views"] = views
    if metric is not Metric.VIEWS:
        point["clicks"] = clicks
    return point


async def account_series(
    session: AsyncSession, account_id: str, period: Period, metric: Metric, zone: ZoneInfo
) -> dict[str, Any]:
    """GET /v1/analytics: summary and one entry per day of the period, oldest first."""
    repository = AnalyticsRepository(session, account_id)
    span = window(period, zone)
    buckets = await _daily(repository, span, ACCOUNT_ROW)
    views, clicks, uniques = (sum(b[i] for b in buckets) for i in range(3))
    return {
        "period": period.value,
        "timezone": zone.key,
        "summary": _narrow(metric, views, clicks, uniques),
        "daily": [_point(metric, d, b[0], b[1]) for d, b in zip(span.days, buckets, strict=True)],
    }


async def link_series(
    session: AsyncSession, account_id: str, link_id: str, period: Period, zone: ZoneInfo
) -> dict[str, Any]:
    """GET /v1/analytics/links/{id}: one link's clicks per day (the link must be the account's)."""
    repository = AnalyticsRepository(session, account_id)
    span = window(period, zone)
    buckets = await _daily(repository, span, link_id)
    return {
        "period": period.value,
        "timezone": zone.key,
        "link": link_id,
        "summary": {"clicks": sum(b[1] for b in buckets)},
        "daily": [
            {"date": d.isoformat(), "clicks": b[1]} for d, b in zip(span.days, buckets, strict=True)
        ],
    }


async def breakdown(
    session: AsyncSession, account_id: str, name: str, period: Period, zone: ZoneInfo, limit: int
) -> dict[str, Any]:
    """Top values of one dimension over the period's UTC days, with counts and shares."""
    dimension = BREAKDOWNS[name]
    repository = AnalyticsRepository(session, account_id)
    span = window(period, zone)
    first, last = span.first_utc_day, span.last_utc_day
    totals: dict[str, list[int]] = {}
    for value, views, clicks in await repository.dimension(dimension, first, last, False):
        totals[value] = [int(views), int(clicks)]
    tail = await repository.tail()
    for (_, day, dim, value), (views, clicks) in tail.dims.items():
        if dim == dimension and first <= day <= last:
            entry = totals.setdefault(value, [0, 0])
            entry[0] += views
            entry[1] += clicks
    primary = 1 if dimension == "link" else 0
    grand = sum(v[primary] for v in totals.values())
    counted = [item for item in totals.items() if item[1][primary]]
    ranked = sorted(counted, key=lambda item: (-item[1][primary], item[0]))[:limit]
    links = LinkRepository(session, account_id)
    titles = await links.titles([k for k, _ in ranked]) if primary else {}
    items = []
    for value, (views, clicks) in ranked:
        item: dict[str, Any] = {"value": _label(value), "views": views, "clicks": clicks}
        if primary:
            item = {"value": value, "title": titles.get(value), "clicks": clicks}
        item["share"] = round((clicks if primary else views) / grand, 4) if grand else 0.0
        items.append(item)
    return {"period": period.value, "dimension": name, "total": grand, "items": items}


def _label(value: str) -> str | None:
    return None if value in {DIRECT, UNKNOWN} else value


def series_csv(series: dict[str, Any]) -> str:
    """The daily series as CSV with a header row (the columns the metric kept)."""
    out = io.StringIO()
    columns = list(series["daily"][0].keys()) if series["daily"] else ["date"]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(series["daily"])
    return out.getvalue()
