"""Every query on the links table, scoped to one account by construction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.models import CLICK, Account, Counter, EventInbox, Link


def _page_statements() -> dict[bool | None, Any]:
    """The page query, built once per `active` filter with bound parameters (hot path:
    Core columns skip ORM result handling, and no statement is rebuilt per request)."""
    links, counters, inbox = Link.__table__.c, Counter.__table__.c, EventInbox.__table__.c
    pending = (
        select(func.count())
        .where(
            inbox.account_id == bindparam("account_id"),
            inbox.link_id == links.id,
            inbox.kind == CLICK,
            inbox.is_bot.is_(False),
        )
        .correlate(Link.__table__)
        .scalar_subquery()
    )
    clicks = (func.coalesce(counters.clicks, 0) + pending).label("clicks")
    base = (
        select(
            links.id,
            links.title,
            links.url,
            links.description,
            links.thumbnail,
            links.is_active,
            links.position,
            links.created_at,
            links.updated_at,
            clicks,
        )
        .select_from(
            Link.__table__.outerjoin(
                Counter.__table__,
                (counters.account_id == links.account_id) & (counters.link_id == links.id),
            )
        )
        .where(links.account_id == bindparam("account_id"))
    )
    statements: dict[bool | None, Any] = {}
    for active in (None, True, False):
        query = base if active is None else base.where(links.is_active.is_(active))
        statements[active] = (
            query.order_by(links.position, links.id)
            .limit(bindparam("limit", type_=Integer))
            .offset(bindparam("offset", type_=Integer))
        )
    return statements


_PAGE = _page_statements()


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
        params = {"account_id": self.account_id, "limit": limit, "offset": offset}
        return (await self.session.execute(_PAGE[active], params)).all()

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
