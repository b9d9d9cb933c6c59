"""Retries and transport failures for real: a live 429, a server that never answers, one that
hangs up. The live server's rate-limit window is WINDOW seconds (see conftest)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from eziox.client import AsyncEziox, Eziox, EzioxError, _core
from tests.client.conftest import WINDOW, Account, blocking

pytestmark = pytest.mark.slow


async def exhaust(url: str, key: str) -> int:
    """Spend the account's whole window; return the Retry-After of the first 429 seen.

    Requests are pipelined on raw connections (~10x faster than an HTTP client), so the
    1,000 Free-tier requests fit in one window of a few seconds.
    """
    host, port = urlsplit(url).hostname or "", urlsplit(url).port or 80
    head = f"GET /v1/nothing-here HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"

    async def connection(count: int) -> bytes:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(
            (head + "\r\n").encode() * (count - 1) + (head + "Connection: close\r\n\r\n").encode()
        )
        await writer.drain()
        answers = await reader.read(-1)
        writer.close()
        return answers

    for _ in range(10):
        answers = b"".join(await asyncio.gather(*(connection(150) for _ in range(4))))
        marker = answers.find(b"HTTP/1.1 429")
        if marker >= 0:
            block = answers[marker : answers.index(b"\r\n\r\n", marker)].decode().lower()
            return int(block.split("retry-after: ")[1].split("\r\n")[0])
    raise AssertionError("never rate limited")


async def exhausted_with_time_left(account: Account) -> int:
    """Exhaust the window with at least 2 s of it left (else wait for the next one)."""
    for _ in range(3):
        retry_after = await exhaust(account.url, account.key)
        if retry_after >= 2:
            return retry_after
        await asyncio.sleep(retry_after + 0.2)
    raise AssertionError("could not exhaust a window with time left")


async def test_429_is_waited_out_then_succeeds(account: Account) -> None:
    await exhausted_with_time_left(account)
    with Eziox(account.key, base_url=account.url, max_retries=0) as impatient:
        with pytest.raises(EzioxError) as caught:
            await blocking(impatient.profile.get)
    refused = caught.value
    assert (refused.code, refused.status) == ("RATE_LIMIT_EXCEEDED", 429)
    assert refused.retry_after is not None
    assert 1 <= refused.retry_after <= WINDOW
    assert impatient.rate_limit is not None
    assert impatient.rate_limit.remaining == 0

    statuses: list[int] = []
    http = httpx.Client(event_hooks={"response": [lambda r: statuses.append(r.status_code)]})
    with http, Eziox(account.key, base_url=account.url, http_client=http) as patient:
        started = time.monotonic()
        profile = await blocking(patient.profile.get)
        waited = time.monotonic() - started
    assert profile.username == account.username
    assert statuses == [429, 200]
    assert waited >= 0.5  # it slept until the window reset
    assert patient.rate_limit is not None
    assert patient.rate_limit.remaining == 999


async def test_async_429_is_waited_out_then_succeeds(account: Account) -> None:
    retry_after = await exhausted_with_time_left(account)
    async with AsyncEziox(account.key, base_url=account.url, max_retries=0) as impatient:
        with pytest.raises(EzioxError) as caught:
            await impatient.links.create("Blocked", "https://example.com")
    assert caught.value.status == 429
    assert caught.value.retry_after is not None
    async with AsyncEziox(account.key, base_url=account.url, max_retry_wait=WINDOW) as patient:
        started = time.monotonic()
        link = await patient.links.create("Later", "https://example.com")  # a POST, resent
        assert time.monotonic() - started >= retry_after - 1.5
    assert link.title == "Later"


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections (the kernel does) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@contextlib.contextmanager
def hang_up_server() -> Iterator[tuple[str, list[int]]]:
    """Reads each request and closes the connection without an answer; counts connections."""
    accepted: list[int] = []
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            with connection:
                connection.settimeout(1)
                with contextlib.suppress(OSError):
                    connection.recv(65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join()
        listener.close()


async def test_timeouts() -> None:
    with silent_server() as url:
        with Eziox("ezx_" + "A" * 32, base_url=url, timeout=0.3) as eziox:
            started = time.monotonic()
            with pytest.raises(EzioxError) as caught:
                await blocking(eziox.profile.get)
            assert time.monotonic() - started < 1.5  # a timed-out request is not sent again
        assert (caught.value.code, caught.value.status) == ("TIMEOUT", 0)
        async with AsyncEziox("ezx_" + "A" * 32, base_url=url, timeout=0.3) as eziox:
            with pytest.raises(EzioxError) as caught:
                await eziox.links.create("T", "https://example.com")
        assert (caught.value.code, caught.value.status) == ("TIMEOUT", 0)


async def test_only_safe_or_idempotent_requests_are_resent_after_a_hang_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_core, "BACKOFF_BASE", 0.01)
    with hang_up_server() as (url, accepted):
        async with AsyncEziox("ezx_" + "A" * 32, base_url=url, max_retries=2) as eziox:
            with pytest.raises(EzioxError) as caught:
                await eziox.links.list()
            assert (caught.value.code, len(accepted)) == ("CONNECTION_ERROR", 3)
            accepted.clear()
            with pytest.raises(EzioxError) as caught:  # a POST: its Idempotency-Key goes again
                await eziox.links.create("Again", "https://example.com")
            assert (caught.value.code, len(accepted)) == ("CONNECTION_ERROR", 3)
            accepted.clear()
            with pytest.raises(EzioxError) as caught:
                await eziox.links.update("lnk_1", title="Once")
            assert (caught.value.code, len(accepted)) == ("CONNECTION_ERROR", 1)


async def test_nothing_listening_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"  # bound, not listening: refused
        async with AsyncEziox("ezx_" + "A" * 32, base_url=url, max_retries=0) as eziox:
            with pytest.raises(EzioxError) as caught:
                await eziox.profile.get()
    assert (caught.value.code, caught.value.status) == ("CONNECTION_ERROR", 0)
    assert url in caught.value.message
