"""Every query on an account's webhook endpoints and deliveries, scoped by construction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookRepository:
    def __init__(self, session: AsyncSession, account_id: str) -> None:
        self.session = session
        self.account_id = account_id

    async def endpoints(self) -> Sequence[WebhookEndpoint]:
        query = (
            select(WebhookEndpoint)
            .where(WebhookEndpoint.account_id == self.account_id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
        return (await self.session.scalars(query)).all()

    async def count(self) -> int:
        query = select(func.count()).where(WebhookEndpoint.account_id == self.account_id)
        return int(await self.session.scalar(query) or 0)

    async def endpoint(self, endpoint_id: str, *, lock: bool = False) -> WebhookEndpoint | None:
        query = select(WebhookEndpoint).where(
            WebhookEndpoint.account_id == self.account_id, WebhookEndpoint.id == endpoint_id
        )
        if lock:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def add(self, endpoint: WebhookEndpoint) -> None:
        endpoint.account_id = self.account_id
        self.session.add(endpoint)
        await self.session.flush()

    async def delete(self, endpoint: WebhookEndpoint) -> None:
        await self.session.delete(endpoint)
        await self.session.flush()

    def _deliveries(self, endpoint_id: str) -> Any:
        return (
            select(WebhookDelivery, WebhookEvent.type)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(
                WebhookDelivery.account_id == self.account_id,
                WebhookDelivery.endpoint_id == endpoint_id,
            )
        )

    async def deliveries(
        self, endpoint_id: str, *, limit: int, offset: int
    ) -> list[tuple[WebhookDelivery, str]]:
        """Newest first."""
        query = (
            self._deliveries(endpoint_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(query)).all()]

    async def count_deliveries(self, endpoint_id: str) -> int:
        query = select(func.count()).where(
            WebhookDelivery.account_id == self.account_id,
            WebhookDelivery.endpoint_id == endpoint_id,
        )
        return int(await self.session.scalar(query) or 0)

    async def delivery(
        self, endpoint_id: str, delivery_id: str
    ) -> tuple[WebhookDelivery, str] | None:
        query = self._deliveries(endpoint_id).where(WebhookDelivery.id == delivery_id)
        row = (await self.session.execute(query)).one_or_none()
        return None if row is None else (row[0], row[1])
