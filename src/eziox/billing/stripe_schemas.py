"""The Stripe event fields Eziox reads, checked before anything is written.

A valid signature proves who sent an event, not that its fields have the types we expect (a
Stripe API change, a test event typed by hand): a malformed one is a 400 naming the field,
never a 500 halfway through, and the event id stays unremembered so a corrected retry
applies. Strings that reach the database refuse control codes (PostgreSQL refuses NUL) and
are no longer than their columns.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from eziox.errors import BadRequest
from eziox.kit.text import PLAIN_PATTERN

StripeId = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=PLAIN_PATTERN)]
Word = Annotated[str, StringConstraints(max_length=32, pattern=PLAIN_PATTERN)]
Metadata = dict[str, Annotated[str, StringConstraints(pattern=PLAIN_PATTERN)]]


class StripeObject(BaseModel):
    """Only the fields named here are read; Stripe adds fields often, so others are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


T = TypeVar("T", bound=StripeObject)


class EventData(StripeObject):
    object: dict[str, Any]


class StripeEvent(StripeObject):
    id: StripeId
    type: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=PLAIN_PATTERN)]
    created: int = Field(ge=0, le=2**63 - 1)  # Unix seconds, stored as a BIGINT
    data: EventData


class CheckoutSession(StripeObject):
    client_reference_id: StripeId | None = None
    customer: StripeId | None = None
    mode: Word | None = None
    payment_status: Word | None = None
    metadata: Metadata | None = None


class Price(StripeObject):
    id: StripeId | None = None


class SubscriptionItem(StripeObject):
    price: Price | None = None


class SubscriptionItems(StripeObject):
    data: list[SubscriptionItem] = []


class Subscription(StripeObject):
    id: StripeId | None = None
    customer: StripeId | None = None
    status: Word | None = None
    metadata: Metadata | None = None
    items: SubscriptionItems | None = None

    def price_ids(self) -> list[str]:
        items = self.items.data if self.items else []
        return [item.price.id for item in items if item.price and item.price.id]


class Invoice(StripeObject):
    customer: StripeId | None = None


def parsed(shape: type[T], raw: object, where: str = "") -> T:
    """``raw`` as ``shape``, or BadRequest naming the first field that is wrong."""
    try:
        return shape.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = [*([where] if where else []), *(str(part) for part in first["loc"])]
        field = ".".join(path) or "the event"
        raise BadRequest(f"Malformed Stripe event: {field}: {first['msg'].lower()}.") from None
