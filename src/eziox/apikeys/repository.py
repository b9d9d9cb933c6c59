"""Every query on the api_keys table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.models import Account, ApiKey


class ApiKeyRepository:
    """Queries scoped to one account (``account_id``), plus the global digest lookup."""

    def __init__(self, session: AsyncSession, account_id: str) -> None:
        self.session = session
        self.account_id = account_id

    async def add(self, key: ApiKey) -> None:
        key.account_id = self.account_id
        self.session.add(key)
        await self.session.flush()

    async def list(self) -> list[ApiKey]:
        query = (
            select(ApiKey)
            .where(ApiKey.account_id == self.account_id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id)
        )
        return list((await self.session.execute(query)).scalars())

    async def get(self, key_id: str) -> ApiKey | None:
        query = select(ApiKey).where(ApiKey.id == key_id, ApiKey.account_id == self.account_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def count_usable(self, now: datetime) -> int:
        query = select(func.count()).where(
            ApiKey.account_id == self.account_id,
            ApiKey.revoked_at.is_(None),
            (ApiKey.expires_at.is_(None)) | (ApiKey.expires_at > now),
        )
        return int((await self.session.execute(query)).scalar_one())


async def find_by_digest(session: AsyncSession, digest: bytes) -> tuple[ApiKey, str] | None:
    """The authenticator's one indexed lookup: the key and its account's tier."""
    query = (
        select(ApiKey, Account.tier)
        .join(Account, Account.id == ApiKey.account_id)
        .where(ApiKey.digest == digest)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row is not None else None


async def find_owner(session: AsyncSession, key_id: str) -> str | None:
    query = select(ApiKey.account_id).where(ApiKey.id == key_id)
    return (await session.execute(query)).scalar_one_or_none()


async def touch(session: AsyncSession, key_id: str, moment: datetime) -> None:
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=moment))
