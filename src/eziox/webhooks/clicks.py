"""`link.clicked` events, produced by the analytics roll-up rather than by the redirect.

The redirect already commits each click to the analytics inbox; the roll-up moves inbox rows
in batches. Writing the webhook events in that same roll-up transaction keeps them durable
(a click leaves the inbox only together with its events) and keeps `/l/{id}` at one small
insert: accounts that do not stream clicks cost one read per batch, not per click.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, select

from eziox.kit.time import rfc3339
from eziox.models import CLICK, EventInbox, WebhookEndpoint
from eziox.webhooks.events import EventType
from eziox.webhooks.outbox import insert_event

_INBOX: Table = EventInbox.__table__  # type: ignore[assignment]


def click_data(event: Any) -> dict[str, Any]:
    """A click as a webhook shows it (no visitor hash: it identifies a person for a day)."""
    return {
        "linkId": event.link_id,
        "clickedAt": rfc3339(event.occurred_at),
        "referrer": event.referrer,
        "device": event.device,
        "browser": event.browser,
        "os": event.os,
        "country": event.country,
    }


def _streaming(connection: Connection, account_ids: set[str]) -> dict[str, list[str]]:
    """account id -> its enabled endpoints subscribed to link.clicked."""
    found: dict[str, list[str]] = defaultdict(list)
    ids = sorted(account_ids)
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(
                WebhookEndpoint.id, WebhookEndpoint.account_id, WebhookEndpoint.event_types
            ).where(
                WebhookEndpoint.account_id.in_(ids[start : start + 500]),
                WebhookEndpoint.enabled.is_(True),
            )
        )
        for endpoint_id, account_id, types in rows.all():
            if EventType.LINK_CLICKED.value in types:
                found[account_id].append(endpoint_id)
    return found


def emit_clicks(connection: Connection, batch: ColumnElement[bool]) -> int:
    """Queue a link.clicked event for each human click of the inbox ``batch`` whose account
    streams clicks. Accounts that do not stream clicks cost one small read per batch."""
    human_clicks = and_(
        batch, _INBOX.c.kind == CLICK, _INBOX.c.link_id.is_not(None), _INBOX.c.is_bot.is_(False)
    )
    accounts = select(_INBOX.c.account_id).where(human_clicks).distinct()
    streaming = _streaming(connection, set(connection.scalars(accounts).all()))
    if not streaming:
        return 0
    clicks = (
        select(_INBOX)
        .where(human_clicks, _INBOX.c.account_id.in_(sorted(streaming)))
        .order_by(_INBOX.c.id)
    )
    written = 0
    for event in connection.execute(clicks).all():
        insert_event(
            connection,
            event.account_id,
            EventType.LINK_CLICKED,
            click_data(event),
            streaming[event.account_id],
            created_at=event.occurred_at,
        )
        written += 1
    return written
