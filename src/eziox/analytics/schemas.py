"""Analytics response models (documentation; the routes serialize once with orjson)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Summary(BaseModel):
    views: int | None = None
    clicks: int | None = None
    clickRate: float | None = None
    uniqueVisitors: int | None = None


class DailyPoint(BaseModel):
    date: str
    views: int | None = None
    clicks: int | None = None


class Analytics(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "period": "30d",
                "timezone": "UTC",
                "summary": {"views": 1234, "clicks": 567, "clickRate": 0.46, "uniqueVisitors": 800},
                "daily": [{"date": "2026-01-01", "views": 42, "clicks": 18}],
            }
        }
    )

    period: str
    timezone: str
    summary: Summary
    daily: list[DailyPoint]


class LinkSummary(BaseModel):
    clicks: int


class LinkDailyPoint(BaseModel):
    date: str
    clicks: int


class LinkAnalytics(BaseModel):
    period: str
    timezone: str
    link: str
    summary: LinkSummary
    daily: list[LinkDailyPoint]


class BreakdownItem(BaseModel):
    value: str | None
    title: str | None = None
    views: int | None = None
    clicks: int
    share: float


class Breakdown(BaseModel):
    period: str
    dimension: str
    total: int
    items: list[BreakdownItem]
