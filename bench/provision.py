"""Accounts and keys for `run.py`, made in one process (the CLI would start one per key).

Usage: python provision.py COUNT  (settings from the EZIOX_* environment, like the server)
Prints one JSON object: {"username": the first account's name, "keys": [one key per account]}.
Each account is on the Creator tier: 10,000 requests an hour, the server's real default.
"""

from __future__ import annotations

import asyncio
import json
import sys

from eziox.accounts.service import create_account
from eziox.apikeys.service import create_api_key
from eziox.app import prepare_database
from eziox.config import load_settings
from eziox.state import AppState


async def provision(count: int) -> dict[str, object]:
    state = AppState.build(load_settings())
    keys: list[str] = []
    try:
        await prepare_database(state)
        for number in range(count):
            async with state.db.transaction() as session:
                account = await create_account(
                    session,
                    username=f"bench{number}" if number else "bench",
                    email=f"bench{number}@example.com",
                    password="bench-password-1",
                    tier="creator",
                )
                created = await create_api_key(
                    session, account.id, name="bench", permissions="all"
                )
            keys.append(created.secret)
    finally:
        await state.close()
    return {"username": "bench", "keys": keys}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(provision(int(sys.argv[1])))))
