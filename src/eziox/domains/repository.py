"""Every query on the domains table: one account's claims, and the host lookup of the pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.billing.entitlements import entitlements
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


async def served_hostnames(session: AsyncSession, account_id: str, tier: str) -> list[str]:
    """The account's verified domains its tier lets it use, first verified first: after a
    downgrade the earliest ones stay (none on a plan without custom domains)."""
    allowed = entitlements(tier).custom_domains
    if allowed == 0:
        return []
    query = (
        select(Domain.hostname)
        .where(Domain.account_id == account_id, Domain.status == VERIFIED)
        .order_by(Domain.verified_at, Domain.id)
        .limit(allowed)
    )
    return list((await session.scalars(query)).all())


async def primary_domain(session: AsyncSession, account: Account) -> str | None:
    """Where the account's page lives canonically: its first served domain, if any."""
    served = await served_hostnames(session, account.id, account.tier)
    return served[0] if served else None


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
    select(Domain.account_id, Account.username, Account.page_version, Account.tier)
    .join(Account, Account.id == Domain.account_id)
    .where(Domain.status == VERIFIED)
)


async def domain_site(session: AsyncSession, hostname: str) -> DomainSite | None:
    """The verified domain ``hostname`` as the pages serve it; None when nobody holds it, or
    its account's tier no longer includes it (a tier change bumps the page version, so a
    cached answer is re-read then)."""
    row = (await session.execute(_SITE.where(Domain.hostname == hostname))).first()
    if row is None:
        return None
    account_id, username, version, tier = row
    if hostname not in await served_hostnames(session, account_id, tier):
        return None
    return DomainSite(hostname, account_id, username, version)
