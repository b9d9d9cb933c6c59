"""Custom domains: a hostname an account serves its page on, once its DNS proves it theirs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from eziox.models.base import Base, Timestamps, UTCDateTime

PENDING = "pending"
VERIFIED = "verified"


class Domain(Timestamps, Base):
    """A hostname (lower-case, ASCII/punycode) claimed by an account.

    Several accounts may claim a hostname while it is pending (so nobody can squat on a name
    by claiming it first); only one may hold it verified, which the partial unique index
    guarantees whatever the requests race.
    """

    __tablename__ = "domains"
    __table_args__ = (
        UniqueConstraint("account_id", "hostname", name="uq_domains_account_hostname"),
        Index(
            "ux_domains_verified_hostname",
            "hostname",
            unique=True,
            sqlite_where=text("status = 'verified'"),
            postgresql_where=text("status = 'verified'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE")
    )
    hostname: Mapped[str] = mapped_column(String(253))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    # The TXT record value that proves control of the hostname (not a secret: it is public
    # in DNS once set, and only says which claim it answers).
    token: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
