"""What each Stripe event does to an account's tier. Each event id is applied once;
an older subscription state never overwrites a newer one; Lifetime is never downgraded."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.billing.entitlements import Tier
from eziox.billing.repository import BillingRepository
from eziox.config import Settings
from eziox.db import mark_keys_changed
from eziox.kit.time import utcnow
from eziox.models import Account, BillingCustomer

log = logging.getLogger("eziox.billing")

PAID_STATUSES = {"active", "trialing", "past_due"}  # past_due: Stripe is still retrying
ENDED_STATUSES = {"canceled", "unpaid", "incomplete_expired"}

Handler = Callable[[AsyncSession, Settings, dict[str, Any]], Awaitable[str]]


async def _set_tier(session: AsyncSession, account: Account, tier: str) -> str:
    if account.tier == tier:
        return f"{account.username} stays on {tier}"
    if account.tier == Tier.LIFETIME:
        return f"{account.username} is Lifetime: not changed to {tier}"
    account.tier = tier
    mark_keys_changed(session)  # limits and entitlements change on the next request
    return f"{account.username} is now on {tier}"


async def checkout_completed(
    session: AsyncSession, settings: Settings, event: dict[str, Any]
) -> str:
    checkout = event["data"]["object"]
    account_id = checkout.get("client_reference_id")
    repository = BillingRepository(session)
    account = await repository.account(account_id) if account_id else None
    if account is None:
        return f"ignored: no account {account_id!r}"
    await repository.bind(account.id, checkout.get("customer"))
    price = (checkout.get("metadata") or {}).get("price_id")
    lifetime = settings.stripe_price_lifetime
    if checkout.get("mode") == "payment" and checkout.get("payment_status") == "paid":
        if lifetime and price == lifetime:
            return await _set_tier(session, account, Tier.LIFETIME)
    return f"bound {account.username} to its Stripe customer"


def _subscription_tier(
    settings: Settings, subscription: dict[str, Any], deleted: bool
) -> str | None:
    status = subscription.get("status")
    if deleted or status in ENDED_STATUSES:
        return Tier.FREE
    if status not in PAID_STATUSES:
        return None  # incomplete: nothing paid yet, nothing changes
    items = (subscription.get("items") or {}).get("data") or []
    prices = [((item.get("price") or {}).get("id")) for item in items]
    tiers = [settings.stripe_prices[p] for p in prices if p in settings.stripe_prices]
    order = [tier.value for tier in Tier]
    return max(tiers, key=order.index) if tiers else None


async def _customer_for(
    repository: BillingRepository, subscription: dict[str, Any]
) -> BillingCustomer | None:
    customer_id = subscription.get("customer")
    row = await repository.by_stripe_customer(customer_id) if customer_id else None
    account_id = (subscription.get("metadata") or {}).get("account_id")
    if row is None and account_id and await repository.account(account_id) is not None:
        row = await repository.bind(account_id, customer_id)  # subscription before checkout
    return row


async def subscription_changed(
    session: AsyncSession, settings: Settings, event: dict[str, Any]
) -> str:
    subscription = event["data"]["object"]
    repository = BillingRepository(session)
    row = await _customer_for(repository, subscription)
    if row is None:
        return f"ignored: unknown customer {subscription.get('customer')!r}"
    if event["created"] < row.state_at:
        return "ignored: older than the state already applied"
    row.state_at = event["created"]
    row.subscription_id = subscription.get("id")
    row.subscription_status = subscription.get("status")
    deleted = event["type"] == "customer.subscription.deleted"
    tier = _subscription_tier(settings, subscription, deleted)
    account = await repository.account(row.account_id)
    assert account is not None  # the billing row cascades with its account
    if tier is None:
        return f"{account.username}: status {row.subscription_status}, tier kept"
    return await _set_tier(session, account, tier)


async def payment_failed(session: AsyncSession, settings: Settings, event: dict[str, Any]) -> str:
    invoice = event["data"]["object"]
    row = await BillingRepository(session).by_stripe_customer(invoice.get("customer") or "")
    if row is None:
        return "ignored: unknown customer"
    row.payment_failed_at = utcnow()
    return "payment failure recorded; tier kept while Stripe retries"


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": checkout_completed,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "invoice.payment_failed": payment_failed,
}


async def handle_event(session: AsyncSession, settings: Settings, event: dict[str, Any]) -> str:
    """Apply one verified event once; unknown types are acknowledged and ignored."""
    repository = BillingRepository(session)
    if not await repository.remember_event(event["id"], event["type"], int(event["created"])):
        return "duplicate: already processed"
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return f"ignored: {event['type']}"
    outcome = await handler(session, settings, event)
    log.info("stripe %s %s: %s", event["type"], event["id"], outcome)
    return outcome
