"""Sign-up rules enforced by the accounts service."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from eziox.accounts import rules
from eziox.accounts.service import create_account, set_tier
from eziox.errors import Conflict, NotFound, ValidationFailed
from tests.factories import make_account, state_of


@pytest.mark.parametrize(
    "username",
    [
        "ab",
        "a" * 31,
        "has space",
        "UPPER!",
        "dots.not.ok",
        "api",
        "v1",
        "admin",
        "profile",
        "l",
        "static",
        "sign-in",
        # Lookalikes: "_" reads as "-" when names are checked against the reserved list.
        "sign_in",
        "api_docs",
        "sign_out",
        "favicon_ico",
    ],
)
async def test_bad_usernames_are_refused(app: FastAPI, username: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        async with state_of(app).db.transaction() as session:
            await create_account(
                session, username=username, email="x@example.com", password="long enough pw"
            )
    assert caught.value.details[0]["field"] == "username"


async def test_username_is_case_insensitive_and_unique(app: FastAPI) -> None:
    account = await make_account(app, username="casey_j-1")
    assert account.username == "casey_j-1"
    with pytest.raises(Conflict, match="already taken"):
        async with state_of(app).db.transaction() as session:
            await create_account(
                session, username="Casey_J-1", email="other@example.com", password="long enough pw"
            )


async def test_email_unique_and_valid(app: FastAPI) -> None:
    account = await make_account(app)
    with pytest.raises(Conflict, match="email"):
        async with state_of(app).db.transaction() as session:
            await create_account(
                session,
                username="fresh_name_1",
                email=account.email.upper(),
                password="long enough pw",
            )
    with pytest.raises(ValidationFailed, match="email"):
        async with state_of(app).db.transaction() as session:
            await create_account(
                session, username="fresh_name_2", email="not-an-email", password="long enough pw"
            )


async def test_password_is_hashed_with_argon2id(app: FastAPI) -> None:
    account = await make_account(app)
    assert account.password_hash.startswith("$argon2id$")
    assert "correct horse battery" not in account.password_hash
    assert rules.verify_password(account.password_hash, "correct horse battery")
    assert not rules.verify_password(account.password_hash, "wrong")


async def test_short_password_and_unknown_tier_are_refused(app: FastAPI) -> None:
    with pytest.raises(ValidationFailed, match="password"):
        async with state_of(app).db.transaction() as session:
            await create_account(
                session, username="shorty", email="s@example.com", password="1234567"
            )
    with pytest.raises(ValidationFailed, match="tier"):
        async with state_of(app).db.transaction() as session:
            await create_account(
                session,
                username="tiery",
                email="t@example.com",
                password="long enough pw",
                tier="platinum",
            )


async def test_set_tier(app: FastAPI) -> None:
    account = await make_account(app)
    async with state_of(app).db.transaction() as session:
        assert (await set_tier(session, account.username, "Creator")).tier == "creator"
    with pytest.raises(NotFound):
        async with state_of(app).db.transaction() as session:
            await set_tier(session, "nobody-here", "pro")
