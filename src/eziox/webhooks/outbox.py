"""The transactional outbox: an event row and its deliveries, in the caller's transaction.

Domain services call `emit` right after a change, in the same session, so the event exists
if and only if the change was committed. Accounts without a subscribed endpoint pay one
indexed read and nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.kit.ids import new_id
from eziox.kit.time import rfc3339, utcnow
from eziox.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from eziox.models.webhook import PENDING
from eziox.webhooks.events import EventType

Data = Mapping[str, Any] | Callable[[], Awaitable[Mapping[str, Any]]]


def new_event_id() -> str:
    return new_id("evt")


def new_delivery_id() -> str:
    return new_id("dlv")


async def subscribers(session: AsyncSession, account_id: str, event_type: EventType) -> list[str]:
    """Ids of the account's enabled endpoints subscribed to ``event_type``."""
    rows = await session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(
            WebhookEndpoint.account_id == account_id, WebhookEndpoint.enabled.is_(True)
        )
    )
    return [endpoint_id for endpoint_id, types in rows.all() if event_type in types]


async def emit(
    session: AsyncSession, account_id: str, event_type: EventType, data: Data
) -> str | None:
    """Queue ``event_type`` for every subscribed endpoint; ``data`` may be a lazy coroutine."""
    endpoints = await subscribers(session, account_id, event_type)
    if not endpoints:
        return None
    resolved = await data() if callable(data) else data
    written, _ = await write_event(session, account_id, event_type, resolved, endpoints)
    return written


async def write_event(
    session: AsyncSession,
    account_id: str,
    event_type: EventType,
    data: Mapping[str, Any],
    endpoint_ids: Iterable[str],
    *,
    created_at: datetime | None = None,
) -> tuple[str, list[str]]:
    """Insert one event and one pending delivery per endpoint; return their ids."""
    return await session.run_sync(
        lambda sync: insert_event(
            sync.connection(), account_id, event_type, data, endpoint_ids, created_at=created_at
        )
    )


def insert_event(
    connection: Connection,
    account_id: str,
    event_type: EventType,
    data: Mapping[str, Any],
    endpoint_ids: Iterable[str],
    *,
    created_at: datetime | None = None,
) -> tuple[str, list[str]]:
    """`write_event` on a connection (work that runs outside the event loop: the roll-up)."""
    now = created_at or utcnow()
    evt = new_event_id()
    payload = {"id": evt, "type": event_type.value, "createdAt": rfc3339(now), "data": dict(data)}
    connection.execute(
        insert(WebhookEvent).values(
            id=evt,
            account_id=account_id,
            type=event_type.value,
            payload=orjson.dumps(payload).decode(),
            created_at=now,
        )
    )
    rows: list[dict[str, Any]] = [
        {
            "id": new_delivery_id(),
            "account_id": account_id,
            "endpoint_id": endpoint_id,
            "event_id": evt,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for endpoint_id in endpoint_ids
    ]
    if rows:
        connection.execute(insert(WebhookDelivery), rows)
    return evt, [str(row["id"]) for row in rows]
