"""Every answered click survives a SIGKILL of the server (issue: nothing lost)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
from pathlib import Path

import httpx
import pytest

from eziox.config import Settings
from tests.process.conftest import SharedStore
from tests.process.servers import (
    eziox_env,
    http_client,
    make_link,
    provision,
    running,
    start_server,
    until,
)

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


@pytest.mark.slow
async def test_answered_clicks_survive_kill_9(settings: Settings) -> None:
    who = await provision(settings, f"dur{secrets.token_hex(4)}", tier="creator")
    link_id = await make_link(settings, who.account_id)
    env = eziox_env(settings)
    server = start_server(env)
    answered = 0
    try:
        await server.wait_ready()
        stop = asyncio.Event()

        async def clicker(client: httpx.AsyncClient) -> None:
            nonlocal answered
            while not stop.is_set():
                try:
                    response = await client.get(f"/l/{link_id}", headers={"User-Agent": BROWSER})
                except httpx.TransportError:
                    return  # the server is gone
                assert response.status_code == 302
                answered += 1

        async with http_client(server.url) as client:
            workers = [asyncio.create_task(clicker(client)) for _ in range(8)]
            await until(lambda: answered >= 300, "300 answered clicks")
            os.killpg(server.process.pid, signal.SIGKILL)  # mid-load, no goodbye
            stop.set()
            await asyncio.gather(*workers)
        server.process.wait()
    finally:
        await server.stop()
        server.log_path.unlink(missing_ok=True)

    restarted = start_server(env)
    try:
        await restarted.wait_ready()
        key = who.keys[0][1]
        async with http_client(restarted.url) as client:
            link = (
                await client.get(f"/v1/links/{link_id}", headers={"Authorization": f"Bearer {key}"})
            ).json()
            summary = (
                await client.get(
                    "/v1/analytics?period=7d", headers={"Authorization": f"Bearer {key}"}
                )
            ).json()
    finally:
        await restarted.stop()
        restarted.log_path.unlink(missing_ok=True)
    # Requests in flight at the kill may or may not have been recorded; answered ones must be.
    assert link["clicks"] >= answered, (link["clicks"], answered)
    assert link["clicks"] <= answered + 8
    assert summary["summary"]["clicks"] == link["clicks"]


def _workers(parent: int) -> list[int]:
    """uvicorn's worker processes under ``parent`` (not multiprocessing's helpers)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    found = []
    for pid in map(int, children):
        with contextlib.suppress(FileNotFoundError):
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"spawn_main" in command:
                found.append(pid)
    return found


@pytest.mark.slow
async def test_answered_clicks_survive_kill_9_of_one_worker(
    settings: Settings, shared_store: SharedStore
) -> None:
    who = await provision(settings, f"dw{secrets.token_hex(4)}", tier="creator")
    link_id = await make_link(settings, who.account_id)
    env = eziox_env(
        settings,
        EZIOX_REDIS_URL=shared_store.redis_url,
        EZIOX_REDIS_PREFIX=shared_store.prefix,
        EZIOX_ROLLUP_INTERVAL="0.2",
    )
    answered = lost = 0
    async with running((env, ("--workers", "2"))) as (server,):
        [victim, survivor] = _workers(server.process.pid)
        stop = asyncio.Event()

        async def clicker() -> None:
            nonlocal answered, lost
            async with http_client(server.url) as client:
                while not stop.is_set():
                    try:
                        response = await client.get(
                            f"/l/{link_id}", headers={"User-Agent": BROWSER}
                        )
                    except httpx.TransportError:
                        lost += 1  # in flight at the victim when it died: not answered
                        continue  # the next click opens a new connection
                    assert response.status_code == 302
                    answered += 1

        workers = [asyncio.create_task(clicker()) for _ in range(8)]
        await until(lambda: answered >= 100, "100 answered clicks")
        os.kill(victim, signal.SIGKILL)  # one worker dies mid-load; the other keeps serving
        at_kill = answered
        await until(lambda: answered >= at_kill + 100, "100 more clicks answered by the other")
        stop.set()
        await asyncio.gather(*workers)
        assert os.path.exists(f"/proc/{survivor}")
        # uvicorn's supervisor replaces the dead worker by itself.
        await until(
            lambda: bool(set(_workers(server.process.pid)) - {victim, survivor}),
            "a replacement worker",
        )
        key = who.keys[0][1]
        async with http_client(server.url) as client:
            link = (
                await client.get(f"/v1/links/{link_id}", headers={"Authorization": f"Bearer {key}"})
            ).json()
    assert answered <= link["clicks"] <= answered + lost, (link["clicks"], answered, lost)
