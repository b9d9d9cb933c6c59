"""The /v1/domains routes (profile permissions: a domain is where your page is shown)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from eziox.auth.guard import ProfileRead, ProfileWrite
from eziox.deps import DbSession, app_state
from eziox.domains import service
from eziox.domains.schemas import DomainCreate
from eziox.domains.views import Domain, DomainList, domain_list_view, domain_view
from eziox.kit.responses import JSONBytes
from eziox.openapi import error_responses

router = APIRouter(prefix="/v1/domains", tags=["Domains"])


def _resolver(request: Request) -> service.Resolver:
    settings = app_state(request).settings
    return service.Resolver(settings.nameservers, settings.dns_timeout)


Resolver = Annotated[service.Resolver, Depends(_resolver)]


@router.get("", response_model=DomainList, responses=error_responses(401, 403, 429))
async def list_domains(principal: ProfileRead, session: DbSession) -> Response:
    """Your custom domains, oldest first."""
    return JSONBytes(domain_list_view(await service.list_domains(session, principal.account_id)))


@router.post(
    "",
    status_code=201,
    response_model=Domain,
    responses=error_responses(401, 403, 409, 413, 415, 422, 429),
)
async def add_domain(
    request: Request, principal: ProfileWrite, session: DbSession, body: DomainCreate
) -> Response:
    """Claim a hostname for your page (Pro 1, Creator and Lifetime 5). It stays `pending`
    until the TXT record named in `verification` holds its value and you call verify."""
    public_url = app_state(request).settings.public_url
    domain = await service.add_domain(session, principal.account_id, body.hostname, public_url)
    return JSONBytes(domain_view(domain), status_code=201)


@router.post(
    "/{domain_id}/verify",
    response_model=Domain,
    responses=error_responses(401, 403, 404, 409, 429, 503),
)
async def verify_domain(
    principal: ProfileWrite, session: DbSession, resolver: Resolver, domain_id: str
) -> Response:
    """Check the TXT record; `verified` once it matches (409 says what DNS holds instead).
    From then on the hostname serves your page at `/`, its redirects and its QR code."""
    domain = await service.verify_domain(session, principal.account_id, domain_id, resolver)
    return JSONBytes(domain_view(domain))


@router.delete(
    "/{domain_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404, 429),
)
async def delete_domain(principal: ProfileWrite, session: DbSession, domain_id: str) -> Response:
    """Release a domain: it stops serving your page on the next request."""
    await service.delete_domain(session, principal.account_id, domain_id)
    return Response(status_code=204)


tls_router = APIRouter(include_in_schema=False)


@tls_router.get("/tls/allowed")
async def tls_allowed(session: DbSession, domain: str = "") -> Response:
    """For Caddy's on-demand TLS (`ask`): 200 only for a verified custom domain its account's
    tier includes (what the pages serve), so that certificates are issued for nothing else."""
    if await service.is_served(session, domain):
        return Response("allowed\n", media_type="text/plain")
    return Response("not a verified domain\n", status_code=404, media_type="text/plain")
