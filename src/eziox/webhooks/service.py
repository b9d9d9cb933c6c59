"""What webhook endpoints do: create (secret shown once), edit, rotate, test, resend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts.repository import AccountRepository
from eziox.billing.entitlements import refuse_beyond_allowance
from eziox.errors import Conflict, Forbidden, NotFound, ValidationFailed
from eziox.kit.ids import new_id
from eziox.kit.time import rfc3339, utcnow
from eziox.models import WebhookDelivery, WebhookEndpoint
from eziox.models.webhook import PENDING
from eziox.webhooks import ssrf
from eziox.webhooks.events import EventType
from eziox.webhooks.outbox import new_delivery_id, write_event
from eziox.webhooks.repository import WebhookRepository
from eziox.webhooks.schemas import WebhookEndpointCreate, WebhookEndpointUpdate
from eziox.webhooks.secretbox import SecretBox, new_secret

ROTATION_OVERLAP = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Keyring:
    """What the service needs from the settings: the URL policy and the secret box."""

    policy: ssrf.Policy
    box: SecretBox


@dataclass(frozen=True, slots=True)
class WithSecret:
    endpoint: WebhookEndpoint
    secret: str


def serialize(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint as the API shows it (never its secret)."""
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "eventTypes": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "disabledReason": endpoint.disabled_reason,
        "createdAt": rfc3339(endpoint.created_at),
        "updatedAt": rfc3339(endpoint.updated_at),
    }


def serialize_delivery(delivery: WebhookDelivery, event_type: str) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "eventId": delivery.event_id,
        "eventType": event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "responseStatus": delivery.response_status,
        "latencyMs": delivery.latency_ms,
        "responseBody": delivery.response_body,
        "error": delivery.error,
        "createdAt": rfc3339(delivery.created_at),
        "lastAttemptAt": rfc3339(delivery.last_attempt_at),
        "nextAttemptAt": rfc3339(delivery.next_attempt_at) if delivery.status == PENDING else None,
    }


def _ordered_types(types: list[str]) -> list[str]:
    """De-duplicated, in the documented order."""
    return [t.value for t in EventType if t.value in set(types)]


async def _checked_url(url: str, policy: ssrf.Policy) -> str:
    """Refuse plain http (422) and hosts on non-public addresses (403, a server policy).

    A host that does not resolve yet is accepted: each attempt resolves and checks again.
    """
    try:
        ssrf.check_scheme(url, policy)
        await ssrf.destination(url, policy)
    except ssrf.Unresolvable:
        pass
    except ssrf.NotPublic as exc:
        raise Forbidden(f"url: {exc}.") from None
    except ssrf.Refused as exc:
        raise ValidationFailed.field("url", str(exc)) from None
    return url


async def _ensure_room(session: AsyncSession, account_id: str) -> None:
    """Refuse one endpoint too many for the account's tier (403 naming a tier with more)."""
    account = await AccountRepository(session).get(account_id, lock=True)
    if account is None:
        raise NotFound("Account not found.")
    used = await WebhookRepository(session, account_id).count()
    refuse_beyond_allowance(
        account.tier,
        used,
        lambda rights: rights.webhook_endpoints,
        "Webhooks",
        "webhook endpoint(s)",
    )


async def list_endpoints(session: AsyncSession, account_id: str) -> list[dict[str, Any]]:
    return [serialize(e) for e in await WebhookRepository(session, account_id).endpoints()]


async def get_endpoint(
    session: AsyncSession, account_id: str, endpoint_id: str, *, lock: bool = False
) -> WebhookEndpoint:
    endpoint = await WebhookRepository(session, account_id).endpoint(endpoint_id, lock=lock)
    if endpoint is None:
        raise NotFound("Webhook endpoint not found.")
    return endpoint


async def create_endpoint(
    session: AsyncSession, account_id: str, data: WebhookEndpointCreate, keyring: Keyring
) -> WithSecret:
    """Add an endpoint (within the tier's count) with a new secret, returned this once."""
    await _ensure_room(session, account_id)
    url = await _checked_url(data.url, keyring.policy)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        id=new_id("whk"),
        url=url,
        description=data.description,
        event_types=_ordered_types(list(data.eventTypes)),
        enabled=data.enabled,
        secret=keyring.box.seal(secret),
    )
    await WebhookRepository(session, account_id).add(endpoint)
    return WithSecret(endpoint, secret)


