"""What the dashboard's Webhooks tab shows: endpoints, the tier's allowance, a delivery log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.billing.entitlements import entitlements
from eziox.errors import NotFound
from eziox.models import Account
from eziox.webhooks import service
from eziox.webhooks.events import SUBSCRIBABLE, EventType

WEBHOOK_NOTICES = {
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


async def webhooks_tab(
    session: AsyncSession, account: Account, log_for: str | None
) -> dict[str, Any]:
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
