"""Password reset by mail: a single-use link, valid for an hour, that sets a new password
and signs the account out everywhere."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts import passwords, rules
from eziox.accounts.repository import AccountRepository
from eziox.accounts.reset_repository import ResetRepository
from eziox.auth.web_sessions import WebSessionRepository
from eziox.errors import ValidationFailed
from eziox.kit.text import has_control
from eziox.mail import queue_mail
from eziox.models import Account

RESET_LIFETIME = timedelta(hours=1)


def new_reset_token() -> str:
    return secrets.token_urlsafe(32)


async def request_reset(session: AsyncSession, email: str, public_url: str, now: datetime) -> bool:
    """Queue a reset mail if an account has ``email``; whether one was queued (never shown)."""
    try:
        address = rules.normalize_email(email)
    except ValueError:
        return False
    account = None if has_control(address) else await AccountRepository(session).by_login(address)
    if account is None or account.email != address:
        return False
    token = new_reset_token()
    ResetRepository(session).add(token, account.id, now, now + RESET_LIFETIME)
    await queue_mail(
        session,
        account.email,
        "password_reset",
        "Reset your Eziox password",
        username=account.username,
        link=f"{public_url.rstrip('/')}/reset-password/{token}",
        minutes=int(RESET_LIFETIME.total_seconds() // 60),
    )
    return True


async def reset_account(session: AsyncSession, token: str, now: datetime) -> Account | None:
    """The account a live reset link is for; None when used, expired or unknown."""
    return await ResetRepository(session).live_account(token, now)


async def hash_new_password(password: str) -> str:
    """The new password's hash; ValidationFailed (field ``password``) when it breaks a rule."""
    try:
        return await passwords.hash_password(password)
    except ValueError as exc:
        raise ValidationFailed.field("password", str(exc)) from None


async def complete_reset(
    session: AsyncSession, token: str, password_hash: str, now: datetime
) -> Account | None:
    """Use the link: set the password, end every session of the account. None: the link
    was used (or expired) meanwhile, and nothing changed."""
    account = await ResetRepository(session).live_account(token, now)
    if account is None or not await ResetRepository(session).use(token, account.id, now):
        return None
    account.password_hash = password_hash
    await WebSessionRepository(session).remove_all_but(account.id, None)
    await session.flush()
    return account
