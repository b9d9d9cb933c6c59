"""Following: a signed-in account follows or unfollows another; counts feed `stats`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts.repository import AccountRepository, FollowRepository
from eziox.errors import NotFound, ValidationFailed
from eziox.pages.changes import page_changed


async def _account_id(session: AsyncSession, username: str) -> str:
    account_id = await AccountRepository(session).id_of(username)
    if account_id is None:
        raise NotFound(f"No account named '{username}'.")
    return account_id


async def follow(session: AsyncSession, follower_id: str, username: str) -> bool:
    """Follow ``username``; True if this created the follow, False if it already existed."""
    followed_id = await _account_id(session, username)
    if followed_id == follower_id:
        raise ValidationFailed.field("username", "you cannot follow yourself")
    page_changed(session, follower_id, followed_id)
    return await FollowRepository(session).add(follower_id, followed_id)


async def unfollow(session: AsyncSession, follower_id: str, username: str) -> bool:
    """Stop following ``username``; True if a follow was removed."""
    followed_id = await _account_id(session, username)
    page_changed(session, follower_id, followed_id)
    return await FollowRepository(session).remove(follower_id, followed_id)
