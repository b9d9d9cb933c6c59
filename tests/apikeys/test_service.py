"""Creating, listing and revoking keys; what is stored; tier limits on active keys."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from eziox.apikeys import keyformat
from eziox.apikeys.service import (
    create_api_key,
    describe,
    list_api_keys,
    revoke_api_key,
)
from eziox.errors import Forbidden, NotFound, ValidationFailed
from eziox.models import ApiKey
from tests.factories import make_account, state_of


async def test_only_a_digest_is_stored(app: FastAPI) -> None:
    account = await make_account(app)
    async with state_of(app).db.transaction() as session:
        created = await create_api_key(session, account.id, name="ci", permissions="links:read")
    async with state_of(app).db.session() as session:
        stored = (
            await session.execute(select(ApiKey).where(ApiKey.id == created.key.id))
        ).scalar_one()
    assert stored.digest == keyformat.digest(created.secret)
    row_text = " ".join(str(getattr(stored, c.key)) for c in ApiKey.__table__.columns)
    assert created.secret not in row_text
    assert created.secret[8:-4] not in row_text
    assert describe(stored)["key"] == f"{created.secret[:8]}…{created.secret[-4:]}"
    assert describe(stored)["permissions"] == ["links:read"]


@pytest.mark.parametrize(
    ("permissions", "expires", "field"),
    [
        ("links:read,links:admin", None, "permissions"),
        ("", None, "permissions"),
        ("all,links:read", None, "permissions"),
        ("links:read", 0, "expiresInDays"),
        ("links:read", 4000, "expiresInDays"),
    ],
)
async def test_bad_key_requests_are_refused(
    app: FastAPI, permissions: str, expires: int | None, field: str
) -> None:
    account = await make_account(app)
    with pytest.raises(ValidationFailed) as caught:
        async with state_of(app).db.transaction() as session:
            await create_api_key(
                session, account.id, name="k", permissions=permissions, expires_in_days=expires
            )
    assert caught.value.details[0]["field"] == field
    async with state_of(app).db.session() as session:
        assert await list_api_keys(session, account.id) == []


async def test_unknown_permission_is_named(app: FastAPI) -> None:
    account = await make_account(app)
    with pytest.raises(ValidationFailed, match="links:admin"):
        async with state_of(app).db.transaction() as session:
            await create_api_key(session, account.id, name="k", permissions=["links:admin"])


async def test_free_tier_allows_two_active_keys(app: FastAPI) -> None:
    account = await make_account(app)
    async with state_of(app).db.transaction() as session:
        first = await create_api_key(session, account.id, name="1", permissions="all")
        await create_api_key(session, account.id, name="2", permissions="all")
    with pytest.raises(Forbidden, match="Pro"):
        async with state_of(app).db.transaction() as session:
            await create_api_key(session, account.id, name="3", permissions="all")
    async with state_of(app).db.transaction() as session:
        await revoke_api_key(session, account.id, first.key.id)
        await create_api_key(session, account.id, name="3", permissions="all")
        statuses = sorted(describe(k)["status"] for k in await list_api_keys(session, account.id))
    assert statuses == ["active", "active", "revoked"]


async def test_revoking_another_accounts_key_is_not_found(app: FastAPI) -> None:
    owner, other = await make_account(app), await make_account(app)
    async with state_of(app).db.transaction() as session:
        created = await create_api_key(session, owner.id, name="k", permissions="all")
    with pytest.raises(NotFound):
        async with state_of(app).db.transaction() as session:
            await revoke_api_key(session, other.id, created.key.id)
    async with state_of(app).db.session() as session:
        (key,) = await list_api_keys(session, owner.id)
    assert key.revoked_at is None
