"""The Webhooks tab: endpoints, the tier's allowance and a delivery log, with the same
services as /v1/webhooks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from eziox.billing.entitlements import entitlements
from eziox.deps import app_state
from eziox.errors import NotFound, ValidationFailed
from eziox.web.app_responses import see_other
from eziox.web.dashboard.forms import ShowTab, form_action, validated
from eziox.web.dashboard.page import tab_view
from eziox.web.sessions import SignedIn
from eziox.webhooks import service
from eziox.webhooks.events import SUBSCRIBABLE, EventType
from eziox.webhooks.schemas import WebhookEndpointCreate, WebhookEndpointUpdate

router = APIRouter(prefix="/profile/webhooks", include_in_schema=False)
TAB = "webhooks"

NOTICES = {
    "webhook-saved": "Webhook saved.",
    "webhook-deleted": "Webhook deleted. Nothing more is sent to it.",
    "webhook-test": "Test event queued: it shows in the delivery log below within seconds.",
    "webhook-resent": "Delivery queued again with the same webhook-id.",
}

EVENT_HINTS = {
    EventType.LINK_CREATED: "a link is added",
    EventType.LINK_UPDATED: "a link is edited, moved, shown or hidden",
    EventType.LINK_DELETED: "a link is deleted",
    EventType.PROFILE_UPDATED: "your profile changes",
    EventType.TEMPLATE_APPLIED: "you apply a design template",
    EventType.LINK_CLICKED: "a visitor clicks a link (one event per click: opt-in)",
}


@tab_view(TAB, NOTICES)
async def webhooks_tab(request: Request, user: SignedIn) -> dict[str, Any]:
    account = user.account
    log_for = request.query_params.get("log")
    async with app_state(request).db.session() as session:
        endpoints = await service.list_endpoints(session, account.id)
        data: dict[str, Any] = {
            "webhooks": endpoints,
            "webhook_limit": entitlements(account.tier).webhook_endpoints,
            "event_types": [(t.value, EVENT_HINTS[t]) for t in SUBSCRIBABLE],
            "log_for": None,
            "log": [],
        }
        if log_for:
            try:
                data["log"], _ = await service.list_deliveries(
                    session, account.id, log_for, limit=20, offset=0
                )
                data["log_for"] = log_for
            except NotFound:
                pass  # another account's id, or a deleted one: show no log
    return data


def _chosen(form: dict[str, str]) -> list[str]:
    return [t.value for t in SUBSCRIBABLE if form.get(f"event:{t.value}") == "on"]


@form_action(router, "", tab=TAB)
async def add_webhook(
    session: AsyncSession, user: SignedIn, form: dict[str, str], request: Request
) -> ShowTab:
    if not (types := _chosen(form)):
        raise ValidationFailed.field("eventTypes", "choose at least one event")
    fields = {
        "url": form.get("url", "").strip(),
        "description": form.get("description", "").strip() or None,
        "eventTypes": types,
    }
    data = validated(WebhookEndpointCreate, fields)
    keyring = app_state(request).webhooks.keyring
    created = await service.create_endpoint(session, user.account.id, data, keyring)
    return ShowTab(201, {"new_secret": created.secret, "new_secret_url": created.endpoint.url})


@form_action(router, "/{webhook_id}/toggle", tab=TAB)
async def toggle_webhook(
    session: AsyncSession, user: SignedIn, form: dict[str, str], webhook_id: str, request: Request
) -> str:
    update = WebhookEndpointUpdate(enabled=form.get("enabled") == "on")
    keyring = app_state(request).webhooks.keyring
    await service.update_endpoint(session, user.account.id, webhook_id, update, keyring)
    return "webhook-saved"


@form_action(router, "/{webhook_id}/rotate", tab=TAB)
async def rotate_webhook(
    session: AsyncSession, user: SignedIn, form: dict[str, str], webhook_id: str, request: Request
) -> ShowTab:
    keyring = app_state(request).webhooks.keyring
    rotated = await service.rotate_secret(session, user.account.id, webhook_id, keyring)
    return ShowTab(200, {"new_secret": rotated.secret, "new_secret_url": rotated.endpoint.url})


@form_action(router, "/{webhook_id}/delete", tab=TAB)
async def delete_webhook(
    session: AsyncSession, user: SignedIn, form: dict[str, str], webhook_id: str
) -> str:
    await service.delete_endpoint(session, user.account.id, webhook_id)
    return "webhook-deleted"


@form_action(router, "/{webhook_id}/test", tab=TAB)
async def test_webhook(
    session: AsyncSession, user: SignedIn, form: dict[str, str], webhook_id: str
) -> Response:
    await service.send_test(session, user.account.id, webhook_id)
    return see_other(f"/profile?tab={TAB}&log={webhook_id}&notice=webhook-test")


@form_action(router, "/{webhook_id}/deliveries/{delivery_id}/resend", tab=TAB)
async def resend_delivery(
    session: AsyncSession, user: SignedIn, form: dict[str, str], webhook_id: str, delivery_id: str
) -> Response:
    await service.resend(session, user.account.id, webhook_id, delivery_id)
    return see_other(f"/profile?tab={TAB}&log={webhook_id}&notice=webhook-resent")
