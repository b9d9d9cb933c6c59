from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from eziox.kit.time import utcnow
from eziox.models.base import Base, UTCDateTime


class PasswordReset(Base):
    """A password-reset link. The mail holds a random token; only its SHA-256 is stored."""

    __tablename__ = "password_resets"
    __table_args__ = (Index("ix_password_resets_account_id", "account_id"),)

    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
