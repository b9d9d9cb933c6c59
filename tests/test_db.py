"""Sessions: a write session waits for its turn only once it touches the database."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy import text

from tests.factories import Caller, state_of

BOUND = 15.0  # generous: only a hang reaches it


async def test_a_write_session_that_has_not_queried_yet_holds_up_nobody(
    app: FastAPI, caller: Caller
) -> None:
    db = state_of(app).db
    async with db.session(write=True) as idle:
        link = {"title": "Meanwhile", "url": "https://example.com"}
        created = await asyncio.wait_for(caller.post("/v1/links", json=link), BOUND)
        assert created.status_code == 201
        # Once it does query, it writes like any other session.
        await idle.execute(text("SELECT 1"))
        await db.commit(idle)
    listed = await asyncio.wait_for(caller.get("/v1/links"), BOUND)
    assert "Meanwhile" in listed.text


async def test_writers_take_turns_and_each_turn_is_given_back(app: FastAPI, caller: Caller) -> None:
    db = state_of(app).db

    async def write(title: str) -> int:
        link = {"title": title, "url": "https://example.com"}
        return (await caller.post("/v1/links", json=link)).status_code

    async def hold_and_fail() -> None:
        async with db.session(write=True) as session:
            await session.execute(text("SELECT 1"))
            raise RuntimeError("a failed write gives its turn back")

    for _ in range(3):
        try:
            await hold_and_fail()
        except RuntimeError:
            pass
    statuses = await asyncio.wait_for(
        asyncio.gather(*(write(f"turn {i}") for i in range(20))), BOUND
    )
    assert statuses == [201] * 20
