from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eziox.models.base import Base, Timestamps

DEFAULT_THEME = "eziox-default"


class Account(Timestamps, Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(30), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    avatar: Mapped[str | None] = mapped_column(String(2048), default=None)
    banner: Mapped[str | None] = mapped_column(String(2048), default=None)
    theme: Mapped[str] = mapped_column(String(64), default=DEFAULT_THEME)
    # Token overrides on top of the theme (paid tiers), as validated by the templates domain.
    design: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    # Social profile links, [{"platform": ..., "value": ...}], as validated by accounts.socials.
    socials: Mapped[list[dict[str, str]] | None] = mapped_column(
        JSON(none_as_null=True), default=None
    )
    tier: Mapped[str] = mapped_column(String(16), default="free")
    # Bumped in the same transaction as every change the public page shows (eziox.pages):
    # caches of the page and of its link targets compare this one number.
    page_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
