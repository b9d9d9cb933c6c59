"""Every billing query: Stripe customers and processed Stripe events."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.kit.upsert import insert_ignore
from eziox.models import Account, BillingCustomer, StripeEvent


class BillingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def remember_event(self, event_id: str, kind: str, created: int) -> bool:
        """Record a Stripe event id; False if it was already processed (a replay)."""
        statement = insert_ignore(self.session, StripeEvent.__table__, ["id"])
        result = await self.session.execute(
            statement, [{"id": event_id, "type": kind, "created": created}]
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def account(self, account_id: str) -> Account | None:
        query = select(Account).where(Account.id == account_id).with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def customer_of_account(self, account_id: str) -> BillingCustomer | None:
        query = select(BillingCustomer).where(BillingCustomer.account_id == account_id)
        return (await self.session.execute(query.with_for_update())).scalar_one_or_none()

    async def by_stripe_customer(self, customer_id: str) -> BillingCustomer | None:
        query = select(BillingCustomer).where(BillingCustomer.stripe_customer_id == customer_id)
        return (await self.session.execute(query.with_for_update())).scalar_one_or_none()

    async def bind(self, account_id: str, customer_id: str | None) -> BillingCustomer:
        """The account's billing row, created if missing, bound to the Stripe customer."""
        row = await self.customer_of_account(account_id)
        if row is None:
            row = BillingCustomer(account_id=account_id, stripe_customer_id=customer_id, state_at=0)
            self.session.add(row)
        elif customer_id and row.stripe_customer_id != customer_id:
            row.stripe_customer_id = customer_id
        await self.session.flush()
        return row
