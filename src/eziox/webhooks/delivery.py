"""The delivery worker: claim due deliveries with a lease, send them signed, record outcomes.

Claims are short transactions (PostgreSQL: FOR UPDATE SKIP LOCKED, so several workers split
the work; SQLite: the single writer lock). A claim sets `claimed_until`; a worker killed
mid-batch leaves its rows claimed until the lease ends, then any worker sends them again
with the same `webhook-id` (the event id), so receivers can de-duplicate. Outcomes are
written only while the claim token still matches: an attempt is recorded once.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks.webhooks import Webhook

from eziox import __version__
from eziox.config import Settings
from eziox.db import Database
from eziox.kit import backoff
from eziox.kit.polling import PollingWorker
from eziox.kit.time import utcnow
from eziox.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from eziox.models.webhook import FAILED, PENDING, SUCCEEDED
from eziox.webhooks import ssrf
from eziox.webhooks.secretbox import SecretBox
from eziox.webhooks.service import Keyring

log = logging.getLogger("eziox.webhooks")

# Seconds before each retry: about 27 hours in all, then the delivery is failed.
BACKOFF = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(BACKOFF) + 1
DISABLE_AFTER = timedelta(days=3)
BODY_LIMIT = 1024


def retry_delay(attempts: int) -> float:
    """Seconds until the next try after ``attempts`` failures, with ±20 % jitter."""
    return backoff.retry_delay(BACKOFF, attempts)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: str
    token: str
    event_id: str
    payload: str
    endpoint_id: str
    url: str
    secrets: tuple[str, ...]  # raw whsec_ secrets: current first, previous while it overlaps


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int | None = None
    latency_ms: int | None = None
    body: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        WebhookDelivery.status == PENDING,
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
    )


async def claim(
    session: AsyncSession, box: SecretBox, *, now: datetime, limit: int, lease: float
) -> list[Claimed]:
    """Claim up to ``limit`` due deliveries of enabled endpoints for ``lease`` seconds."""
    query = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(_due(now), WebhookEndpoint.enabled.is_(True))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    ids = list((await session.scalars(query)).all())
    if not ids:
        return []
    token = secrets.token_hex(16)
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids))
        .values(claimed_until=now + timedelta(seconds=lease), claim_token=token)
    )
    rows = await session.execute(
        select(WebhookDelivery.id, WebhookEvent.id, WebhookEvent.payload, WebhookEndpoint)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id.in_(ids))
    )
    return [
        Claimed(d, token, e, payload, ep.id, ep.url, _secrets(box, ep, now))
        for d, e, payload, ep in rows.all()
    ]


def _secrets(box: SecretBox, endpoint: WebhookEndpoint, now: datetime) -> tuple[str, ...]:
    current = box.open(endpoint.secret)
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > now:
        return current, box.open(endpoint.previous_secret)
    return (current,)


def signed_headers(claimed: Claimed, moment: datetime) -> dict[str, str]:
    """The Standard Webhooks headers; during a rotation, one signature per secret."""
    signatures = " ".join(
        Webhook(secret).sign(claimed.event_id, moment, claimed.payload)
        for secret in claimed.secrets
    )
    return {
        "content-type": "application/json",
        "user-agent": f"Eziox-Webhooks/{__version__}",
        "webhook-id": claimed.event_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signatures,
    }


def _pinned(url: str, target: ssrf.Destination) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL rewritten to the checked address, with the Host header and TLS name kept."""
    parts = urlsplit(url)
    address = target.address
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{target.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return pinned, {"host": host_header}, {"sni_hostname": target.host}


async def send(
    client: httpx.AsyncClient, claimed: Claimed, policy: ssrf.Policy, timeout: float
) -> Outcome:
    """One attempt: check the destination again, POST the signed payload, read 1 KB back."""
    try:
        target = await ssrf.destination(claimed.url, policy)
    except ssrf.Refused as exc:
        return Outcome(error=f"refused: {exc}")
    url, host, extensions = _pinned(claimed.url, target)
    headers = {**signed_headers(claimed, datetime.now(UTC)), **host}
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            return await _post(client, url, headers, extensions, claimed.payload, started)
    except TimeoutError:
        return Outcome(latency_ms=_ms(started), error=f"timed out after {timeout:g} s")
    except httpx.HTTPError as exc:
        reason = str(exc) or exc.__class__.__name__
        return Outcome(latency_ms=_ms(started), error=f"request failed: {reason}"[:500])


async def _post(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    extensions: dict[str, str],
    payload: str,
    started: float,
) -> Outcome:
    request = client.build_request(
        "POST", url, headers=headers, content=payload.encode(), extensions=extensions
    )
    response = await client.send(request, stream=True, follow_redirects=False)
    try:
        body = b""
        async for chunk in response.aiter_raw():
            body += chunk
            if len(body) >= BODY_LIMIT:
                break
    finally:
        await response.aclose()
    text = body[:BODY_LIMIT].decode("utf-8", errors="replace")
    return Outcome(status=response.status_code, latency_ms=_ms(started), body=text)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


async def record(
    session: AsyncSession, results: Sequence[tuple[Claimed, Outcome]], *, now: datetime
) -> None:
    """Write each outcome if its claim still holds; retry, fail, or disable as due."""
    for claimed, outcome in results:
        delivery = await session.get(WebhookDelivery, claimed.id, with_for_update=True)
        if delivery is None or delivery.claim_token != claimed.token:
            continue  # deleted, or the lease ran out and another worker took it over
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_status = outcome.status
        delivery.latency_ms = outcome.latency_ms
        delivery.response_body = outcome.body
        delivery.error = outcome.error or (
            None if outcome.ok else f"the endpoint answered HTTP {outcome.status}"
        )
        delivery.claimed_until = None
        delivery.claim_token = None
        if outcome.ok:
            delivery.status = SUCCEEDED
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = FAILED
        else:
            delivery.next_attempt_at = now + timedelta(seconds=retry_delay(delivery.attempts))
        await _note_endpoint(session, claimed.endpoint_id, outcome, delivery.error, now)
    await session.flush()


async def _note_endpoint(
    session: AsyncSession, endpoint_id: str, outcome: Outcome, error: str | None, now: datetime
) -> None:
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return
    if outcome.ok:
        endpoint.failing_since = None
        return
    endpoint.failing_since = endpoint.failing_since or now
    if endpoint.enabled and now - endpoint.failing_since >= DISABLE_AFTER:
        endpoint.enabled = False
        endpoint.disabled_reason = (
            f"Disabled on {now:%Y-%m-%d}: every delivery failed for 3 days (last error: {error})"
        )[:500]
        endpoint.updated_at = now


class DeliveryWorker(PollingWorker):
    """Sends due deliveries every ``poll_interval`` seconds (inside `serve` or `eziox worker`)."""

    name = "eziox-webhooks"
    log = logging.getLogger("eziox.webhooks")

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__()
        self.db = db
        self.box = SecretBox(settings.secret)
        self.policy = ssrf.Policy(settings.webhook_allow_http, settings.webhook_allow_private)
        self.keyring = Keyring(self.policy, self.box)
        self.timeout = settings.webhook_timeout
        self.lease = settings.webhook_lease
        self.batch_size = settings.webhook_batch_size
        self.poll_interval = settings.webhook_poll_interval
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            # No keep-alive: requests go to a pinned IP, and a pooled connection to that IP
            # may have been opened (TLS name, Host) for another account's hostname.
            self._client = httpx.AsyncClient(
                timeout=self.timeout,
                follow_redirects=False,
                trust_env=False,
                limits=httpx.Limits(max_keepalive_connections=0),
            )
        return self._client

    async def stop(self) -> None:
        await super().stop()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _pending(self, now: datetime) -> bool:
        """A cheap read first, so an idle server never takes SQLite's write lock."""
        async with self.db.session() as session:
            query = (
                select(WebhookDelivery.id)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(_due(now), WebhookEndpoint.enabled.is_(True))
                .limit(1)
            )
            return await session.scalar(query) is not None

    async def run_once(self, now: datetime | None = None) -> int:
        """Claim one batch, send it concurrently, record the outcomes; how many were sent."""
        explicit = now is not None
        now = now or utcnow()
        if not await self._pending(now):
            return 0
        async with self.db.transaction() as session:
            batch = await claim(session, self.box, now=now, limit=self.batch_size, lease=self.lease)
        if not batch:
            return 0
        outcomes = await asyncio.gather(
            *(send(self.client, c, self.policy, self.timeout) for c in batch)
        )
        async with self.db.transaction() as session:
            finished = now if explicit else utcnow()
            await record(session, list(zip(batch, outcomes, strict=True)), now=finished)
        return len(batch)
