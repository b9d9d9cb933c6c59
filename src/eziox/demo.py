"""The demo account `eziox serve --demo` creates once, with a fresh key on every start."""

from __future__ import annotations

import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts.repository import AccountRepository
from eziox.accounts.service import create_account
from eziox.apikeys.service import create_api_key, key_status, list_api_keys, revoke_api_key
from eziox.links.schemas import LinkCreate
from eziox.links.service import create_link

DEMO_USERNAME = "demo"
DEMO_KEY_NAME = "Demo key (eziox serve --demo)"
DEMO_LINKS = [
    ("Eziox on the web", "https://example.com", "What this is all about"),
    ("API documentation", "https://example.com/docs", None),
    ("Say hello", "mailto:hello@example.com", None),
]


async def ensure_demo(session: AsyncSession) -> tuple[str, str]:
    """Create the demo account with links if missing; return (username, a new full-access key)."""
    account = await AccountRepository(session).by_username(DEMO_USERNAME)
    if account is None:
        account = await create_account(
            session,
            username=DEMO_USERNAME,
            email="demo@example.com",
            password=secrets.token_urlsafe(24),
            name="Demo User",
        )
        account.bio = "This account was created by `eziox serve --demo`."
        for title, url, description in DEMO_LINKS:
            await create_link(
                session, account.id, LinkCreate(title=title, url=url, description=description)
            )
    for key in await list_api_keys(session, account.id):
        if key.name == DEMO_KEY_NAME and key_status(key) == "active":
            await revoke_api_key(session, account.id, key.id)
    created = await create_api_key(session, account.id, name=DEMO_KEY_NAME, permissions="all")
    return account.username, created.secret
