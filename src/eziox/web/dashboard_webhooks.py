"""Dashboard actions on webhook endpoints: the same services as /v1/webhooks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from eziox.deps import app_state
from eziox.errors import ValidationFailed
from eziox.web.app_responses import see_other
from eziox.web.dashboard import ShowTab, _act, _validated
from eziox.web.sessions import SignedIn
from eziox.webhooks import service
from eziox.webhooks.events import SUBSCRIBABLE
from eziox.webhooks.schemas import WebhookEndpointCreate, WebhookEndpointUpdate

router = APIRouter(prefix="/profile/webhooks", include_in_schema=False)
TAB = "webhooks"


def _chosen(form: dict[str, str]) -> list[str]:
    return [t.value for t in SUBSCRIBABLE if form.get(f"event:{t.value}") == "on"]


@router.post("")
async def add_webhook(request: Request) -> Response:
    keyring = app_state(request).webhooks.keyring

    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> ShowTab:
        if not (types := _chosen(form)):
            raise ValidationFailed.field("eventTypes", "choose at least one event")
        fields = {
            "url": form.get("url", "").strip(),
            "description": form.get("description", "").strip() or None,
            "eventTypes": types,
        }
        data = _validated(WebhookEndpointCreate, fields)
        created = await service.create_endpoint(session, user.account.id, data, keyring)
        return ShowTab(201, {"new_secret": created.secret, "new_secret_url": created.endpoint.url})

    return await _act(request, TAB, action)


@router.post("/{webhook_id}/toggle")
async def toggle_webhook(request: Request, webhook_id: str) -> Response:
    keyring = app_state(request).webhooks.keyring

    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        update = WebhookEndpointUpdate(enabled=form.get("enabled") == "on")
        await service.update_endpoint(session, user.account.id, webhook_id, update, keyring)
        return "webhook-saved"

    return await _act(request, TAB, action)


@router.post("/{webhook_id}/rotate")
async def rotate_webhook(request: Request, webhook_id: str) -> Response:
    keyring = app_state(request).webhooks.keyring

    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> ShowTab:
        rotated = await service.rotate_secret(session, user.account.id, webhook_id, keyring)
        return ShowTab(200, {"new_secret": rotated.secret, "new_secret_url": rotated.endpoint.url})

    return await _act(request, TAB, action)


@router.post("/{webhook_id}/delete")
async def delete_webhook(request: Request, webhook_id: str) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        await service.delete_endpoint(session, user.account.id, webhook_id)
        return "webhook-deleted"

    return await _act(request, TAB, action)


@router.post("/{webhook_id}/test")
async def test_webhook(request: Request, webhook_id: str) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> Response:
        await service.send_test(session, user.account.id, webhook_id)
        return see_other(f"/profile?tab={TAB}&log={webhook_id}&notice=webhook-test")

    return await _act(request, TAB, action)


@router.post("/{webhook_id}/deliveries/{delivery_id}/resend")
async def resend_delivery(request: Request, webhook_id: str, delivery_id: str) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> Response:
        await service.resend(session, user.account.id, webhook_id, delivery_id)
        return see_other(f"/profile?tab={TAB}&log={webhook_id}&notice=webhook-resent")

    return await _act(request, TAB, action)
