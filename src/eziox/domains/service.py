"""What custom domains do: claim a hostname, prove it through DNS, release it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts.repository import AccountRepository
from eziox.billing.entitlements import refuse_beyond_allowance
from eziox.domains import dns, hostnames
from eziox.domains.repository import DomainRepository, domain_site, verified_holder
from eziox.errors import Conflict, NotFound
from eziox.kit.ids import new_id
from eziox.kit.time import utcnow
from eziox.models import Domain
from eziox.models.domain import VERIFIED

TOKEN_PREFIX = "eziox-verify="
TAKEN = "{} is already in use by another Eziox account."


@dataclass(frozen=True, slots=True)
class Resolver:
    """Where the DNS checks go (EZIOX_DNS_NAMESERVERS; empty: the system's resolvers)."""

    nameservers: list[tuple[str, int]]
    timeout: float


async def list_domains(session: AsyncSession, account_id: str) -> list[Domain]:
    return list(await DomainRepository(session, account_id).all())


async def get_domain(session: AsyncSession, account_id: str, domain_id: str) -> Domain:
    domain = await DomainRepository(session, account_id).get(domain_id)
    if domain is None:
        raise NotFound("Domain not found.")
    return domain


async def add_domain(
    session: AsyncSession, account_id: str, raw_hostname: str, public_url: str
) -> Domain:
    """Claim a hostname (pending until its TXT record is verified), within the tier's count."""
    hostname = hostnames.normalize(raw_hostname)
    hostnames.check_not_ours(hostname, public_url)
    await _ensure_room(session, account_id)
    repository = DomainRepository(session, account_id)
    if await repository.named(hostname) is not None:
        raise Conflict(f"{hostname} is already one of your domains.")
    if await verified_holder(session, hostname) is not None:
        raise Conflict(TAKEN.format(hostname))
    domain = Domain(id=new_id("dom"), hostname=hostname, token=TOKEN_PREFIX + secrets.token_hex(16))
    await repository.add(domain)
    return domain


async def verify_domain(
    session: AsyncSession, account_id: str, domain_id: str, resolver: Resolver
) -> Domain:
    """Look the TXT record up; verified once it holds the value (409 says what was found)."""
    domain = await get_domain(session, account_id, domain_id)
    if domain.status == VERIFIED:
        return domain
    holder = await verified_holder(session, domain.hostname)
    if holder is not None and holder != account_id:
        raise Conflict(TAKEN.format(domain.hostname))
    name = hostnames.record_name(domain.hostname)
    found = await dns.txt_values(name, resolver.nameservers, resolver.timeout)
    if domain.token not in found:
        raise Conflict(_not_found_message(name, domain.token, found))
    domain.status = VERIFIED
    domain.verified_at = utcnow()
    try:
        await session.flush()
    except IntegrityError:  # another account verified it a moment ago
        raise Conflict(TAKEN.format(domain.hostname)) from None
    return domain


async def delete_domain(session: AsyncSession, account_id: str, domain_id: str) -> None:
    """Release the hostname: its page stops being served there on the next request."""
    repository = DomainRepository(session, account_id)
    await repository.delete(await get_domain(session, account_id, domain_id))


def _not_found_message(name: str, expected: str, found: list[str]) -> str:
    if not found:
        return f"No TXT record found at {name}: add one with the value {expected}, then retry."
    shown = ", ".join(repr(value[:100]) for value in found[:5])
    return f"The TXT records at {name} are {shown}; none is {expected!r}."


async def _ensure_room(session: AsyncSession, account_id: str) -> None:
    """Refuse one domain too many for the account's tier (403 naming a tier with more)."""
    account = await AccountRepository(session).get(account_id, lock=True)
    if account is None:
        raise NotFound("Account not found.")
    used = await DomainRepository(session, account_id).count()
    refuse_beyond_allowance(
        account.tier,
        used,
        lambda rights: rights.custom_domains,
        "Custom domains",
        "custom domain(s)",
    )


async def is_served(session: AsyncSession, raw_hostname: str) -> bool:
    """Whether ``raw_hostname`` (as a TLS client names it) is a verified custom domain that
    its account's tier includes: what the pages serve, and all Caddy may get certificates
    for."""
    hostname = raw_hostname.strip().lower().removesuffix(".")
    return bool(hostname) and await domain_site(session, hostname) is not None
