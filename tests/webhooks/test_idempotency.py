"""A POST retried with its Idempotency-Key writes its webhook event once."""

from __future__ import annotations

from sqlalchemy import func, select

from eziox.models import WebhookEvent
from eziox.state import AppState
from tests.factories import Caller
from tests.webhooks.helpers import endpoint
from tests.webhooks.receiver import Receiver


async def test_a_replayed_create_emits_no_second_event(
    pro: Caller, receiver: Receiver, hook_path: str, hooks: AppState
) -> None:
    await endpoint(pro, receiver, hook_path, "link.created")
    body = {"title": "Once", "url": "https://example.com/once"}
    headers = {"Idempotency-Key": f"once-{pro.account.id}"}
    first = await pro.post("/v1/links", json=body, headers=headers)
    again = await pro.post("/v1/links", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    async with hooks.db.session() as session:
        events = await session.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.account_id == pro.account.id)
        )
    assert events == 1
