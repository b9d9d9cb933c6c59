from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from eziox.models.base import Base, Timestamps, UTCDateTime


class LinkGroup(Timestamps, Base):
    """A titled group of links: a heading on the bio page, shown in `position` order."""

    __tablename__ = "link_groups"
    __table_args__ = (Index("ix_link_groups_account_position", "account_id", "position"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)


class Link(Timestamps, Base):
    __tablename__ = "links"
    __table_args__ = (
        Index("ix_links_account_position", "account_id", "position"),
        Index("ix_links_group_id", "group_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(300), default=None)
    thumbnail: Mapped[str | None] = mapped_column(String(2048), default=None)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer)
    # Deleting a group ungroups its links (the service does it in the same transaction; the
    # constraint's SET NULL is the backstop).
    group_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("link_groups.id", ondelete="SET NULL"), default=None
    )
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
