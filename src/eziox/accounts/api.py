"""The /v1/profile routes."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from eziox.accounts import service
from eziox.accounts.schemas import ProfileUpdate
from eziox.accounts.views import Profile, show_profile
from eziox.auth.guard import ProfileRead, ProfileWrite
from eziox.deps import DbSession
from eziox.kit.responses import JSONBytes
from eziox.openapi import error_responses

router = APIRouter(prefix="/v1/profile", tags=["Profile"])


@router.get("", response_model=Profile, responses=error_responses(401, 403, 429))
async def get_profile(principal: ProfileRead, session: DbSession) -> Response:
    """Your profile information."""
    account = await service.get_account(session, principal.account_id)
    return JSONBytes(await show_profile(session, account))


@router.patch("", response_model=Profile, responses=error_responses(401, 403, 413, 415, 422, 429))
async def update_profile(
    principal: ProfileWrite, session: DbSession, body: ProfileUpdate
) -> Response:
    """Change your name, bio, avatar, banner, theme or design (paid tiers); returns the profile."""
    account = await service.update_profile(session, principal.account_id, body)
    return JSONBytes(await show_profile(session, account))
