"""GET /v1/export and POST /v1/import: the account as one versioned JSON document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from eziox.auth.guard import (
    AnalyticsRead,
    LinksDelete,
    LinksRead,
    LinksWrite,
    ProfileRead,
    ProfileWrite,
)
from eziox.deps import DbSession
from eziox.kit.responses import JSONBytes
from eziox.openapi import error_responses
from eziox.portability import service
from eziox.portability.schemas import ImportReport, PortableDocument

router = APIRouter(prefix="/v1", tags=["Export and import"])

# Export reads every kind of data it contains; import writes profile and links, and deletes
# the links the document no longer has.


@router.get("/export", response_model=PortableDocument, responses=error_responses(401, 403, 429))
async def export_account(
    principal: ProfileRead, _links: LinksRead, _analytics: AnalyticsRead, session: DbSession
) -> Response:
    """Your profile, socials, design, groups, links and daily analytics as one document
    (needs `profile:read`, `links:read` and `analytics:read`)."""
    document = await service.export_account(session, principal.account_id)
    return JSONBytes(
        document,
        headers={"Content-Disposition": 'attachment; filename="eziox-export.json"'},
    )


@router.post(
    "/import",
    response_model=ImportReport,
    responses=error_responses(401, 403, 404, 409, 413, 415, 422, 429),
)
async def import_account(
    principal: ProfileWrite,
    _links: LinksWrite,
    _deletes: LinksDelete,
    session: DbSession,
    body: PortableDocument,
    dryRun: Annotated[bool, Query(description="Only report what would change")] = False,
) -> Response:
    """Replace your profile, socials, design, groups and links with the document's, all or
    nothing (needs `profile:write`, `links:write` and `links:delete`). Your own link and group
    ids are kept, so their analytics stay; links and groups missing from the document are
    deleted. `dryRun=true` reports the same counts and changes nothing."""
    report = await service.import_account(session, principal.account_id, body, dry_run=dryRun)
    return JSONBytes(report)
