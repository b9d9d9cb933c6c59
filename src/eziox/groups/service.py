"""What groups do: list in order, create at the end, rename, move, delete (links stay)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.errors import NotFound, ValidationFailed
from eziox.groups.repository import GroupRepository
from eziox.groups.schemas import GroupCreate, GroupUpdate
from eziox.kit.ids import new_id
from eziox.kit.ordering import OrderMismatch, move, renumber
from eziox.links.repository import LinkRepository
from eziox.links.service import order_refused
from eziox.models import LinkGroup
from eziox.pages.changes import page_changed


async def list_groups(session: AsyncSession, account_id: str) -> list[LinkGroup]:
    """Every group of the account, in order."""
    return list(await GroupRepository(session, account_id).all())


async def get_group(session: AsyncSession, account_id: str, group_id: str) -> LinkGroup:
    group = await GroupRepository(session, account_id).get(group_id)
    if group is None:
        raise NotFound("Group not found.")
    return group


async def create_group(session: AsyncSession, account_id: str, data: GroupCreate) -> LinkGroup:
    """Append a group at the end of the account's groups."""
    repository = GroupRepository(session, account_id)
    await LinkRepository(session, account_id).lock_account()
    group = LinkGroup(id=new_id("grp"), title=data.title, position=await repository.count())
    await repository.add(group)
    return group


async def update_group(
    session: AsyncSession, account_id: str, group_id: str, data: GroupUpdate
) -> LinkGroup:
    """Rename and/or move a group; the others are renumbered so orders stay 0..n-1."""
    for field in ("title", "order"):
        if field in data.model_fields_set and getattr(data, field) is None:
            raise ValidationFailed.field(field, "must not be null")
    repository = GroupRepository(session, account_id)
    await LinkRepository(session, account_id).lock_account()
    group = await get_group(session, account_id, group_id)
    if data.title is not None:
        group.title = data.title
    if data.order is not None:
        await move(repository, group, data.order)
    await session.flush()
    await session.refresh(group)
    return group


async def delete_group(session: AsyncSession, account_id: str, group_id: str) -> None:
    """Delete a group; its links become ungrouped (never orphaned), the others renumbered."""
    repository = GroupRepository(session, account_id)
    await LinkRepository(session, account_id).lock_account()
    group = await get_group(session, account_id, group_id)
    position = group.position
    await repository.delete(group)
    await repository.shift(start=position + 1, end=2**31 - 1, by=-1)


async def reorder_groups(session: AsyncSession, account_id: str, ids: list[str]) -> list[LinkGroup]:
    """Set the whole order of the groups at once (positions 0..n-1 as listed)."""
    await LinkRepository(session, account_id).lock_account()
    groups = {group.id: group for group in await GroupRepository(session, account_id).all()}
    try:
        moved = renumber(groups, ids)
    except OrderMismatch as error:
        raise order_refused(error, "groups") from None
    page_changed(session, account_id)
    await session.flush()
    for group in moved:
        await session.refresh(group)
    return [groups[id_] for id_ in ids]
