"""Link request models and statuses (camelCase on the wire, unknown fields refused).

The response shape is built and declared in links/views.py.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
)

from eziox.kit.numbers import Position
from eziox.kit.text import plain, trimmed, trimmed_schema
from eziox.kit.timestamps import Timestamp
from eziox.kit.urls import LINK_URL_SCHEMA, ImageUrl, LinkUrl

# 1-100 characters, no leading or trailing whitespace (the dashboard trims before sending),
# something visible and no bidi overrides (kit/text.py TRIMMED_PATTERN).
Title = Annotated[str, trimmed(100)]


TITLE_SCHEMA = trimmed_schema(100)
GroupId = Annotated[str, Field(max_length=32, description="A group id (grp_…)")]


class LinkStatus(StrEnum):
    """Where a link stands now: hidden by you, waiting for `startsAt`, past `endsAt`, or live."""

    ACTIVE = "active"
    SCHEDULED = "scheduled"
    EXPIRED = "expired"
    INACTIVE = "inactive"


Description = Annotated[str, plain(300)]


class LinkCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "example": {
                "title": "New Link",
                "url": "https://example.com",
                "description": "Optional description",
                "thumbnail": "https://example.com/thumb.png",
                "isActive": True,
                "startsAt": "2026-01-01T12:00:00Z",
                "sensitive": False,
            }
        },
    )

    title: Title
    url: LinkUrl
    description: Description | None = None
    thumbnail: ImageUrl | None = None
    isActive: bool = True
    groupId: GroupId | None = Field(None, description="Put the link under this group's heading")
    startsAt: Timestamp | None = Field(None, description="Shown from this moment (UTC)")
    endsAt: Timestamp | None = Field(None, description="Hidden from this moment (after startsAt)")
    sensitive: bool = Field(False, description="Show a warning page before the redirect")


class LinkUpdate(BaseModel):
    """Fields to change; ``description`` and ``thumbnail`` may be ``null`` to clear them."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"example": {"isActive": False}}
    )

    # These may be omitted but not null (the service refuses null): the schema says so.
    title: Annotated[Title | None, WithJsonSchema(TITLE_SCHEMA)] = None
    url: Annotated[LinkUrl | None, WithJsonSchema(LINK_URL_SCHEMA)] = None
    description: Description | None = None
    thumbnail: ImageUrl | None = None
    isActive: Annotated[bool | None, WithJsonSchema({"type": "boolean"})] = None
    order: Position = None
    groupId: GroupId | None = Field(None, description="`null` ungroups the link")
    startsAt: Timestamp | None = Field(None, description="`null` clears it")
    endsAt: Timestamp | None = Field(None, description="`null` clears it")
    sensitive: Annotated[bool | None, WithJsonSchema({"type": "boolean"})] = None


class LinkOrder(BaseModel):
    """The whole new order: every one of your link ids exactly once, first to last."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"example": {"ids": ["lnk_2", "lnk_1"]}}
    )

    ids: list[Annotated[str, Field(max_length=64)]] = Field(max_length=10_000)
