"""Visitor identity without cookies or stored IPs: a keyed hash that changes every UTC day.

The key is a random salt per day, kept in the database only while that day's events can
still arrive, then deleted — after that nobody, us included, can link a hash to an IP.
"""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.kit.upsert import insert_ignore
from eziox.models import VisitorSalt

SALT_DAYS_KEPT = 2


class SaltBook:
    """Per-process cache of today's salt; the database makes all processes agree."""

    def __init__(self) -> None:
        self._salts: dict[int, bytes] = {}

    def cached(self, day: int) -> bytes | None:
        return self._salts.get(day)

    async def salt_for(self, session: AsyncSession, day: int) -> bytes:
        salt = self._salts.get(day)
        if salt is not None:
            return salt
        salt = await _load_or_create(session, day)
        self._salts = {day: salt}
        return salt


async def _load_or_create(session: AsyncSession, day: int) -> bytes:
    existing = await session.scalar(select(VisitorSalt.salt).where(VisitorSalt.day == day))
    if existing is not None:
        return existing
    await session.execute(
        insert_ignore(session, VisitorSalt.__table__, ["day"]),
        [{"day": day, "salt": secrets.token_bytes(32)}],
    )
    salt = await session.scalar(select(VisitorSalt.salt).where(VisitorSalt.day == day))
    assert salt is not None
    return salt


def visitor_hash(salt: bytes, ip: str, user_agent: str, account_id: str) -> bytes:
    message = "\x1f".join((ip, user_agent, account_id)).encode("utf-8", "replace")
    return hmac.digest(salt, message, "sha256")[:16]  # one C call: hmac.new costs 5x more


async def forget_old_salts(session: AsyncSession, today: int) -> int:
    query = delete(VisitorSalt).where(VisitorSalt.day <= today - SALT_DAYS_KEPT)
    result = await session.execute(query)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
