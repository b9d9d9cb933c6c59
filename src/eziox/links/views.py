"""A link as the API shows it — the one place its wire shape is built.

`GET/POST/PATCH /v1/links`, the `link.*` webhook events and the export (a projection of it)
all call `link_view`; `Link` and `LinkList` only declare the shapes for the OpenAPI document,
and tests/links/test_views.py keeps each view and its model in step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, JsonValue, WithJsonSchema
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.analytics.repository import AnalyticsRepository
from eziox.kit.time import rfc3339, utcnow
from eziox.links.schemas import LinkStatus
from eziox.models import Link as LinkRow

# A moment as the API shows it: RFC 3339 UTC, or null.
ShownMoment = Annotated[
    str | None,
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}),
]


def status_of(
    is_active: bool, starts_at: datetime | None, ends_at: datetime | None, now: datetime
) -> LinkStatus:
    """Inactive if switched off; else scheduled before `startsAt`, expired from `endsAt`."""
    if not is_active:
        return LinkStatus.INACTIVE
    if starts_at is not None and now < starts_at:
        return LinkStatus.SCHEDULED
    if ends_at is not None and now >= ends_at:
        return LinkStatus.EXPIRED
    return LinkStatus.ACTIVE


def link_view(row: Any, clicks: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    """A link as the API shows it (from an ORM object, or a selected row with ``clicks``)."""
    status = status_of(row.is_active, row.starts_at, row.ends_at, now or utcnow())
    return {
        "id": row.id,
        "title": row.title,
        "url": row.url,
        "description": row.description,
        "thumbnail": row.thumbnail,
        "clicks": int(row.clicks if clicks is None else clicks),
        "isActive": row.is_active,
        "order": row.position,
        "groupId": row.group_id,
        "startsAt": rfc3339(row.starts_at),
        "endsAt": rfc3339(row.ends_at),
        "status": status.value,
        "sensitive": row.sensitive,
        "createdAt": rfc3339(row.created_at),
        "updatedAt": rfc3339(row.updated_at),
    }


def link_list_view(links: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """A page of link views as GET /v1/links shows it; `total` counts every match."""
    return {"links": links, "total": total}


async def show_link(session: AsyncSession, link: LinkRow) -> dict[str, Any]:
    """One link as the API shows it, with its all-time clicks."""
    totals = await AnalyticsRepository(session, link.account_id).totals([link.id])
    return link_view(link, totals[link.id][1])


_EXAMPLE: dict[str, JsonValue] = {
    "id": "lnk_123",
    "title": "My Website",
    "url": "https://example.com",
    "description": "Optional description",
    "thumbnail": None,
    "clicks": 42,
    "isActive": True,
    "order": 0,
    "groupId": None,
    "startsAt": None,
    "endsAt": None,
    "status": "active",
    "sensitive": False,
    "createdAt": "2026-01-01T12:00:00Z",
    "updatedAt": "2026-01-01T12:00:00Z",
}


class Link(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})

    id: str
    title: str
    url: str
    description: str | None
    thumbnail: str | None
    clicks: int
    isActive: bool
    order: int
    groupId: str | None
    startsAt: ShownMoment
    endsAt: ShownMoment
    status: LinkStatus
    sensitive: bool
    createdAt: str
    updatedAt: str


class LinkList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"links": [_EXAMPLE], "total": 1}})

    links: list[Link]
    total: int
