"""The Design tab (tab=templates): the template catalog, applied with the same service as
POST /v1/templates/{id}/apply."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts.service import apply_template
from eziox.billing.entitlements import entitlements
from eziox.templates.service import list_templates
from eziox.web.dashboard.forms import form_action
from eziox.web.dashboard.page import tab_view
from eziox.web.sessions import SignedIn

router = APIRouter(prefix="/profile", include_in_schema=False)
TAB = "templates"

NOTICES = {"design-applied": "Design applied."}


@tab_view(TAB, NOTICES)
async def templates_tab(request: Request, user: SignedIn) -> dict[str, Any]:
    return {
        "templates": list_templates(),
        "premium_ok": entitlements(user.account.tier).premium_templates,
    }


@form_action(router, "/templates/{template_id}/apply", tab=TAB)
async def use_template(
    session: AsyncSession, user: SignedIn, form: dict[str, str], template_id: str
) -> str:
    await apply_template(session, user.account.id, template_id)
    return "design-applied"
