"""Every query on the links table, scoped to one account by construction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.links.schemas import LinkStatus
from eziox.models import CLICK, Account, Counter, EventInbox, Link
from eziox.models.base import UTCDateTime
from eziox.pages.changes import page_changed

_NOW = bindparam("now", type_=UTCDateTime())


def status_condition(status: LinkStatus, now: Any = _NOW) -> ColumnElement[bool]:
    """The SQL form of `status_of`: which links have ``status`` at ``now``."""
    scheduled = and_(Link.starts_at.is_not(None), Link.starts_at > now)
    expired = and_(Link.ends_at.is_not(None), Link.ends_at <= now)
    if status is LinkStatus.INACTIVE:
        return Link.is_active.is_(False)
    if status is LinkStatus.SCHEDULED:
        return and_(Link.is_active.is_(True), scheduled)
    if status is LinkStatus.EXPIRED:
        return and_(Link.is_active.is_(True), not_(scheduled), expired)
    return and_(Link.is_active.is_(True), not_(or_(scheduled, expired)))


def live_condition(now: datetime) -> ColumnElement[bool]:
    """Links a visitor sees at ``now``: active and inside their schedule."""
    return and_(
        Link.is_active.is_(True),
        or_(Link.starts_at.is_(None), Link.starts_at <= now),
        or_(Link.ends_at.is_(None), Link.ends_at > now),
    )


Filter = tuple[bool | None, LinkStatus | None]


def _page_statements() -> dict[Filter, Any]:
    """The page query, built once per `active` and `status` filter with bound parameters (hot
    path: Core columns skip ORM result handling, and no statement is rebuilt per request)."""
    base, links = _page_base(), Link.__table__.c
    statements: dict[Filter, Any] = {}
    for active in (None, True, False):
        for status in (None, *LinkStatus):
            query = base if active is None else base.where(links.is_active.is_(active))
            if status is not None:
                query = query.where(status_condition(status))
            statements[active, status] = (
                query.order_by(links.position, links.id)
                .limit(bindparam("limit", type_=Integer))
                .offset(bindparam("offset", type_=Integer))
            )
    return statements


def _page_base() -> Any:
    """An account's links with their click counts, unfiltered and unordered."""
    links, counters = Link.__table__.c, Counter.__table__.c
    columns = (
        links.id, links.title, links.url, links.description, links.thumbnail, links.is_active,
        links.position, links.group_id, links.starts_at, links.ends_at, links.sensitive,
        links.created_at, links.updated_at,
    )  # fmt: skip
    with_counts = Link.__table__.outerjoin(
        Counter.__table__,
        (counters.account_id == links.account_id) & (counters.link_id == links.id),
    )
    return (
        select(*columns, _clicks())
        .select_from(with_counts)
        .where(links.account_id == bindparam("account_id"))
    )


def _clicks() -> Any:
    """Rolled-up clicks plus the human clicks still in the inbox: exact at once."""
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
    return (func.coalesce(counters.clicks, 0) + pending).label("clicks")


_PAGE = _page_statements()


class LinkRepository:
    def __init__(self, session: AsyncSession, account_id: str) -> None:
        self.session = session
        self.account_id = account_id

    async def lock_account(self) -> None:
        """Serialize order changes per account (row lock on PostgreSQL; SQLite locks on BEGIN)."""
        query = select(Account.id).where(Account.id == self.account_id).with_for_update()
        await self.session.execute(query)

    async def page(
        self,
        *,
        limit: int,
        offset: int,
        active: bool | None,
        status: LinkStatus | None = None,
        now: datetime | None = None,
    ) -> Sequence[Any]:
        """Rows of the page with each link's all-time clicks (rollup + not-yet-rolled-up)."""
        params: dict[str, Any] = {"account_id": self.account_id, "limit": limit, "offset": offset}
        if status is not None:
            params["now"] = now
        return (await self.session.execute(_PAGE[active, status], params)).all()

    async def count(
        self,
        *,
        active: bool | None = None,
        status: LinkStatus | None = None,
        now: datetime | None = None,
    ) -> int:
        query = select(func.count()).select_from(Link).where(Link.account_id == self.account_id)
        if active is not None:
            query = query.where(Link.is_active == active)
        if status is not None:
            query = query.where(status_condition(status, now))
        return int((await self.session.execute(query)).scalar_one())

    async def all(self) -> Sequence[Link]:
        """Every link of the account in order (export and import)."""
        query = (
            select(Link).where(Link.account_id == self.account_id).order_by(Link.position, Link.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def titles(self, link_ids: Sequence[str]) -> dict[str, str]:
        """The titles of those of ``link_ids`` that are the account's links."""
        if not link_ids:
            return {}
        query = select(Link.id, Link.title).where(
            Link.account_id == self.account_id, Link.id.in_(link_ids)
        )
        return {row.id: row.title for row in await self.session.execute(query)}

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
        page_changed(self.session, self.account_id)
        await self.session.execute(
            update(Link)
            .where(Link.account_id == self.account_id, Link.position.between(start, end))
            .values(position=Link.position + by)
            .execution_options(synchronize_session=False)
        )
