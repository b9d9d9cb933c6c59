"""The Domains tab: custom domains, the DNS record each needs, verify and remove, with the
same services as /v1/domains."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.billing.entitlements import entitlements
from eziox.deps import app_state
from eziox.domains import service
from eziox.domains.views import domain_view
from eziox.web.dashboard.forms import form_action
from eziox.web.dashboard.page import tab_view
from eziox.web.sessions import SignedIn

router = APIRouter(prefix="/profile/domains", include_in_schema=False)
TAB = "domains"

NOTICES = {
    "domain-added": "Domain added. Set its DNS record, then verify it.",
    "domain-verified": "Domain verified: your page is served there now.",
    "domain-deleted": "Domain removed. Your page is no longer served there.",
}


@tab_view(TAB, NOTICES)
async def domains_tab(request: Request, user: SignedIn) -> dict[str, Any]:
    account = user.account
    async with app_state(request).db.session() as session:
        domains = await service.list_domains(session, account.id)
    return {
        "domains": [domain_view(domain) for domain in domains],
        "domain_limit": entitlements(account.tier).custom_domains,
    }


@form_action(router, "", tab=TAB)
async def add_domain(
    session: AsyncSession, user: SignedIn, form: dict[str, str], request: Request
) -> str:
    public_url = app_state(request).settings.public_url
    await service.add_domain(session, user.account.id, form.get("hostname", ""), public_url)
    return "domain-added"


@form_action(router, "/{domain_id}/verify", tab=TAB)
async def verify_domain(
    session: AsyncSession, user: SignedIn, form: dict[str, str], domain_id: str, request: Request
) -> str:
    settings = app_state(request).settings
    resolver = service.Resolver(settings.nameservers, settings.dns_timeout)
    await service.verify_domain(session, user.account.id, domain_id, resolver)
    return "domain-verified"


@form_action(router, "/{domain_id}/delete", tab=TAB)
async def delete_domain(
    session: AsyncSession, user: SignedIn, form: dict[str, str], domain_id: str
) -> str:
    await service.delete_domain(session, user.account.id, domain_id)
    return "domain-deleted"
