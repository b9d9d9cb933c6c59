"""Upgrade flow: Stripe Checkout and Billing Portal sessions, made with the official client."""

from __future__ import annotations

import asyncio
from typing import Any

import stripe

from eziox.billing.entitlements import Tier, parse_tier
from eziox.config import Settings
from eziox.errors import BadRequest, ServiceUnavailable, ValidationFailed
from eziox.models import Account


def _client(settings: Settings) -> stripe.StripeClient:
    if not settings.billing_enabled or not settings.stripe_secret_key:
        raise BadRequest("Billing is not configured on this server.")
    if settings.stripe_api_base:
        return stripe.StripeClient(
            settings.stripe_secret_key, base_addresses={"api": settings.stripe_api_base}
        )
    return stripe.StripeClient(settings.stripe_secret_key)


def _price_for(settings: Settings, tier: str) -> str:
    try:
        wanted = parse_tier(tier)
    except ValueError as exc:
        raise ValidationFailed.field("tier", str(exc)) from None
    price = {tier_: price for price, tier_ in settings.stripe_prices.items()}.get(wanted.value)
    if wanted is Tier.FREE or price is None:
        raise ValidationFailed.field("tier", f"{wanted.value} cannot be bought here")
    return price


def checkout_params(
    settings: Settings, account: Account, customer_id: str | None, tier: str
) -> dict[str, Any]:
    price = _price_for(settings, tier)
    base = settings.public_url.rstrip("/")
    lifetime = price == settings.stripe_price_lifetime
    params: dict[str, Any] = {
        "mode": "payment" if lifetime else "subscription",
        "line_items": [{"price": price, "quantity": 1}],
        "client_reference_id": account.id,
        "metadata": {"account_id": account.id, "price_id": price},
        "success_url": f"{base}/profile?tab=settings&notice=checkout-done",
        "cancel_url": f"{base}/profile?tab=settings",
    }
    if not lifetime:
        params["subscription_data"] = {"metadata": {"account_id": account.id}}
    if customer_id:
        params["customer"] = customer_id
    else:
        params["customer_email"] = account.email
    return params


async def checkout_url(
    settings: Settings, account: Account, customer_id: str | None, tier: str
) -> str:
    """A Stripe Checkout URL for buying ``tier`` (the webhook applies it once paid)."""
    client = _client(settings)
    params = checkout_params(settings, account, customer_id, tier)
    try:
        session = await asyncio.to_thread(client.v1.checkout.sessions.create, params)  # type: ignore[arg-type]
    except stripe.StripeError as exc:
        raise ServiceUnavailable(
            f"Stripe did not accept the request: {exc.user_message or exc}"
        ) from None
    return str(session.url)


async def portal_url(settings: Settings, customer_id: str | None) -> str:
    """A Billing Portal URL where the customer manages or cancels the subscription."""
    if not customer_id:
        raise BadRequest("There is no subscription to manage yet.")
    client = _client(settings)
    params = {
        "customer": customer_id,
        "return_url": settings.public_url.rstrip("/") + "/profile?tab=settings",
    }
    try:
        session = await asyncio.to_thread(client.v1.billing_portal.sessions.create, params)  # type: ignore[arg-type]
    except stripe.StripeError as exc:
        raise ServiceUnavailable(
            f"Stripe did not accept the request: {exc.user_message or exc}"
        ) from None
    return str(session.url)
