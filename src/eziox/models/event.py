"""Page views and link clicks.

Every answered view or click is first committed to ``event_inbox`` (one small insert in the
request). The rollup worker moves inbox rows in batches into the append-only ``events``
archive and the rollup tables, so no request ever waits on a shared counter row.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column

from eziox.models.base import Base, UTCDateTime

VIEW = 1
CLICK = 2

# SQLite only auto-increments INTEGER PRIMARY KEY; BIGINT elsewhere.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class _EventColumns:
    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE")
    )
    link_id: Mapped[str | None] = mapped_column(String(32), default=None)
    kind: Mapped[int] = mapped_column(SmallInteger)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    visitor: Mapped[bytes] = mapped_column(LargeBinary(16))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    referrer: Mapped[str | None] = mapped_column(String(255), default=None)
    device: Mapped[str] = mapped_column(String(16))
    browser: Mapped[str] = mapped_column(String(32))
    os: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2), default=None)


class EventInbox(_EventColumns, Base):
    __tablename__ = "event_inbox"
    __table_args__ = (Index("ix_event_inbox_account_link", "account_id", "link_id"),)

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)


class Event(_EventColumns, Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_account_occurred", "account_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)


class EventBatch(Base):
    """A batch of events written to the PostgreSQL inbox, by its token: the batch's rows are
    inserted in the same statement as its token, and only if the token was new, so a batch
    sent again after a lost connection is stored once (`eziox.analytics.recorder`). The
    token starts with the time it was made (milliseconds, big-endian), so the roll-up
    forgets old tokens by a range of the primary key. (SQLite: one process writes, through
    a connection that cannot be lost mid-statement; the table stays empty.)"""

    __tablename__ = "event_batches"

    token: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)


# The archive as a Core table: batch writes use executemany without ORM bookkeeping.
EVENTS: Table = cast(Table, Event.__table__)
