"""Every query on the links table, scoped to one account by construction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.models import CLICK, Account, Counter, EventInbox, Link

_COLUMNS = (
    Link.id,
    Link.title,
    Link.url,
    Link.description,
    Link.thumbnail,
    Link.is_active,
    Link.position,
    Link.created_at,
    Link.updated_at,
)


class LinkRepository:
    def __init__(self, session: AsyncSession, account_id: str) -> None:
        self.session = session
        self.account_id = account_id

    async def lock_account(self) -> None:
        """Serialize order changes per account (row lock on PostgreSQL; SQLite locks on BEGIN)."""
        query = select(Account.id).where(Account.id == self.account_id).with_for_update()
        await self.session.execute(query)

    async def page(self, *, limit: int, offset: int, active: bool | None) -> Sequence[Any]:
        """Rows of the page with each link's all-time clicks (rollup + not-yet-rolled-up)."""
        pending = (
            select(func.count())
            .where(
                EventInbox.account_id == self.account_id,
                EventInbox.link_id == Link.id,
                EventInbox.kind == CLICK,
                EventInbox.is_bot.is_(False),
            )
            .correlate(Link)
            .scalar_subquery()
        )
        clicks = (func.coalesce(Counter.clicks, 0) + pending).label("clicks")
        query = (
            select(*_COLUMNS, clicks)
            .outerjoin(
                Counter, (Counter.account_id == Link.account_id) & (Counter.link_id == Link.id)
            )
            .where(Link.account_id == self.account_id)
        )
        if active is not None:
            query = query.where(Link.is_active == active)
        query = query.order_by(Link.position, Link.id).limit(limit).offset(offset)
        return (await self.session.execute(query)).all()

    async def count(self, *, active: bool | None = None) -> int:
        query = select(func.count()).select_from(Link).where(Link.account_id == self.account_id)
        if active is not None:
            query = query.where(Link.is_active == active)
        return int((await self.session.execute(query)).scalar_one())

    async def get(self, link_id: str) -> Link | None:
        query = select(Link).where(Link.id == link_id, Link.account_id == self.account_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def add(self, link: Link) -> None:
        link.account_id = self.account_id
        self.session.add(link)
        await self.session.flush()

    async def delete(self, link: Link) -> None:
        await self.session.delete(link)
        await self.session.flush()

    async def shift(self, *, start: int, end: int, by: int) -> None:
        """Add ``by`` to the position of every link with start <= position <= end."""
        await self.session.execute(
            update(Link)
            .where(Link.account_id == self.account_id, Link.position.between(start, end))
            .values(position=Link.position + by)
            .execution_options(synchronize_session=False)
        )
