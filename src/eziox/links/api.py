"""The /v1/links routes (thin: validate, call the service, serialize once)."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query
from starlette.responses import Response

from eziox.auth.guard import LinksDelete, LinksRead, LinksWrite
from eziox.deps import DbSession
from eziox.kit.responses import JSONBytes
from eziox.links import service
from eziox.links.schemas import LinkCreate, LinkOrder, LinkStatus, LinkUpdate
from eziox.links.views import Link, LinkList, link_list_view, link_view, show_link
from eziox.openapi import error_responses

router = APIRouter(prefix="/v1/links", tags=["Links"])


@router.get("", response_model=LinkList, responses=error_responses(401, 403, 422, 429))
async def list_links(
    principal: LinksRead,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100, description="Max results")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="Pagination offset")] = 0,
    active: Annotated[bool | None, Query(description="Filter by active status")] = None,
    status: Annotated[
        LinkStatus | None,
        Query(description="Filter by computed status (schedule and isActive, now)"),
    ] = None,
) -> Response:
    """Your links in order; `total` counts every match, not just this page."""
    page = await service.list_links(
        session, principal.account_id, limit=limit, offset=offset, active=active, status=status
    )
    return JSONBytes(orjson.dumps(link_list_view(page.links, page.total)))


@router.post(
    "",
    status_code=201,
    response_model=Link,
    responses=error_responses(401, 403, 404, 409, 413, 415, 422, 429),
)
async def create_link(principal: LinksWrite, session: DbSession, body: LinkCreate) -> Response:
    """Create a link at the end of your order.

    `groupId` must name one of your groups and `endsAt` must be after `startsAt` (409
    otherwise).
    """
    link = await service.create_link(session, principal.account_id, body)
    return JSONBytes(link_view(link, clicks=0), status_code=201)


@router.put(
    "/order",
    response_model=LinkList,
    responses=error_responses(401, 403, 413, 415, 422, 429),
)
async def reorder_links(principal: LinksWrite, session: DbSession, body: LinkOrder) -> Response:
    """Set the whole order at once: `ids` names every one of your links exactly once (422
    naming what is missing, unknown or repeated otherwise); answers the list in the new order.
    """
    page = await service.reorder_links(session, principal.account_id, body.ids)
    return JSONBytes(orjson.dumps(link_list_view(page.links, page.total)))


@router.get("/{link_id}", response_model=Link, responses=error_responses(401, 403, 404, 429))
async def get_link(principal: LinksRead, session: DbSession, link_id: str) -> Response:
    """One of your links."""
    link = await service.get_link(session, principal.account_id, link_id)
    return JSONBytes(await show_link(session, link))


@router.patch(
    "/{link_id}",
    response_model=Link,
    responses=error_responses(401, 403, 404, 409, 413, 415, 422, 429),
)
async def update_link(
    principal: LinksWrite, session: DbSession, link_id: str, body: LinkUpdate
) -> Response:
    """Change a link; a new `order` moves it and renumbers the others (orders stay 0..n-1)."""
    link = await service.update_link(session, principal.account_id, link_id, body)
    return JSONBytes(await show_link(session, link))


@router.delete(
    "/{link_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404, 429),
)
async def delete_link(principal: LinksDelete, session: DbSession, link_id: str) -> Response:
    """Delete a link; the remaining links are renumbered."""
    await service.delete_link(session, principal.account_id, link_id)
    return Response(status_code=204)
