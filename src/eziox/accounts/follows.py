"""Following: a signed-in account follows or unfollows another; counts feed `stats`."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.errors import NotFound, ValidationFailed
from eziox.kit.upsert import insert_ignore
from eziox.models import Account, Follow
from eziox.pages.changes import page_changed


async def follow(session: AsyncSession, follower_id: str, username: str) -> bool:
    """Follow ``username``; True if this created the follow, False if it already existed."""
    followed_id = await session.scalar(select(Account.id).where(Account.username == username))
    if followed_id is None:
        raise NotFound(f"No account named '{username}'.")
    if followed_id == follower_id:
        raise ValidationFailed.field("username", "you cannot follow yourself")
    page_changed(session, follower_id, followed_id)
    statement = insert_ignore(session, Follow.__table__, ["follower_id", "followed_id"])
    result = await session.execute(
        statement, [{"follower_id": follower_id, "followed_id": followed_id}]
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def unfollow(session: AsyncSession, follower_id: str, username: str) -> bool:
    """Stop following ``username``; True if a follow was removed."""
    followed_id = await session.scalar(select(Account.id).where(Account.username == username))
    if followed_id is None:
        raise NotFound(f"No account named '{username}'.")
    page_changed(session, follower_id, followed_id)
    result = await session.execute(
        delete(Follow).where(Follow.follower_id == follower_id, Follow.followed_id == followed_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def follow_counts(session: AsyncSession, account_id: str) -> tuple[int, int]:
    """(followers, following) of the account."""
    followers = select(func.count()).where(Follow.followed_id == account_id).scalar_subquery()
    following = select(func.count()).where(Follow.follower_id == account_id).scalar_subquery()
    row = (await session.execute(select(followers, following))).one()
    return int(row[0]), int(row[1])


async def is_following(session: AsyncSession, follower_id: str, account_id: str) -> bool:
    query = select(Follow.follower_id).where(
        Follow.follower_id == follower_id, Follow.followed_id == account_id
    )
    return (await session.scalar(query)) is not None
