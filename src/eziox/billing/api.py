"""POST /webhooks/stripe: verified with the official library, applied once, in one transaction."""

from __future__ import annotations

import time

import orjson
import stripe
from fastapi import APIRouter, Request
from starlette.responses import Response

from eziox.billing.stripe_events import handle_event, parse_event
from eziox.billing.stripe_schemas import StripeEvent
from eziox.deps import AppSettings, DbSession
from eziox.errors import BadRequest
from eziox.kit.responses import JSONBytes

router = APIRouter(tags=["Billing"], include_in_schema=False)

MAX_EVENT_BYTES = 512 * 1024  # enforced by eziox.bodies.BodyReader while reading


def verified_event(
    payload: bytes, signature: str | None, secret: str | None, tolerance: int
) -> StripeEvent:
    """Check Stripe's signature, its timestamp and the event's fields; BadRequest when anything
    is off."""
    if not secret:
        raise BadRequest("Stripe webhooks are not configured: set EZIOX_STRIPE_WEBHOOK_SECRET.")
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature, secret, tolerance)
        event = orjson.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, orjson.JSONDecodeError):
        raise BadRequest("Invalid Stripe signature or payload.") from None
    if _signed_at(signature) > time.time() + tolerance:
        raise BadRequest("The Stripe signature's timestamp is too far in the future.")
    return parse_event(event)


def _signed_at(signature: str | None) -> int:
    """The header's `t=` (the first, as the stripe library reads it; it verified the header).

    The library only refuses timestamps too far in the past; one too far in the future (a
    signature made with a skewed clock, or kept to be replayed later) is refused here with
    the same tolerance.
    """
    items = [item.split("=", 2) for item in (signature or "").split(",")]
    return int(next(item[1] for item in items if item[0] == "t"))


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request, session: DbSession, settings: AppSettings) -> Response:
    payload = await request.body()  # already in memory: BodyReader read it, at most the limit
    event = verified_event(
        payload,
        request.headers.get("stripe-signature"),
        settings.stripe_webhook_secret,
        settings.stripe_webhook_tolerance,
    )
    outcome = await handle_event(session, settings, event)
    return JSONBytes({"received": True, "outcome": outcome})
