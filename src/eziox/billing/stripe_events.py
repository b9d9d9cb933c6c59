"""What each Stripe event does to an account's tier. Each event id is applied once;
an older subscription state never overwrites a newer one; Lifetime is never downgraded.
The fields an event type carries are checked (stripe_schemas) before anything is written."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.billing.entitlements import Tier
from eziox.billing.repository import BillingRepository
from eziox.billing.stripe_schemas import (
    CheckoutSession,
    Invoice,
    StripeEvent,
    Subscription,
    T,
    parsed,
)
from eziox.config import Settings
from eziox.db import mark_keys_changed
from eziox.kit.time import utcnow
from eziox.models import Account, BillingCustomer

log = logging.getLogger("eziox.billing")

PAID_STATUSES = {"active", "trialing", "past_due"}  # past_due: Stripe is still retrying
ENDED_STATUSES = {"canceled", "unpaid", "incomplete_expired"}


async def _set_tier(session: AsyncSession, account: Account, tier: str) -> str:
    if account.tier == tier:
        return f"{account.username} stays on {tier}"
    if account.tier == Tier.LIFETIME:
        return f"{account.username} is Lifetime: not changed to {tier}"
    account.tier = tier
    mark_keys_changed(session)  # limits and entitlements change on the next request
    return f"{account.username} is now on {tier}"


async def checkout_completed(
    session: AsyncSession, settings: Settings, event: StripeEvent, checkout: CheckoutSession
) -> str:
    account_id = checkout.client_reference_id
    repository = BillingRepository(session)
    account = await repository.account(account_id) if account_id else None
    if account is None:
        return f"ignored: no account {account_id!r}"
    await repository.bind(account.id, checkout.customer)
    price = (checkout.metadata or {}).get("price_id")
    lifetime = settings.stripe_price_lifetime
    if checkout.mode == "payment" and checkout.payment_status == "paid":
        if lifetime and price == lifetime:
            return await _set_tier(session, account, Tier.LIFETIME)
    return f"bound {account.username} to its Stripe customer"


def _subscription_tier(settings: Settings, subscription: Subscription, deleted: bool) -> str | None:
    status = subscription.status
    if deleted or status in ENDED_STATUSES:
        return Tier.FREE
    if status not in PAID_STATUSES:
        return None  # incomplete: nothing paid yet, nothing changes
    prices = subscription.price_ids()
    tiers = [settings.stripe_prices[p] for p in prices if p in settings.stripe_prices]
    order = [tier.value for tier in Tier]
    return max(tiers, key=order.index) if tiers else None


async def _customer_for(
    repository: BillingRepository, subscription: Subscription
) -> BillingCustomer | None:
    customer_id = subscription.customer
    row = await repository.by_stripe_customer(customer_id) if customer_id else None
    account_id = (subscription.metadata or {}).get("account_id")
    if row is None and account_id and await repository.account(account_id) is not None:
        row = await repository.bind(account_id, customer_id)  # subscription before checkout
    return row


async def subscription_changed(
    session: AsyncSession, settings: Settings, event: StripeEvent, subscription: Subscription
) -> str:
    repository = BillingRepository(session)
    row = await _customer_for(repository, subscription)
    if row is None:
        return f"ignored: unknown customer {subscription.customer!r}"
    if event.created < row.state_at:
        return "ignored: older than the state already applied"
    row.state_at = event.created
    row.subscription_id = subscription.id
    row.subscription_status = subscription.status
    deleted = event.type == "customer.subscription.deleted"
    tier = _subscription_tier(settings, subscription, deleted)
    account = await repository.account(row.account_id)
    assert account is not None  # the billing row cascades with its account
    if tier is None:
        return f"{account.username}: status {row.subscription_status}, tier kept"
    return await _set_tier(session, account, tier)


async def payment_failed(
    session: AsyncSession, settings: Settings, event: StripeEvent, invoice: Invoice
) -> str:
    row = await BillingRepository(session).by_stripe_customer(invoice.customer or "")
    if row is None:
        return "ignored: unknown customer"
    row.payment_failed_at = utcnow()
    return "payment failure recorded; tier kept while Stripe retries"


@dataclass(frozen=True, slots=True)
class Handler(Generic[T]):
    """What an event type carries (checked first) and what applying it does."""

    shape: type[T]
    apply: Callable[[AsyncSession, Settings, StripeEvent, T], Awaitable[str]]

    async def __call__(self, session: AsyncSession, settings: Settings, event: StripeEvent) -> str:
        return await self.apply(session, settings, event, self.checked(event))

    def checked(self, event: StripeEvent) -> T:
        return parsed(self.shape, event.data.object, "data.object")


HANDLERS: dict[str, Handler[Any]] = {
    "checkout.session.completed": Handler(CheckoutSession, checkout_completed),
    "customer.subscription.created": Handler(Subscription, subscription_changed),
    "customer.subscription.updated": Handler(Subscription, subscription_changed),
    "customer.subscription.deleted": Handler(Subscription, subscription_changed),
    "invoice.payment_failed": Handler(Invoice, payment_failed),
}


def parse_event(raw: object) -> StripeEvent:
    """A verified payload as an event whose fields all have the expected types, or BadRequest
    naming the first that does not (nothing has been written yet)."""
    event = parsed(StripeEvent, raw)
    handler = HANDLERS.get(event.type)
    if handler is not None:
        handler.checked(event)
    return event


async def handle_event(session: AsyncSession, settings: Settings, event: StripeEvent) -> str:
    """Apply one parsed event once; unknown types are acknowledged and ignored."""
    repository = BillingRepository(session)
    if not await repository.remember_event(event.id, event.type, event.created):
        return "duplicate: already processed"
    handler = HANDLERS.get(event.type)
    if handler is None:
        return f"ignored: {event.type}"
    outcome = await handler(session, settings, event)
    log.info("stripe %s %s: %s", event.type, event.id, outcome)
    return outcome
