"""Create, list and revoke API keys. The full key is returned once, at creation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts.service import get_account
from eziox.apikeys import keyformat
from eziox.apikeys.repository import ApiKeyRepository, find_owner
from eziox.auth.scopes import Permission, parse_permissions
from eziox.billing.entitlements import TIER_NAMES, Tier, cheapest_tier_with, entitlements
from eziox.db import mark_keys_changed
from eziox.errors import Forbidden, NotFound, ValidationFailed
from eziox.kit.ids import new_key_id
from eziox.kit.text import PATTERN_MESSAGES, PLAIN_PATTERN, has_control
from eziox.kit.time import rfc3339, utcnow
from eziox.models import ApiKey

MAX_EXPIRY_DAYS = 3650


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: ApiKey
    secret: str


def permissions_of(key: ApiKey) -> list[str]:
    return key.permissions.split()


def key_status(key: ApiKey) -> str:
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= utcnow():
        return "expired"
    return "active"


def describe(key: ApiKey) -> dict[str, Any]:
    """A key as shown in lists: never the secret."""
    return {
        "id": key.id,
        "name": key.name,
        "key": keyformat.masked(key.prefix, key.last4),
        "permissions": permissions_of(key),
        "status": key_status(key),
        "createdAt": rfc3339(key.created_at),
        "lastUsedAt": rfc3339(key.last_used_at),
        "expiresAt": rfc3339(key.expires_at),
        "revokedAt": rfc3339(key.revoked_at),
    }


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed.field("name", "must be 1-100 characters")
    if has_control(name):
        raise ValidationFailed.field("name", PATTERN_MESSAGES[PLAIN_PATTERN])
    return name


def _check_permissions(permissions: list[str] | str) -> frozenset[Permission]:
    try:
        return parse_permissions(permissions)
    except ValueError as exc:
        raise ValidationFailed.field("permissions", str(exc)) from None


async def create_api_key(
    session: AsyncSession,
    account_id: str,
    *,
    name: str,
    permissions: list[str] | str,
    expires_in_days: int | None = None,
) -> CreatedKey:
    """Create a key for the account (never callable with an API key: see SPEC §3)."""
    name = _check_name(name)
    granted = _check_permissions(permissions)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ValidationFailed.field("expiresInDays", f"must be 1-{MAX_EXPIRY_DAYS}")
    account = await get_account(session, account_id)
    repository = ApiKeyRepository(session, account.id)
    now = utcnow()
    allowed = entitlements(account.tier).active_api_keys
    if await repository.count_usable(now) >= allowed:
        raise Forbidden(_key_limit_message(account.tier, allowed))
    new = keyformat.generate()
    key = ApiKey(
        id=new_key_id(),
        name=name,
        digest=new.digest,
        prefix=new.display_prefix,
        last4=new.last4,
        permissions=" ".join(sorted(p.value for p in granted)),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    await repository.add(key)
    return CreatedKey(key, new.secret)


def _key_limit_message(tier: str, allowed: int) -> str:
    more = cheapest_tier_with(lambda e: e.active_api_keys > allowed)
    upgrade = f" Upgrade to {TIER_NAMES[more]} for more." if more else ""
    plural = "key" if allowed == 1 else "keys"
    return (
        f"The {TIER_NAMES[Tier(tier)]} tier allows {allowed} active API {plural}; "
        f"revoke one first.{upgrade}"
    )


async def list_api_keys(session: AsyncSession, account_id: str) -> list[ApiKey]:
    return await ApiKeyRepository(session, account_id).list()


async def revoke_api_key(session: AsyncSession, account_id: str, api_key_id: str) -> ApiKey:
    """Revoke one of the account's keys; it stops working on the very next request."""
    key = await ApiKeyRepository(session, account_id).get(api_key_id)
    if key is None:
        raise NotFound("API key not found.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await session.flush()
        mark_keys_changed(session)
    return key


async def revoke_by_id(session: AsyncSession, api_key_id: str) -> ApiKey:
    """Revoke a key by id alone (the operator's CLI)."""
    owner = await find_owner(session, api_key_id)
    if owner is None:
        raise NotFound(f"No API key with id '{api_key_id}'.")
    return await revoke_api_key(session, owner, api_key_id)
