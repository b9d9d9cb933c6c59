"""The /v1/groups routes (links permissions: groups are how links are arranged)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from eziox.auth.guard import LinksDelete, LinksRead, LinksWrite
from eziox.deps import DbSession
from eziox.groups import service
from eziox.groups.schemas import GroupCreate, GroupOrder, GroupUpdate
from eziox.groups.views import Group, GroupList, group_list_view, group_view
from eziox.kit.responses import JSONBytes
from eziox.openapi import error_responses

router = APIRouter(prefix="/v1/groups", tags=["Groups"])


@router.get("", response_model=GroupList, responses=error_responses(401, 403, 429))
async def list_groups(principal: LinksRead, session: DbSession) -> Response:
    """Your link groups (headings on your page) in order."""
    groups = await service.list_groups(session, principal.account_id)
    return JSONBytes(group_list_view(groups))


@router.post(
    "",
    status_code=201,
    response_model=Group,
    responses=error_responses(401, 403, 413, 415, 422, 429),
)
async def create_group(principal: LinksWrite, session: DbSession, body: GroupCreate) -> Response:
    """Create a group at the end of your groups; put links in it with their `groupId`."""
    group = await service.create_group(session, principal.account_id, body)
    return JSONBytes(group_view(group), status_code=201)


@router.put(
    "/order",
    response_model=GroupList,
    responses=error_responses(401, 403, 413, 415, 422, 429),
)
async def reorder_groups(principal: LinksWrite, session: DbSession, body: GroupOrder) -> Response:
    """Set the whole order at once: `ids` names every one of your groups exactly once (422
    naming what is missing, unknown or repeated otherwise); answers the groups in the new order.
    """
    groups = await service.reorder_groups(session, principal.account_id, body.ids)
    return JSONBytes(group_list_view(groups))


@router.patch(
    "/{group_id}",
    response_model=Group,
    responses=error_responses(401, 403, 404, 413, 415, 422, 429),
)
async def update_group(
    principal: LinksWrite, session: DbSession, group_id: str, body: GroupUpdate
) -> Response:
    """Rename a group or move it (`order`); the others are renumbered."""
    group = await service.update_group(session, principal.account_id, group_id, body)
    return JSONBytes(group_view(group))


@router.delete(
    "/{group_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404, 429),
)
async def delete_group(principal: LinksDelete, session: DbSession, group_id: str) -> Response:
    """Delete a group; its links stay on your page, ungrouped."""
    await service.delete_group(session, principal.account_id, group_id)
    return Response(status_code=204)
