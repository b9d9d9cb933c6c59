"""The mail outbox: one row per message, written in the transaction of the change that
causes it, sent by the mail worker (eziox.mail.worker) with a lease and retries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eziox.kit.time import utcnow
from eziox.models.base import Base, Timestamps, UTCDateTime

MAIL_PENDING = "pending"
MAIL_SENT = "sent"
MAIL_FAILED = "failed"


class OutgoingMail(Timestamps, Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    # Rendered when queued; emptied once sent, so that links in them do not stay stored.
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MAIL_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    claim_token: Mapped[str | None] = mapped_column(String(32), default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
