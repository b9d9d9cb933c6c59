"""`GET /v1/usage`: requests per key per day and the hourly budget, for any valid key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from eziox.analytics.api import Zone
from eziox.apikeys.report import MAX_DAYS, Budget, usage_report
from eziox.apikeys.schemas import Usage
from eziox.auth.guard import AnyKey
from eziox.deps import DbSession, app_state
from eziox.kit.responses import JSONBytes
from eziox.openapi import error_responses

router = APIRouter(prefix="/v1/usage", tags=["Usage"])


@router.get("", response_model=Usage, responses=error_responses(401, 422, 429))
async def get_usage(
    request: Request,
    principal: AnyKey,
    session: DbSession,
    zone: Zone,
    days: Annotated[
        int,
        Query(ge=1, le=MAX_DAYS, description=f"Days to report, today included (1 to {MAX_DAYS})"),
    ] = 30,
) -> Response:
    """Requests per API key per day (zero-filled), what each key used of the hourly limit
    this hour and in its busiest hour, and the account's budget now. Any valid key may ask:
    it shows every key of the account, masked. Counts reach the report within seconds."""
    state = app_state(request)
    used, reset = await state.limiter.usage(principal.account_id)
    budget = Budget(limit=principal.limit, used=used, reset=reset)
    report = await usage_report(
        session, state.usage, principal.account_id, days=days, zone=zone, budget=budget
    )
    return JSONBytes(report)
