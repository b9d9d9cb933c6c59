"""The Analytics tab: a period's daily series and top breakdowns, and its CSV download, from
the same services as /v1/analytics."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.responses import Response

from eziox.analytics.periods import Metric, Period
from eziox.analytics.service import account_series, breakdown, series_csv
from eziox.deps import app_state
from eziox.web.dashboard.page import sign_in_first, tab_view
from eziox.web.sessions import SignedIn, current_user

router = APIRouter(prefix="/profile", include_in_schema=False)
TAB = "analytics"
UTC = ZoneInfo("UTC")


def _period(value: str | None) -> Period:
    try:
        return Period(value or "30d")
    except ValueError:
        return Period.D30


@tab_view(TAB, {})
async def analytics_tab(request: Request, user: SignedIn) -> dict[str, Any]:
    account_id = user.account.id
    period = _period(request.query_params.get("period"))
    async with app_state(request).db.session() as session:
        return {
            "period": period.value,
            "series": await account_series(session, account_id, period, Metric.ALL, UTC),
            "breakdowns": {
                name: await breakdown(session, account_id, name, period, UTC, 8)
                for name in ("links", "referrers", "devices", "countries")
            },
        }


@router.get("/analytics.csv")
async def analytics_csv(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return sign_in_first(request)
    period = _period(request.query_params.get("period"))
    async with app_state(request).db.session() as session:
        series = await account_series(session, user.account.id, period, Metric.ALL, UTC)
    return Response(
        series_csv(series),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="eziox-{period.value}.csv"'},
    )
