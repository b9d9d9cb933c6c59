"""The one way to guard a /v1 route: a parameter typed with one of the aliases below
(``principal: LinksRead``), each ``Annotated[Principal, Depends(require(permission))]``.

The gate has already authenticated the key and counted the request; the guard checks the
permission the route declares, and declares the Bearer scheme (with the permission as its
scope) in the OpenAPI document.
"""

# No `from __future__ import annotations` here: FastAPI must evaluate the guard's
# signature, whose Security() names the closure's permission.
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from eziox.auth.gate import PRINCIPAL
from eziox.auth.principal import Principal
from eziox.auth.scopes import Permission
from eziox.errors import Forbidden, Unauthorized

bearer_scheme = HTTPBearer(
    scheme_name="ApiKey",
    bearerFormat="ezx_…",
    description="An API key from Dashboard → API Access, sent as `Authorization: Bearer ezx_…`.",
    auto_error=False,
)


def _caller(request: Request) -> Principal:
    principal: Principal | None = request.scope.get("state", {}).get(PRINCIPAL)
    if principal is None:  # only reachable if a route is mounted outside the gate
        raise Unauthorized()
    return principal


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency returning the caller, refusing keys without ``permission``."""

    async def guard(
        request: Request,
        _: Annotated[
            HTTPAuthorizationCredentials | None,
            Security(bearer_scheme, scopes=[permission.value]),
        ],
    ) -> Principal:
        principal = _caller(request)
        if permission.value not in principal.permissions:
            raise Forbidden(permission=permission.value)
        return principal

    guard.__name__ = f"require_{permission.name.lower()}"
    return guard


async def any_key(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme, scopes=[])],
) -> Principal:
    """A dependency returning the caller, whatever its permissions (`GET /v1/usage`)."""
    return _caller(request)


AnyKey = Annotated[Principal, Depends(any_key)]
# One alias per permission, the way routes ask for it: ``principal: LinksRead``.
ProfileRead = Annotated[Principal, Depends(require(Permission.PROFILE_READ))]
ProfileWrite = Annotated[Principal, Depends(require(Permission.PROFILE_WRITE))]
LinksRead = Annotated[Principal, Depends(require(Permission.LINKS_READ))]
LinksWrite = Annotated[Principal, Depends(require(Permission.LINKS_WRITE))]
LinksDelete = Annotated[Principal, Depends(require(Permission.LINKS_DELETE))]
AnalyticsRead = Annotated[Principal, Depends(require(Permission.ANALYTICS_READ))]
TemplatesRead = Annotated[Principal, Depends(require(Permission.TEMPLATES_READ))]
TemplatesApply = Annotated[Principal, Depends(require(Permission.TEMPLATES_APPLY))]
WebhooksRead = Annotated[Principal, Depends(require(Permission.WEBHOOKS_READ))]
WebhooksWrite = Annotated[Principal, Depends(require(Permission.WEBHOOKS_WRITE))]
