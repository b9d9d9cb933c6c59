"""The /v1/analytics routes."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from eziox.analytics import service
from eziox.analytics.periods import Metric, Period, parse_zone
from eziox.analytics.schemas import Analytics, Breakdown, LinkAnalytics
from eziox.auth.guard import AnalyticsRead
from eziox.deps import DbSession
from eziox.errors import ValidationFailed
from eziox.kit.responses import JSONBytes
from eziox.links.service import get_link
from eziox.openapi import error_responses

router = APIRouter(prefix="/v1/analytics", tags=["Analytics"])

PeriodQuery = Annotated[Period, Query(description="7d, 30d, 90d or 1y (365 days)")]
Format = Annotated[Literal["json", "csv"], Query(description="json, or csv for a download")]
CSV_RESPONSE = {"content": {"text/csv": {"schema": {"type": "string"}}}}


# Published as a string with a format of its own rather than an enum of the ~600 zone names
# (which generators turn into colliding identifiers: GMT0, GMT-0, GMT+0); the server checks the
# name itself (parse_zone), so the length limits are all a pattern-free schema can promise.
ZONE_SCHEMA = {"format": "iana-time-zone", "minLength": 1, "maxLength": 64}


def zone_of(
    tz: Annotated[
        str,
        Query(
            description="IANA time zone name for day boundaries, such as `Europe/Berlin` or "
            "`America/New_York`; an unknown name is a 422 `VALIDATION_ERROR`",
            examples=["Europe/Berlin"],
            json_schema_extra=ZONE_SCHEMA,
        ),
    ] = "UTC",
) -> ZoneInfo:
    try:
        return parse_zone(tz)
    except ValueError as exc:
        raise ValidationFailed.field("tz", str(exc)) from None


Zone = Annotated[ZoneInfo, Depends(zone_of)]


def _csv(body: str, name: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(
    "",
    response_model=Analytics,
    responses={200: CSV_RESPONSE, **error_responses(401, 403, 422, 429)},
)
async def get_analytics(
    principal: AnalyticsRead,
    session: DbSession,
    zone: Zone,
    period: PeriodQuery = Period.D30,
    metric: Annotated[Metric, Query(description="views, clicks or all")] = Metric.ALL,
    format: Format = "json",
) -> Response:
    """Views, clicks and click rate for the period, with one entry per day (zero-filled)."""
    series = await service.account_series(session, principal.account_id, period, metric, zone)
    if format == "csv":
        return _csv(service.series_csv(series), f"eziox-analytics-{period.value}")
    return JSONBytes(series)


@router.get(
    "/links/{link_id}",
    response_model=LinkAnalytics,
    responses={200: CSV_RESPONSE, **error_responses(401, 403, 404, 422, 429)},
)
async def get_link_analytics(
    principal: AnalyticsRead,
    session: DbSession,
    link_id: str,
    zone: Zone,
    period: PeriodQuery = Period.D30,
    format: Format = "json",
) -> Response:
    """One link's clicks per day over the period."""
    await get_link(session, principal.account_id, link_id)  # 404 for others' links
    series = await service.link_series(session, principal.account_id, link_id, period, zone)
    if format == "csv":
        return _csv(service.series_csv(series), f"eziox-link-{link_id}-{period.value}")
    return JSONBytes(series)


@router.get(
    "/{dimension}", response_model=Breakdown, responses=error_responses(401, 403, 404, 422, 429)
)
async def get_breakdown(
    principal: AnalyticsRead,
    session: DbSession,
    dimension: Annotated[
        Literal["referrers", "devices", "browsers", "os", "countries", "links"],
        Path(description="Which breakdown"),
    ],
    zone: Zone,
    period: PeriodQuery = Period.D30,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Response:
    """Top referrers, devices, browsers, operating systems, countries or links, with shares."""
    return JSONBytes(
        await service.breakdown(session, principal.account_id, dimension, period, zone, limit)
    )
