"""What links do: list a page, create at the end, edit, move, delete — orders stay 0..n-1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.analytics.repository import AnalyticsRepository
from eziox.errors import NotFound, ValidationFailed
from eziox.kit.ids import link_id
from eziox.kit.time import rfc3339
from eziox.links.repository import LinkRepository
from eziox.links.schemas import LinkCreate, LinkUpdate
from eziox.models import Link

_NOT_NULL = ("title", "url", "isActive", "order")
_COLUMN_OF = {"isActive": "is_active"}


@dataclass(frozen=True, slots=True)
class LinkPage:
    links: list[dict[str, Any]]
    total: int


def serialize(row: Any, clicks: int | None = None) -> dict[str, Any]:
    """A link as the API shows it (from an ORM object, or a selected row with ``clicks``)."""
    return {
        "id": row.id,
        "title": row.title,
        "url": row.url,
        "description": row.description,
        "thumbnail": row.thumbnail,
        "clicks": int(row.clicks if clicks is None else clicks),
        "isActive": row.is_active,
        "order": row.position,
        "createdAt": rfc3339(row.created_at),
        "updatedAt": rfc3339(row.updated_at),
    }


async def list_links(
    session: AsyncSession, account_id: str, *, limit: int, offset: int, active: bool | None
) -> LinkPage:
    """One page of the account's links in order, and how many match in all."""
    repository = LinkRepository(session, account_id)
    rows = await repository.page(limit=limit, offset=offset, active=active)
    if offset == 0 and len(rows) < limit:
        total = len(rows)  # the page holds every match: no second query needed
    else:
        total = await repository.count(active=active)
    return LinkPage([serialize(row) for row in rows], total)


async def get_link(session: AsyncSession, account_id: str, link_id_: str) -> Link:
    link = await LinkRepository(session, account_id).get(link_id_)
    if link is None:
        raise NotFound("Link not found.")
    return link


async def show_link(session: AsyncSession, link: Link) -> dict[str, Any]:
    """One link as the API shows it, with its all-time clicks."""
    totals = await AnalyticsRepository(session, link.account_id).totals([link.id])
    return serialize(link, totals[link.id][1])


async def create_link(session: AsyncSession, account_id: str, data: LinkCreate) -> Link:
    """Append a link at the end of the account's order."""
    repository = LinkRepository(session, account_id)
    await repository.lock_account()
    link = Link(
        id=link_id(),
        title=data.title,
        url=data.url,
        description=data.description,
        thumbnail=data.thumbnail,
        is_active=data.isActive,
        position=await repository.count(),
    )
    await repository.add(link)
    return link


async def update_link(
    session: AsyncSession, account_id: str, link_id_: str, data: LinkUpdate
) -> Link:
    """Change the given fields; a new ``order`` moves the link and renumbers the others."""
    for field in _NOT_NULL:
        if field in data.model_fields_set and getattr(data, field) is None:
            raise ValidationFailed.field(field, "must not be null")
    repository = LinkRepository(session, account_id)
    await repository.lock_account()
    link = await get_link(session, account_id, link_id_)
    for field in data.model_fields_set - {"order"}:
        setattr(link, _COLUMN_OF.get(field, field), getattr(data, field))
    if data.order is not None:
        await _move(repository, link, data.order)
    await session.flush()
    await session.refresh(link)
    return link


async def _move(repository: LinkRepository, link: Link, target: int) -> None:
    # Past the end means "last", as a drag to the bottom of the list would.
    target = min(target, await repository.count() - 1)
    source = link.position
    if target == source:
        return
    if target > source:
        await repository.shift(start=source + 1, end=target, by=-1)
    else:
        await repository.shift(start=target, end=source - 1, by=1)
    link.position = target


async def delete_link(session: AsyncSession, account_id: str, link_id_: str) -> None:
    """Delete a link and close the gap in the order."""
    repository = LinkRepository(session, account_id)
    await repository.lock_account()
    link = await get_link(session, account_id, link_id_)
    position = link.position
    await repository.delete(link)
    await repository.shift(start=position + 1, end=2**31 - 1, by=-1)
