"""Requests per API key per hour: what `GET /v1/usage` and the dashboard's API tab show.

Written by `eziox.apikeys.usage.UsageCounter` a few times a minute, never per request. Hours
are integers since the Unix epoch (UTC), like the analytics roll-ups.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from eziox.models.base import Base


class KeyUsage(Base):
    __tablename__ = "api_key_usage"
    __table_args__ = (Index("ix_api_key_usage_account_hour", "account_id", "hour"),)

    api_key_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE")
    )
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    limited: Mapped[int] = mapped_column(BigInteger, default=0)  # answered 429
    not_modified: Mapped[int] = mapped_column(BigInteger, default=0)  # answered 304 (free)
