"""The dashboard at /profile?tab=…: every action calls the same services as the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from eziox.accounts.schemas import ProfileUpdate
from eziox.accounts.service import (
    apply_template,
    change_email,
    change_password,
    delete_account,
    update_profile,
)
from eziox.analytics.periods import Metric, Period
from eziox.analytics.service import account_series, breakdown, series_csv
from eziox.apikeys.service import create_api_key, describe, list_api_keys, revoke_api_key
from eziox.auth.scopes import READ_ONLY, Permission
from eziox.billing.checkout import checkout_url, portal_url
from eziox.billing.entitlements import TIER_NAMES, Tier, entitlements
from eziox.billing.repository import BillingRepository
from eziox.deps import app_state
from eziox.errors import EzioxError, ValidationFailed
from eziox.links.schemas import LinkCreate, LinkUpdate
from eziox.links.service import create_link, delete_link, list_links, update_link
from eziox.templates.service import list_templates
from eziox.web.app_responses import csrf_failure, render_app, see_other
from eziox.web.links_plus_tab import NOTICES as LINKS_PLUS_NOTICES
from eziox.web.links_plus_tab import tab_extras
from eziox.web.sessions import (
    SESSION_COOKIE,
    SignedIn,
    clear_session_cookie,
    current_user,
    end_other_sessions,
    form_of,
)
from eziox.web.webhooks_tab import WEBHOOK_NOTICES, webhooks_tab

router = APIRouter(prefix="/profile", include_in_schema=False)

# Notices are codes, never text from the URL: a crafted link cannot put words on the page.
NOTICES = {
    "profile-saved": "Profile saved.",
    "link-added": "Link added.",
    "link-updated": "Link updated.",
    "link-deleted": "Link deleted.",
    "key-revoked": "Key revoked. It stopped working immediately.",
    "design-applied": "Design applied.",
    "email-saved": "Email saved.",
    "password-changed": "Password changed.",
    "checkout-done": "Thank you! Your plan changes as soon as Stripe confirms the payment.",
    "welcome": "Welcome! Add your first links below.",
    **WEBHOOK_NOTICES,
    **LINKS_PLUS_NOTICES,
}
TABS = ("profile", "links", "api", "webhooks", "analytics", "templates", "settings")
TAB_LABELS = {"api": "API keys", "templates": "Design"}
UTC = ZoneInfo("UTC")


def _sign_in_first(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"/sign-in?next={quote(target, safe='/')}")


async def _all_links(session: AsyncSession, account_id: str) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = []
    while True:
        page = await list_links(session, account_id, limit=100, offset=len(links), active=None)
        links.extend(page.links)
        if len(links) >= page.total or not page.links:
            return links


async def _tab_data(request: Request, user: SignedIn, tab: str) -> dict[str, Any]:
    state = app_state(request)
    account = user.account
    data: dict[str, Any] = {}
    async with state.db.session() as session:
        if tab in {"profile", "links"}:
            data["links"] = await _all_links(session, account.id)
            data.update(await tab_extras(session, account.id))
        if tab == "api":
            data["keys"] = [describe(k) for k in await list_api_keys(session, account.id)]
            used, reset = await state.limiter.usage(account.id)
            data["usage"] = {
                "used": used,
                "limit": entitlements(account.tier).hourly_api_limit,
                "reset": reset,
            }
        if tab == "webhooks":
            data.update(await webhooks_tab(session, account, request.query_params.get("log")))
        if tab == "analytics":
            period = _period(request.query_params.get("period"))
            data["period"] = period.value
            data["series"] = await account_series(session, account.id, period, Metric.ALL, UTC)
            data["breakdowns"] = {
                name: await breakdown(session, account.id, name, period, UTC, 8)
                for name in ("links", "referrers", "devices", "countries")
            }
    if tab == "templates":
        data["templates"] = list_templates()
        data["premium_ok"] = entitlements(account.tier).premium_templates
    if tab == "settings":
        data["tier_name"] = TIER_NAMES[Tier(account.tier)]
        data["billing_enabled"] = state.settings.billing_enabled
    return data


def _period(value: str | None) -> Period:
    try:
        return Period(value or "30d")
    except ValueError:
        return Period.D30


async def _page(
    request: Request, user: SignedIn, tab: str, status: int = 200, **extra: Any
) -> Response:
    data = await _tab_data(request, user, tab)
    return render_app(
        request,
        "app/dashboard.html",
        user,
        status,
        tab=tab,
        tabs=TABS,
        tab_labels=TAB_LABELS,
        account=user.account,
        permissions=[p.value for p in Permission],
        read_only=sorted(p.value for p in READ_ONLY),
        notice=NOTICES.get(request.query_params.get("notice", "")),
        errors=extra.pop("errors", {}),
        values=extra.pop("values", {}),
        **data,
        **extra,
    )


@router.get("")
async def dashboard(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return _sign_in_first(request)
    tab = request.query_params.get("tab", "profile")
    return await _page(request, user, tab if tab in TABS else "profile")


@router.get("/analytics.csv")
async def analytics_csv(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return _sign_in_first(request)
    period = _period(request.query_params.get("period"))
    async with app_state(request).db.session() as session:
        series = await account_series(session, user.account.id, period, Metric.ALL, UTC)
    return Response(
        series_csv(series),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="eziox-{period.value}.csv"'},
    )


@dataclass(frozen=True)
class ShowTab:
    """Render the tab (after the commit) with extra context instead of redirecting."""

    status: int
    extra: dict[str, Any]


@dataclass(frozen=True)
class AfterCommit:
    """A call to another service (Stripe) made once the transaction has ended: nobody waits
    on the write lock, and no transaction stays open, while the network answers."""

    run: Callable[[], Awaitable[Response]]


Action = Callable[
    [AsyncSession, SignedIn, dict[str, str]], Awaitable[str | Response | ShowTab | AfterCommit]
]


async def _act(request: Request, tab: str, action: Action) -> Response:
    """Run a form action in one transaction; errors re-render the tab with what was typed."""
    user = await current_user(request)
    if user is None:
        return _sign_in_first(request)
    form = await form_of(request, user)
    if form is None:
        return csrf_failure(request, user)
    values = {k: v for k, v in form.items() if "password" not in k and k != "csrf_token"}
    try:
        async with app_state(request).db.transaction() as session:
            outcome = await action(session, user, form)
        if isinstance(outcome, AfterCommit):
            outcome = await outcome.run()
    except ValidationFailed as exc:
        errors = {d["field"]: d["message"] for d in exc.details} or {"form": exc.message}
        return await _page(request, user, tab, 422, errors=errors, values=values)
    except EzioxError as exc:
        return await _page(
            request, user, tab, exc.status, errors={"form": exc.message}, values=values
        )
    if isinstance(outcome, Response):
        return outcome
    if isinstance(outcome, ShowTab):
        return await _page(request, user, tab, outcome.status, **outcome.extra)
    return see_other(f"/profile?tab={tab}&notice={outcome}")


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _validated(model: Any, data: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from eziox.errors import from_validation_errors

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_errors(exc.errors()) from None


@router.post("/update")
async def save_profile(request: Request) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        update = _validated(
            ProfileUpdate,
            {
                "name": form.get("name", "").strip(),
                "bio": form.get("bio", "").strip(),
                "avatar": _optional(form.get("avatar")),
                "banner": _optional(form.get("banner")),
            },
        )
        await update_profile(session, user.account.id, update)
        return "profile-saved"

    return await _act(request, "profile", action)


@router.post("/links")
async def add_link(request: Request) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        data = _validated(
            LinkCreate,
            {
                "title": form.get("title", "").strip(),
                "url": form.get("url", "").strip(),
                "description": _optional(form.get("description")),
                **_link_extras(form),
            },
        )
        await create_link(session, user.account.id, data)
        return "link-added"

    return await _act(request, "links", action)


@router.post("/links/{link_id}")
async def edit_link(request: Request, link_id: str) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        fields: dict[str, Any] = {}
        if "title" in form:
            fields = {
                "title": form["title"].strip(),
                "url": form.get("url", "").strip(),
                "description": _optional(form.get("description")),
                **_link_extras(form),
            }
        if "toggle" in form:
            fields["isActive"] = form["toggle"] == "on"
        if "order" in form:
            if not form["order"].isdigit():
                raise ValidationFailed.field("order", "must be a whole number")
            fields["order"] = int(form["order"])
        await update_link(session, user.account.id, link_id, _validated(LinkUpdate, fields))
        return "link-updated"

    return await _act(request, "links", action)


def _link_extras(form: dict[str, str]) -> dict[str, Any]:
    """Group, schedule (datetime-local inputs, read as UTC) and sensitive from a link form."""
    extras: dict[str, Any] = {}
    if "group" in form:
        extras["groupId"] = _optional(form["group"])
    for name, field in (("starts_at", "startsAt"), ("ends_at", "endsAt")):
        if name in form:
            value = _optional(form[name])
            if value and len(value) in (16, 19):  # a browser's 2026-01-01T12:00[:30]
                value += ":00Z" if len(value) == 16 else "Z"
            extras[field] = value
    if "sensitive_shown" in form:
        extras["sensitive"] = form.get("sensitive") == "on"
    return extras


@router.post("/links/{link_id}/delete")
async def remove_link(request: Request, link_id: str) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        await delete_link(session, user.account.id, link_id)
        return "link-deleted"

    return await _act(request, "links", action)


@router.post("/keys")
async def new_key(request: Request) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> ShowTab:
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

    return await _act(request, "api", action)


@router.post("/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        await revoke_api_key(session, user.account.id, key_id)
        return "key-revoked"

    return await _act(request, "api", action)


@router.post("/templates/{template_id}/apply")
async def use_template(request: Request, template_id: str) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        await apply_template(session, user.account.id, template_id)
        return "design-applied"

    return await _act(request, "templates", action)


@router.post("/settings/email")
async def save_email(request: Request) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        await change_email(
            session, user.account.id, form.get("email", ""), form.get("password", "")
        )
        return "email-saved"

    return await _act(request, "settings", action)


@router.post("/settings/password")
async def save_password(request: Request) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
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

    return await _act(request, "settings", action)


@router.post("/billing/checkout")
async def billing_checkout(request: Request) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> AfterCommit:
        row = await BillingRepository(session).customer_of_account(user.account.id)
        customer = row.stripe_customer_id if row else None

        async def to_stripe() -> Response:
            settings = app_state(request).settings
            url = await checkout_url(settings, user.account, customer, form.get("tier", ""))
            return see_other(url)

        return AfterCommit(to_stripe)

    return await _act(request, "settings", action)


@router.post("/billing/portal")
async def billing_portal(request: Request) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> AfterCommit:
        row = await BillingRepository(session).customer_of_account(user.account.id)
        customer = row.stripe_customer_id if row else None

        async def to_stripe() -> Response:
            return see_other(await portal_url(app_state(request).settings, customer))

        return AfterCommit(to_stripe)

    return await _act(request, "settings", action)


@router.post("/settings/delete")
async def remove_account(request: Request) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> Response:
        if form.get("confirm", "").strip() != user.account.username:
            raise ValidationFailed.field("confirm", "type your username exactly to confirm")
        await delete_account(session, user.account.id)
        response = see_other("/?deleted=1")
        clear_session_cookie(response, request)
        return response

    return await _act(request, "settings", action)
