"""The API keys tab (tab=api): keys, their permissions and their usage (the report of
`GET /v1/usage`), through the same services as `eziox keys`."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.apikeys.report import Budget, usage_report
from eziox.apikeys.service import create_api_key, describe, list_api_keys, revoke_api_key
from eziox.auth.scopes import Permission
from eziox.billing.entitlements import entitlements
from eziox.deps import app_state
from eziox.errors import ValidationFailed
from eziox.web.dashboard.forms import ShowTab, form_action
from eziox.web.dashboard.page import tab_view
from eziox.web.sessions import SignedIn

router = APIRouter(prefix="/profile", include_in_schema=False)
TAB = "api"
USAGE_DAYS = 30
UTC = ZoneInfo("UTC")

NOTICES = {"key-revoked": "Key revoked. It stopped working immediately."}


@tab_view(TAB, NOTICES)
async def api_tab(request: Request, user: SignedIn) -> dict[str, Any]:
    state = app_state(request)
    account = user.account
    limit = entitlements(account.tier).hourly_api_limit
    async with state.db.session() as session:
        keys = [describe(k) for k in await list_api_keys(session, account.id)]
        used, reset = await state.limiter.usage(account.id)
        report = await usage_report(
            session,
            state.usage,
            account.id,
            days=USAGE_DAYS,
            zone=UTC,
            budget=Budget(limit=limit, used=used, reset=reset),
        )
    return {
        "keys": keys,
        "usage": {"used": used, "limit": limit, "reset": reset},
        "key_usage": report["keys"],
        "usage_days": USAGE_DAYS,
    }


@form_action(router, "/keys", tab=TAB)
async def new_key(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> ShowTab:
    chosen = [p.value for p in Permission if form.get(f"perm:{p.value}") == "on"]
    days = form.get("expires_in_days", "").strip()
    if days and not days.isdigit():
        raise ValidationFailed.field("expiresInDays", "must be a whole number of days")
    created = await create_api_key(
        session,
        user.account.id,
        name=form.get("name", ""),
        permissions=chosen,
        expires_in_days=int(days) if days else None,
    )
    return ShowTab(201, {"new_key": created.secret, "new_key_name": created.key.name})


@form_action(router, "/keys/{key_id}/revoke", tab=TAB)
async def revoke_key(
    session: AsyncSession, user: SignedIn, form: dict[str, str], key_id: str
) -> str:
    await revoke_api_key(session, user.account.id, key_id)
    return "key-revoked"
