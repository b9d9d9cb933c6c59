"""Every query of the public page and the link redirect (read-only, one snapshot each)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts.repository import FollowRepository
from eziox.domains.repository import primary_domain
from eziox.groups.repository import GroupRepository
from eziox.models import Account, Link, LinkGroup


@dataclass(frozen=True, slots=True)
class PageSnapshot:
    """What one bio page shows, read in one transaction (so ``account.page_version`` is the
    version of exactly this content)."""

    account: Account
    links: Sequence[Any]  # active links in order: id, title, description, thumbnail, ...
    groups: Sequence[LinkGroup]
    followers: int
    following: int
    domain: str | None = None  # its first served custom domain: the canonical address


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """Where ``/l/{id}`` leads, with what decides whether it is live now."""

    link_id: str
    account_id: str
    version: int
    url: str
    title: str
    sensitive: bool
    is_active: bool
    starts_at: datetime | None
    ends_at: datetime | None

    @property
    def expires(self) -> float:
        return math.inf  # whether it is live is decided per request (`live`)

    def live(self, now: datetime) -> bool:
        return (
            self.is_active
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or now < self.ends_at)
        )


_LINKS = (
    select(Link.id, Link.title, Link.description, Link.thumbnail, Link.group_id)
    .add_columns(Link.sensitive, Link.starts_at, Link.ends_at)
    .where(Link.is_active.is_(True))
    .order_by(Link.position, Link.id)
)
_TARGET = select(
    Link.account_id,
    Account.page_version,
    Link.url,
    Link.title,
    Link.sensitive,
    Link.is_active,
    Link.starts_at,
    Link.ends_at,
).join(Account, Account.id == Link.account_id)


async def page_snapshot(session: AsyncSession, username: str) -> PageSnapshot | None:
    account = await session.scalar(select(Account).where(Account.username == username))
    if account is None:
        return None
    links = (await session.execute(_LINKS.where(Link.account_id == account.id))).all()
    groups = await GroupRepository(session, account.id).all() if links else ()
    followers, following = await FollowRepository(session).counts(account.id)
    domain = await primary_domain(session, account)
    return PageSnapshot(account, links, groups, followers, following, domain)


async def link_target(session: AsyncSession, link_id: str) -> LinkTarget | None:
    row = (await session.execute(_TARGET.where(Link.id == link_id))).first()
    return None if row is None else LinkTarget(link_id, *row)


async def page_version(session: AsyncSession, account_id: str) -> int | None:
    """The account's current page version (None: the account is gone)."""
    query = select(Account.page_version).where(Account.id == account_id)
    version: int | None = await session.scalar(query)
    return version