async def update_endpoint(
    session: AsyncSession,
    account_id: str,
    endpoint_id: str,
    data: WebhookEndpointUpdate,
    keyring: Keyring,
) -> WebhookEndpoint:
    """Change the given fields; enabling clears the reason it was disabled."""
    fields = data.model_fields_set
    for name in ("url", "eventTypes", "enabled"):
        if name in fields and getattr(data, name) is None:
            raise ValidationFailed.field(name, "must not be null")
    endpoint = await get_endpoint(session, account_id, endpoint_id, lock=True)
    if "url" in fields and data.url is not None:
        endpoint.url = await _checked_url(data.url, keyring.policy)
    if "description" in fields:
        endpoint.description = data.description
    if data.eventTypes is not None:
        endpoint.event_types = _ordered_types(list(data.eventTypes))
    if data.enabled is not None:
        if data.enabled and not endpoint.enabled:
            endpoint.disabled_reason = None
            endpoint.failing_since = None
        endpoint.enabled = data.enabled
    endpoint.updated_at = utcnow()
    await session.flush()
    return endpoint


async def delete_endpoint(session: AsyncSession, account_id: str, endpoint_id: str) -> None:
    """Delete an endpoint and its delivery log; queued deliveries to it are dropped."""
    endpoint = await get_endpoint(session, account_id, endpoint_id, lock=True)
    await WebhookRepository(session, account_id).delete(endpoint)


async def rotate_secret(
    session: AsyncSession, account_id: str, endpoint_id: str, keyring: Keyring
) -> WithSecret:
    """A new secret; the previous one also signs for 24 hours so receivers can switch."""
    endpoint = await get_endpoint(session, account_id, endpoint_id, lock=True)
    secret = new_secret()
    now = utcnow()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + ROTATION_OVERLAP
    endpoint.secret = keyring.box.seal(secret)
    endpoint.updated_at = now
    await session.flush()
    return WithSecret(endpoint, secret)


async def send_test(session: AsyncSession, account_id: str, endpoint_id: str) -> tuple[str, str]:
    """Queue a `webhook.test` event for this endpoint only; (event id, delivery id)."""
    endpoint = await get_endpoint(session, account_id, endpoint_id)
    if not endpoint.enabled:
        raise Conflict("This endpoint is disabled: enable it to send a test event.")
    data = {"message": "A test event from Eziox.", "webhookId": endpoint.id}
    event_id, deliveries = await write_event(
        session, account_id, EventType.PING, data, [endpoint.id]
    )
    return event_id, deliveries[0]


async def list_deliveries(
    session: AsyncSession, account_id: str, endpoint_id: str, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The endpoint's delivery log, newest first, and its size."""
    await get_endpoint(session, account_id, endpoint_id)
    repository = WebhookRepository(session, account_id)
    rows = await repository.deliveries(endpoint_id, limit=limit, offset=offset)
    total = await repository.count_deliveries(endpoint_id)
    return [serialize_delivery(d, t) for d, t in rows], total


async def resend(
    session: AsyncSession, account_id: str, endpoint_id: str, delivery_id_: str
) -> dict[str, Any]:
    """Send an event again to this endpoint as a new delivery (same event id: same webhook-id)."""
    endpoint = await get_endpoint(session, account_id, endpoint_id)
    found = await WebhookRepository(session, account_id).delivery(endpoint_id, delivery_id_)
    if found is None:
        raise NotFound("Delivery not found.")
    if not endpoint.enabled:
        raise Conflict("This endpoint is disabled: enable it to resend.")
    original, event_type = found
    now = utcnow()
    copy = WebhookDelivery(
        id=new_delivery_id(),
        account_id=account_id,
        endpoint_id=endpoint_id,
        event_id=original.event_id,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(copy)
    await session.flush()
    return serialize_delivery(copy, event_type)
