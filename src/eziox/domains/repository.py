"""Every query on the domains table: one account's claims, and the host lookup of the pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.models import Account, Domain
from eziox.models.domain import VERIFIED
from eziox.pages.cache import NEVER
from eziox.pages.changes import page_changed


class DomainRepository:
    """One account's domains (its page shows them: every change bumps its page version)."""

    def __init__(self, session: AsyncSession, account_id: str) -> None:
        self.session = session
        self.account_id = account_id

    async def all(self) -> Sequence[Domain]:
        query = (
            select(Domain)
            .where(Domain.account_id == self.account_id)
            .order_by(Domain.created_at, Domain.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def count(self) -> int:
        query = select(func.count()).select_from(Domain).where(Domain.account_id == self.account_id)
        return int((await self.session.execute(query)).scalar_one())

    async def get(self, domain_id: str) -> Domain | None:
        query = select(Domain).where(Domain.id == domain_id, Domain.account_id == self.account_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def named(self, hostname: str) -> Domain | None:
        query = select(Domain).where(
            Domain.hostname == hostname, Domain.account_id == self.account_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def add(self, domain: Domain) -> None:
        domain.account_id = self.account_id
        self.session.add(domain)
        await self.session.flush()

    async def delete(self, domain: Domain) -> None:
        page_changed(self.session, self.account_id)
        await self.session.delete(domain)
        await self.session.flush()


async def primary_domain(session: AsyncSession, account_id: str) -> str | None:
    """The account's first verified domain: where its page lives canonically."""
    query = (
        select(Domain.hostname)
        .where(Domain.account_id == account_id, Domain.status == VERIFIED)
        .order_by(Domain.verified_at, Domain.id)
        .limit(1)
    )
    hostname: str | None = await session.scalar(query)
    return hostname


async def verified_holder(session: AsyncSession, hostname: str) -> str | None:
    """The account that holds ``hostname`` verified, if any."""
    query = select(Domain.account_id).where(Domain.hostname == hostname, Domain.status == VERIFIED)
    holder: str | None = await session.scalar(query)
    return holder


@dataclass(frozen=True, slots=True)
class DomainSite:
    """A verified custom domain as the public pages serve it."""

    hostname: str
    account_id: str
    username: str
    version: int  # the account's page version it was read with

    @property
    def expires(self) -> float:
        return NEVER


_SITE = (
    select(Domain.account_id, Account.username, Account.page_version)
    .join(Account, Account.id == Domain.account_id)
    .where(Domain.status == VERIFIED)
)


async def domain_site(session: AsyncSession, hostname: str) -> DomainSite | None:
    row = (await session.execute(_SITE.where(Domain.hostname == hostname))).first()
    return None if row is None else DomainSite(hostname, *row)
