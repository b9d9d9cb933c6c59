"""The Python SDK of the Eziox API v1, sync and async.

    from eziox.client import Eziox, EzioxError

    with Eziox() as eziox:  # EZIOX_API_KEY, and EZIOX_BASE_URL or http://127.0.0.1:8000
        link = eziox.links.create("My Website", "https://example.com")
        for each in eziox.iter_links():
            print(each.order, each.title, each.clicks)

``AsyncEziox`` has the same resources with ``await`` (and ``async for`` over ``iter_links``).
Every failure raises ``EzioxError`` with ``code``, ``message``, ``status``, ``retry_after``,
``details`` and ``request_id``. The SDK needs only httpx and pydantic, not the server.
"""

from eziox.client._async import AsyncEziox
from eziox.client._sync import Eziox
from eziox.client.errors import ErrorDetail, EzioxError
from eziox.client.models import (
    Analytics,
    AnalyticsSummary,
    Breakdown,
    BreakdownItem,
    DailyPoint,
    Dimension,
    KeyUsage,
    Link,
    LinkAnalytics,
    LinkAnalyticsSummary,
    LinkPage,
    LinkUpdate,
    Metric,
    Period,
    Profile,
    ProfileStats,
    ProfileUpdate,
    RateLimit,
    Template,
    Theme,
    ThemeColors,
    ThemeFonts,
    Usage,
    UsageBudget,
    UsageDay,
    UsageHour,
)

__all__ = [
    "Analytics",
    "AnalyticsSummary",
    "AsyncEziox",
    "Breakdown",
    "BreakdownItem",
    "DailyPoint",
    "Dimension",
    "ErrorDetail",
    "Eziox",
    "EzioxError",
    "KeyUsage",
    "Link",
    "LinkAnalytics",
    "LinkAnalyticsSummary",
    "LinkPage",
    "LinkUpdate",
    "Metric",
    "Period",
    "Profile",
    "ProfileStats",
    "ProfileUpdate",
    "RateLimit",
    "Template",
    "Theme",
    "ThemeColors",
    "ThemeFonts",
    "Usage",
    "UsageBudget",
    "UsageDay",
    "UsageHour",
]
