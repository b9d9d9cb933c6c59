"""Typed, immutable answers of the API, with snake_case attributes.

Parsed from the documented camelCase JSON. Fields a newer server adds are kept, not refused:
they are in ``model.model_extra`` (under their wire names) and in
``model.model_dump(by_alias=True)``, which gives back the API's own JSON shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Period = Literal["7d", "30d", "90d", "1y"]
Metric = Literal["all", "views", "clicks"]
Dimension = Literal["referrers", "devices", "browsers", "os", "countries", "links"]


class ApiModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow", alias_generator=to_camel)


class ProfileStats(ApiModel):
    views: int
    followers: int
    following: int


class Profile(ApiModel):
    id: str
    username: str
    name: str
    bio: str
    avatar: str | None = None
    banner: str | None = None
    theme: str
    design: dict[str, Any] | None = None  # overrides of the theme's tokens, as sent (camelCase)
    socials: list[dict[str, str]] = []  # [{platform, value, url}]
    stats: ProfileStats
    links: int = 0  # how many links the profile has
    created_at: dt.datetime | None = None


class Link(ApiModel):
    id: str
    title: str
    url: str
    description: str | None = None
    thumbnail: str | None = None
    clicks: int = 0
    is_active: bool
    order: int
    group_id: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    status: str = "active"  # active, scheduled, expired or inactive (computed by the server)
    sensitive: bool = False
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class LinkPage(ApiModel):
    """One page of ``GET /v1/links``: ``total`` counts every match, not just this page."""

    links: list[Link]
    total: int
    offset: int = 0  # the request's, not the server's: kept to find the next page
    limit: int = 50

    @property
    def next_offset(self) -> int | None:
        """The offset of the next page, or None when this is the last one."""
        end = self.offset + len(self.links)
        return end if self.links and end < self.total else None

    @property
    def has_more(self) -> bool:
        return self.next_offset is not None


class AnalyticsSummary(ApiModel):
    """Totals of the period; a narrowed ``metric`` leaves the other series' fields None."""

    views: int | None = None
    clicks: int | None = None
    click_rate: float | None = None
    unique_visitors: int | None = None  # the sum of each day's unique visitors


class DailyPoint(ApiModel):
    date: dt.date
    views: int | None = None
    clicks: int | None = None


class Analytics(ApiModel):
    period: str
    timezone: str = "UTC"
    summary: AnalyticsSummary
    daily: list[DailyPoint]  # one entry per day of the period, oldest first, zero-filled


class LinkAnalyticsSummary(ApiModel):
    clicks: int


class LinkAnalytics(ApiModel):
    period: str
    timezone: str = "UTC"
    link: str  # the link's id
    summary: LinkAnalyticsSummary
    daily: list[DailyPoint]


class BreakdownItem(ApiModel):
    value: str | None  # None: direct traffic or unknown
    title: str | None = None  # the link's title, in the "links" breakdown
    views: int | None = None
    clicks: int = 0
    share: float  # of views (of clicks in the "links" breakdown), 0..1


class Breakdown(ApiModel):
    period: str
    dimension: str
    total: int
    items: list[BreakdownItem]


class UsageDay(ApiModel):
    date: dt.date
    requests: int  # authenticated requests made with the key that day
    limited: int = 0  # of those, answered 429
    not_modified: int = 0  # of those, answered 304 (free)
    peak_hour_share: float = 0.0  # the day's busiest hour, as a share of the hourly limit


class UsageHour(ApiModel):
    requests: int
    budget_share: float  # of the account's hourly limit, 0..1


class KeyUsage(ApiModel):
    id: str
    name: str
    key: str  # masked
    status: str  # active, expired or revoked
    requests: int
    limited: int = 0
    not_modified: int = 0
    current_hour: UsageHour
    peak_hour_share: float = 0.0
    daily: list[UsageDay]  # one entry per day of the period, oldest first, zero-filled


class UsageBudget(ApiModel):
    limit: int
    used: int
    remaining: int
    share: float
    resets_at: dt.datetime


class Usage(ApiModel):
    days: int
    timezone: str = "UTC"
    from_: dt.date = Field(alias="from")
    to: dt.date
    requests: int
    budget: UsageBudget
    keys: list[KeyUsage]


class ThemeColors(ApiModel):
    background: str
    surface: str
    text: str
    muted: str
    accent: str
    accent_text: str


class ThemeFonts(ApiModel):
    display: str
    body: str


class Theme(ApiModel):
    colors: ThemeColors
    fonts: ThemeFonts
    card_style: str
    border_radius: str
    background: str
    button_hover: str


class Template(ApiModel):
    id: str
    name: str
    description: str
    category: str
    premium: bool
    theme: Theme


@dataclass(frozen=True)
class RateLimit:
    """The ``X-RateLimit-*`` headers of the latest answer that carried them."""

    limit: int
    remaining: int
    reset: int  # Unix seconds when the window resets

    @property
    def reset_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.reset, dt.UTC)


class ProfileUpdate(TypedDict, total=False):
    """Fields ``profile.update()`` may change; None clears avatar, banner or design."""

    name: str
    bio: str
    avatar: str | None
    banner: str | None
    theme: str
    design: dict[str, Any] | None
    socials: list[dict[str, str]] | None


class LinkUpdate(TypedDict, total=False):
    """Fields ``links.update()`` may change; None clears description or thumbnail."""

    title: str
    url: str
    description: str | None
    thumbnail: str | None
    is_active: bool
    order: int
    group_id: str | None
    starts_at: str | None  # RFC 3339
    ends_at: str | None
    sensitive: bool
