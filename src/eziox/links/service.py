"""What links do: list a page, create at the end, edit, move, delete — orders stay 0..n-1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.errors import Conflict, NotFound, ValidationFailed
from eziox.groups.repository import GroupRepository
from eziox.kit.ids import new_link_id
from eziox.kit.ordering import OrderMismatch, move, renumber
from eziox.kit.time import utcnow
from eziox.links.repository import LinkRepository
from eziox.links.schemas import LinkCreate, LinkStatus, LinkUpdate
from eziox.links.views import link_view, show_link
from eziox.models import Link
from eziox.pages.changes import page_changed
from eziox.webhooks import emit
from eziox.webhooks.events import EventType

_NOT_NULL = ("title", "url", "isActive", "order", "sensitive")
_COLUMN_OF = {
    "isActive": "is_active",
    "groupId": "group_id",
    "startsAt": "starts_at",
    "endsAt": "ends_at",
}


def check_schedule(starts_at: datetime | None, ends_at: datetime | None) -> None:
    """A window must end after it starts (409: the request contradicts itself or the link)."""
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise Conflict("endsAt must be after startsAt.")


@dataclass(frozen=True, slots=True)
class LinkPage:
    links: list[dict[str, Any]]
    total: int


async def list_links(
    session: AsyncSession,
    account_id: str,
    *,
    limit: int,
    offset: int,
    active: bool | None,
    status: LinkStatus | None = None,
) -> LinkPage:
    """One page of the account's links in order, and how many match in all."""
    repository = LinkRepository(session, account_id)
    now = utcnow()
    rows = await repository.page(limit=limit, offset=offset, active=active, status=status, now=now)
    if offset == 0 and len(rows) < limit:
        total = len(rows)  # the page holds every match: no second query needed
    else:
        total = await repository.count(active=active, status=status, now=now)
    return LinkPage([link_view(row, now=now) for row in rows], total)


async def get_link(session: AsyncSession, account_id: str, link_id: str) -> Link:
    link = await LinkRepository(session, account_id).get(link_id)
    if link is None:
        raise NotFound("Link not found.")
    return link


async def create_link(session: AsyncSession, account_id: str, data: LinkCreate) -> Link:
    """Append a link at the end of the account's order."""
    check_schedule(data.startsAt, data.endsAt)
    repository = LinkRepository(session, account_id)
    await repository.lock_account()
    if data.groupId is not None:
        await ensure_group(session, account_id, data.groupId)
    link = Link(
        id=new_link_id(),
        title=data.title,
        url=data.url,
        description=data.description,
        thumbnail=data.thumbnail,
        is_active=data.isActive,
        position=await repository.count(),
        group_id=data.groupId,
        starts_at=data.startsAt,
        ends_at=data.endsAt,
        sensitive=data.sensitive,
    )
    await repository.add(link)
    await emit(session, account_id, EventType.LINK_CREATED, lambda: show_link(session, link))
    return link


async def update_link(
    session: AsyncSession, account_id: str, link_id: str, data: LinkUpdate
) -> Link:
    """Change the given fields; a new ``order`` moves the link and renumbers the others."""
    for field in _NOT_NULL:
        if field in data.model_fields_set and getattr(data, field) is None:
            raise ValidationFailed.field(field, "must not be null")
    repository = LinkRepository(session, account_id)
    await repository.lock_account()
    link = await get_link(session, account_id, link_id)
    if data.groupId is not None:
        await ensure_group(session, account_id, data.groupId)
    for field in data.model_fields_set - {"order"}:
        setattr(link, _COLUMN_OF.get(field, field), getattr(data, field))
    check_schedule(link.starts_at, link.ends_at)
    if data.order is not None:
        await move(repository, link, data.order)
    await session.flush()
    await session.refresh(link)
    await emit(session, account_id, EventType.LINK_UPDATED, lambda: show_link(session, link))
    return link


def order_refused(error: OrderMismatch, noun: str) -> ValidationFailed:
    """The 422 for a whole order that is not every one of the account's ``noun`` once."""
    details = [{"field": "ids", "message": f"{id_}: {what}"} for id_, what in error.problems]
    return ValidationFailed(
        f"ids must name each of your {noun} exactly once: {error}", details=details
    )


async def reorder_links(session: AsyncSession, account_id: str, ids: list[str]) -> LinkPage:
    """Set the whole order at once (positions 0..n-1 as listed); one `link.updated` per moved
    link, as a move by PATCH emits for the link it moves."""
    repository = LinkRepository(session, account_id)
    await repository.lock_account()
    links = {link.id: link for link in await repository.all()}
    try:
        moved = renumber(links, ids)
    except OrderMismatch as error:
        raise order_refused(error, "links") from None
    page_changed(session, account_id)
    await session.flush()
    for link in moved:
        await session.refresh(link)
        await emit(session, account_id, EventType.LINK_UPDATED, partial(show_link, session, link))
    return await list_links(session, account_id, limit=max(1, len(ids)), offset=0, active=None)


async def ensure_group(session: AsyncSession, account_id: str, group_id: str) -> None:
    """The group must be one of the account's own; another account's is as unknown as a missing
    one. 409, not 404: the link itself exists, the reference to the group is what conflicts."""
    if await GroupRepository(session, account_id).get(group_id) is None:
        raise Conflict("groupId: you have no such group (see GET /v1/groups).")


async def delete_link(session: AsyncSession, account_id: str, link_id: str) -> None:
    """Delete a link and close the gap in the order."""
    repository = LinkRepository(session, account_id)
    await repository.lock_account()
    link = await get_link(session, account_id, link_id)
    position = link.position
    await emit(session, account_id, EventType.LINK_DELETED, lambda: show_link(session, link))
    await repository.delete(link)
    await repository.shift(start=position + 1, end=2**31 - 1, by=-1)
