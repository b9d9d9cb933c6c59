"""POST /webhooks/stripe: verified with the official library, applied once, in one transaction."""

from __future__ import annotations

from typing import Any

import orjson
import stripe
from fastapi import APIRouter, Request
from starlette.responses import Response

from eziox.billing.stripe_events import handle_event
from eziox.db import DbSession
from eziox.errors import BadRequest
from eziox.kit.responses import JSONBytes
from eziox.state import AppState

router = APIRouter(tags=["Billing"], include_in_schema=False)

MAX_EVENT_BYTES = 512 * 1024  # enforced by eziox.bodies.BodyReader while reading


def verified_event(
    payload: bytes, signature: str | None, secret: str | None, tolerance: int
) -> dict[str, Any]:
    """Check Stripe's signature and timestamp; BadRequest when anything is off."""
    if not secret:
        raise BadRequest("Stripe webhooks are not configured: set EZIOX_STRIPE_WEBHOOK_SECRET.")
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature, secret, tolerance)
        event = orjson.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, orjson.JSONDecodeError):
        raise BadRequest("Invalid Stripe signature or payload.") from None
    if not isinstance(event, dict) or not {"id", "type", "created", "data"} <= event.keys():
        raise BadRequest("Not a Stripe event.")
    return event


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request, session: DbSession) -> Response:
    state: AppState = request.app.state.eziox
    payload = await request.body()  # already in memory: BodyReader read it, at most the limit
    settings = state.settings
    event = verified_event(
        payload,
        request.headers.get("stripe-signature"),
        settings.stripe_webhook_secret,
        settings.stripe_webhook_tolerance,
    )
    outcome = await handle_event(session, settings, event)
    return JSONBytes({"received": True, "outcome": outcome})
