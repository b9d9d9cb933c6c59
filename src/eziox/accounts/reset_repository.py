"""Every query on the password_resets table. A reset is found by the SHA-256 of its token;
the token itself is only ever in the mail."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.models import Account, PasswordReset


def reset_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


class ResetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, token: str, account_id: str, now: datetime, expires_at: datetime) -> None:
        self.session.add(
            PasswordReset(
                digest=reset_digest(token),
                account_id=account_id,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def live_account(self, token: str, now: datetime) -> Account | None:
        """The account of an unused, unexpired reset holding ``token``."""
        wanted = reset_digest(token)
        row = (
            await self.session.execute(
                select(PasswordReset.digest, Account)
                .join(Account, Account.id == PasswordReset.account_id)
                .where(
                    PasswordReset.digest == wanted,
                    PasswordReset.used_at.is_(None),
                    PasswordReset.expires_at > now,
                )
            )
        ).first()
        # The lookup is by digest (an attacker cannot steer its bytes); checked again in
        # constant time so that no comparison of token material ever short-circuits.
        if row is None or not hmac.compare_digest(row[0], wanted):
            return None
        return row[1]

    async def use(self, token: str, account_id: str, now: datetime) -> bool:
        """Mark the live reset used, once: False when another request got there first."""
        result = await self.session.execute(
            update(PasswordReset)
            .where(
                PasswordReset.digest == reset_digest(token),
                PasswordReset.account_id == account_id,
                PasswordReset.used_at.is_(None),
                PasswordReset.expires_at > now,
            )
            .values(used_at=now)
        )
        return bool(getattr(result, "rowcount", 0) == 1)
