"""Every query on the link_groups table, scoped to one account by construction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.models import Link, LinkGroup
from eziox.pages.changes import page_changed


class GroupRepository:
    def __init__(self, session: AsyncSession, account_id: str) -> None:
        self.session = session
        self.account_id = account_id

    async def all(self) -> Sequence[LinkGroup]:
        query = (
            select(LinkGroup)
            .where(LinkGroup.account_id == self.account_id)
            .order_by(LinkGroup.position, LinkGroup.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def count(self) -> int:
        query = (
            select(func.count())
            .select_from(LinkGroup)
            .where(LinkGroup.account_id == self.account_id)
        )
        return int((await self.session.execute(query)).scalar_one())

    async def get(self, group_id: str) -> LinkGroup | None:
        query = select(LinkGroup).where(
            LinkGroup.id == group_id, LinkGroup.account_id == self.account_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def add(self, group: LinkGroup) -> None:
        group.account_id = self.account_id
        self.session.add(group)
        await self.session.flush()

    async def delete(self, group: LinkGroup) -> None:
        """Delete the group; its links stay, ungrouped, in the same transaction."""
        page_changed(self.session, self.account_id)
        await self.session.execute(
            update(Link)
            .where(Link.account_id == self.account_id, Link.group_id == group.id)
            .values(group_id=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.delete(group)
        await self.session.flush()

    async def shift(self, *, start: int, end: int, by: int) -> None:
        """Add ``by`` to the position of every group with start <= position <= end."""
        page_changed(self.session, self.account_id)
        await self.session.execute(
            update(LinkGroup)
            .where(LinkGroup.account_id == self.account_id, LinkGroup.position.between(start, end))
            .values(position=LinkGroup.position + by)
            .execution_options(synchronize_session=False)
        )
