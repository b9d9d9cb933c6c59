"""Every query on the accounts and follows tables."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.kit.upsert import insert_ignore
from eziox.models import Account, Follow, Link
from eziox.pages.changes import page_changed


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, account_id: str, *, lock: bool = False) -> Account | None:
        query = select(Account).where(Account.id == account_id)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_username(self, username: str) -> Account | None:
        query = select(Account).where(Account.username == username)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def id_of(self, username: str) -> str | None:
        return await self.session.scalar(select(Account.id).where(Account.username == username))

    async def by_login(self, login: str) -> Account | None:
        column = Account.email if "@" in login else Account.username
        return (
            await self.session.execute(select(Account).where(column == login))
        ).scalar_one_or_none()

    async def taken(self, username: str, email: str) -> tuple[bool, bool]:
        query = select(Account.username, Account.email).where(
            (Account.username == username) | (Account.email == email)
        )
        rows = (await self.session.execute(query)).all()
        return any(r.username == username for r in rows), any(r.email == email for r in rows)

    async def add(self, account: Account) -> None:
        self.session.add(account)
        await self.session.flush()

    async def link_count(self, account_id: str) -> int:
        query = select(func.count()).select_from(Link).where(Link.account_id == account_id)
        return int((await self.session.execute(query)).scalar_one())

    async def delete(self, account_id: str) -> bool:
        page_changed(self.session, account_id)
        result = await self.session.execute(delete(Account).where(Account.id == account_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]


class FollowRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, follower_id: str, followed_id: str) -> bool:
        """True if this created the follow, False if it already existed."""
        statement = insert_ignore(self.session, Follow.__table__, ["follower_id", "followed_id"])
        result = await self.session.execute(
            statement, [{"follower_id": follower_id, "followed_id": followed_id}]
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def remove(self, follower_id: str, followed_id: str) -> bool:
        result = await self.session.execute(
            delete(Follow).where(
                Follow.follower_id == follower_id, Follow.followed_id == followed_id
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def exists(self, follower_id: str, followed_id: str) -> bool:
        query = select(Follow.follower_id).where(
            Follow.follower_id == follower_id, Follow.followed_id == followed_id
        )
        return (await self.session.scalar(query)) is not None

    async def counts(self, account_id: str) -> tuple[int, int]:
        """(followers, following) of the account."""
        followers = select(func.count()).where(Follow.followed_id == account_id).scalar_subquery()
        following = select(func.count()).where(Follow.follower_id == account_id).scalar_subquery()
        row = (await self.session.execute(select(followers, following))).one()
        return int(row[0]), int(row[1])
