"""The Settings tab: email, password, the plan (Stripe checkout and billing portal) and
deleting the account."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from eziox.accounts.service import change_email, change_password, delete_account
from eziox.billing.checkout import checkout_url, portal_url
from eziox.billing.entitlements import TIER_NAMES, Tier
from eziox.billing.repository import BillingRepository
from eziox.deps import app_state
from eziox.errors import ValidationFailed
from eziox.web.app_responses import see_other
from eziox.web.dashboard.forms import AfterCommit, form_action
from eziox.web.dashboard.page import tab_view
from eziox.web.sessions import (
    SESSION_COOKIE,
    SignedIn,
    clear_session_cookie,
    end_other_sessions,
)

router = APIRouter(prefix="/profile", include_in_schema=False)
TAB = "settings"

NOTICES = {
    "email-saved": "Email saved.",
    "password-changed": "Password changed.",
    "checkout-done": "Thank you! Your plan changes as soon as Stripe confirms the payment.",
}


@tab_view(TAB, NOTICES)
async def settings_tab(request: Request, user: SignedIn) -> dict[str, Any]:
    return {
        "tier_name": TIER_NAMES[Tier(user.account.tier)],
        "billing_enabled": app_state(request).settings.billing_enabled,
        "mail_enabled": app_state(request).settings.smtp is not None,
    }


@form_action(router, "/settings/email", tab=TAB)
async def save_email(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
    await change_email(session, user.account.id, form.get("email", ""), form.get("password", ""))
    return "email-saved"


@form_action(router, "/settings/password", tab=TAB)
async def save_password(
    session: AsyncSession, user: SignedIn, form: dict[str, str], request: Request
) -> str:
    if form.get("new_password") != form.get("confirm_password"):
        raise ValidationFailed.field("confirm_password", "does not match the new password")
    await change_password(
        session,
        user.account.id,
        form.get("current_password", ""),
        form.get("new_password", ""),
    )
    # Whoever else holds a session (a stolen cookie, a shared computer) is signed out;
    # this browser stays signed in.
    await end_other_sessions(session, user.account.id, request.cookies.get(SESSION_COOKIE))
    return "password-changed"


async def _stripe_customer(session: AsyncSession, account_id: str) -> str | None:
    row = await BillingRepository(session).customer_of_account(account_id)
    return row.stripe_customer_id if row else None


@form_action(router, "/billing/checkout", tab=TAB)
async def billing_checkout(
    session: AsyncSession, user: SignedIn, form: dict[str, str], request: Request
) -> AfterCommit:
    customer = await _stripe_customer(session, user.account.id)

    async def to_stripe() -> Response:
        settings = app_state(request).settings
        url = await checkout_url(settings, user.account, customer, form.get("tier", ""))
        return see_other(url)

    return AfterCommit(to_stripe)


@form_action(router, "/billing/portal", tab=TAB)
async def billing_portal(
    session: AsyncSession, user: SignedIn, form: dict[str, str], request: Request
) -> AfterCommit:
    customer = await _stripe_customer(session, user.account.id)

    async def to_stripe() -> Response:
        return see_other(await portal_url(app_state(request).settings, customer))

    return AfterCommit(to_stripe)


@form_action(router, "/settings/delete", tab=TAB)
async def remove_account(
    session: AsyncSession, user: SignedIn, form: dict[str, str], request: Request
) -> Response:
    if form.get("confirm", "").strip() != user.account.username:
        raise ValidationFailed.field("confirm", "type your username exactly to confirm")
    await delete_account(session, user.account.id)
    response = see_other("/?deleted=1")
    clear_session_cookie(response, request)
    return response
