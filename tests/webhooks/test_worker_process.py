"""`eziox worker` killed mid-batch: nothing lost, repeats only under the same webhook-id."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time

import pytest
from sqlalchemy import select

from eziox.config import Settings
from eziox.models import WebhookDelivery
from eziox.state import AppState
from tests.factories import Caller
from tests.process.servers import EZIOX, eziox_env
from tests.webhooks.helpers import add_link, endpoint
from tests.webhooks.receiver import Receiver, Reply

pytestmark = pytest.mark.slow

EVENTS = 12


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = eziox_env(
        settings,
        EZIOX_WEBHOOK_ALLOW_HTTP="true",
        EZIOX_WEBHOOK_ALLOW_PRIVATE="true",
        EZIOX_WEBHOOK_TIMEOUT="2",
        EZIOX_WEBHOOK_LEASE="2.5",
        EZIOX_WEBHOOK_BATCH_SIZE="5",
        EZIOX_WEBHOOK_POLL_INTERVAL="0.1",
    )
    return subprocess.Popen(
        [*EZIOX, "worker"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


async def wait_for(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_a_killed_worker_loses_nothing(
    pro: Caller, hooks: AppState, hook_settings: Settings, receiver: Receiver, hook_path: str
) -> None:
    hook = await endpoint(pro, receiver, hook_path)
    # The first batch: three quick answers, two slow ones still in flight at the kill.
    receiver.plan(hook_path, *[Reply(delay=0.05)] * 3, *[Reply(delay=1.5)] * 2)
    for n in range(EVENTS):
        await add_link(pro, f"k{n}")

    async def received_three() -> bool:
        return len(receiver.at(hook_path)) >= 3

    async def all_delivered() -> bool:
        async with hooks.db.session() as session:
            statuses = await session.scalars(
                select(WebhookDelivery.status).where(WebhookDelivery.endpoint_id == hook["id"])
            )
            return set(statuses) == {"succeeded"}

    first = start_worker(hook_settings)
    try:
        await wait_for(received_three, 30, "the first worker's first answers")
        kill(first, signal.SIGKILL)
        await asyncio.to_thread(first.wait)
        second = start_worker(hook_settings)
        try:
            await wait_for(all_delivered, 40, "the second worker to deliver everything")
        finally:
            kill(second, signal.SIGTERM)
            await asyncio.to_thread(second.wait, 15)
        assert second.returncode == 0
    finally:
        kill(first, signal.SIGKILL)

    async with hooks.db.session() as session:
        expected = set(
            await session.scalars(
                select(WebhookDelivery.event_id).where(WebhookDelivery.endpoint_id == hook["id"])
            )
        )
    got = receiver.at(hook_path)
    ids = [request.headers["webhook-id"] for request in got]
    assert set(ids) == expected
    assert len(expected) == EVENTS
    assert len(ids) > EVENTS  # the killed batch really went out twice…
    for request in got:  # …and every copy is the same signed event under the same id
        assert request.verify(hook["secret"])["id"] == request.headers["webhook-id"]
