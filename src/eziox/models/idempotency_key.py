"""Idempotency keys: the first answer to a POST sent with an `Idempotency-Key`, for 24 h."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from eziox.kit.time import utcnow
from eziox.models.base import Base, UTCDateTime


class IdempotencyKey(Base):
    """One key of one account: the request it was first sent with and, once done, its answer.

    ``status`` is NULL while the first request runs; ``locked_until`` then says when a
    process that died under it is given up on, so a retry may run the request itself.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_created_at", "created_at"),)

    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    target: Mapped[str] = mapped_column(String(2048))  # "POST /v1/links?…"
    body_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer, default=None)
    content_type: Mapped[str | None] = mapped_column(String(255), default=None)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
