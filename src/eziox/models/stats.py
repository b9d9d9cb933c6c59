"""Rollups written by the rollup worker: hourly totals, daily breakdowns, counters, uniques.

Hours and days are integers since the Unix epoch (UTC): compact, fast to group, and exact
to shift into any time zone with a whole-hour offset.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from eziox.models.base import Base

ACCOUNT_ROW = ""  # link_id of an account-wide row in stats_hourly


class HourlyStat(Base):
    """Views, clicks and first-seen-today visitors per account (link_id '') or link, per hour."""

    __tablename__ = "stats_hourly"

    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    link_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)
    uniques: Mapped[int] = mapped_column(BigInteger, default=0)


class DailyDimension(Base):
    """Views and clicks per account, UTC day, dimension (referrer, device, …) and value."""

    __tablename__ = "stats_daily_dims"

    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)


class Counter(Base):
    """All-time totals per account (link_id '') and per link."""

    __tablename__ = "stats_counters"

    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    link_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)


class DailyVisitor(Base):
    """Who was seen on a UTC day (a daily-rotating hash, never an IP): for unique counts."""

    __tablename__ = "stats_daily_visitors"

    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    visitor: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)


class VisitorSalt(Base):
    """A random salt per UTC day; deleted after two days so old hashes can't be recomputed."""

    __tablename__ = "visitor_salts"

    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
