"""Every query on the web_sessions table: the dashboard's signed-in browsers.

A session is found by the SHA-256 of its cookie token; the token itself is never stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.models import Account, WebSession


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


class WebSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, token: str, account_id: str, expires_at: datetime) -> None:
        self.session.add(
            WebSession(
                digest=digest(token),
                account_id=account_id,
                csrf_token=secrets.token_urlsafe(32),
                expires_at=expires_at,
            )
        )

    async def remove(self, token: str) -> None:
        await self.session.execute(delete(WebSession).where(WebSession.digest == digest(token)))

    async def remove_all_but(self, account_id: str, keep: str | None) -> None:
        """Every session of the account except the one holding ``keep`` (a token), if any."""
        query = delete(WebSession).where(WebSession.account_id == account_id)
        if keep:
            query = query.where(WebSession.digest != digest(keep))
        await self.session.execute(query)

    async def signed_in(self, token: str, now: datetime) -> tuple[Account, str] | None:
        """The account a live session's token signs in, and that session's CSRF token."""
        row = (
            await self.session.execute(
                select(Account, WebSession.csrf_token)
                .join(WebSession, WebSession.account_id == Account.id)
                .where(WebSession.digest == digest(token), WebSession.expires_at > now)
            )
        ).first()
        return None if row is None else (row[0], row[1])
