from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from eziox.kit.time import utcnow
from eziox.models.base import Base, UTCDateTime


class BillingCustomer(Base):
    """An account's Stripe customer and the last subscription state applied to it."""

    __tablename__ = "billing_customers"

    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    subscription_id: Mapped[str | None] = mapped_column(String(255), default=None)
    subscription_status: Mapped[str | None] = mapped_column(String(32), default=None)
    price_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # Stripe's `created` (Unix seconds) of the last subscription event applied: older ones lose.
    state_at: Mapped[int] = mapped_column(BigInteger, default=0)
    payment_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class StripeEvent(Base):
    """Every Stripe event id processed, so replays and duplicates change nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    created: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
