"""A profile as the API shows it — the one place its wire shape is built.

`GET/PATCH /v1/profile`, `POST /v1/templates/{id}/apply` and the `profile.updated` and
`template.applied` webhook events all call `show_profile`; `Profile` only declares that shape
for the OpenAPI document, and tests/accounts/test_views.py keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts import socials
from eziox.accounts.repository import AccountRepository, FollowRepository
from eziox.accounts.socials import Social
from eziox.analytics.repository import AnalyticsRepository
from eziox.kit.time import rfc3339
from eziox.models import ACCOUNT_ROW, Account
from eziox.templates.schemas import DesignOverrides


def profile_view(account: Account, stats: dict[str, int], links: int) -> dict[str, Any]:
    """The profile as the API shows it, given its counts (see `show_profile`)."""
    return {
        "id": account.id,
        "username": account.username,
        "name": account.name,
        "bio": account.bio,
        "avatar": account.avatar,
        "banner": account.banner,
        "theme": account.theme,
        "design": account.design,
        "socials": socials.shown(account.socials),
        "stats": stats,
        "links": links,
        "createdAt": rfc3339(account.created_at),
    }


async def stats_of(session: AsyncSession, account_id: str) -> dict[str, int]:
    """All-time page views (bots excluded, nothing lost in flight) and follow counts."""
    totals = await AnalyticsRepository(session, account_id).totals()
    followers, following = await FollowRepository(session).counts(account_id)
    return {"views": totals[ACCOUNT_ROW][0], "followers": followers, "following": following}


async def show_profile(session: AsyncSession, account: Account) -> dict[str, Any]:
    """The profile as the API shows it, with its link count and stats."""
    links = await AccountRepository(session).link_count(account.id)
    return profile_view(account, await stats_of(session, account.id), links)


class ProfileStats(BaseModel):
    views: int
    followers: int
    following: int


class Profile(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "usr_123",
                "username": "johndoe",
                "name": "John Doe",
                "bio": "Developer & Creator",
                "avatar": "https://example.com/avatar.png",
                "banner": "https://example.com/banner.png",
                "theme": "eziox-default",
                "design": None,
                "socials": [
                    {"platform": "github", "value": "johndoe", "url": "https://github.com/johndoe"}
                ],
                "stats": {"views": 1234, "followers": 56, "following": 12},
                "links": 3,
                "createdAt": "2026-01-01T12:00:00Z",
            }
        }
    )

    id: str
    username: str
    name: str
    bio: str
    avatar: str | None
    banner: str | None
    theme: str
    design: DesignOverrides | None
    socials: list[Social]
    stats: ProfileStats
    links: int
    createdAt: str
