"""Real `eziox` processes for the tests in tests/process: the CLI and `eziox serve`.

Every process gets its configuration from the run's `settings` (the same database, data
directory, Redis and key prefix as the in-process tests) and nothing else from the caller's
environment, so a stray EZIOX_* variable cannot point a test at another database.

Everything here waits *asynchronously*: the suite's session event loop also runs the
in-process app, whose background tasks (roll-ups, last-used stamps) may be half-way through
a SQLite write transaction. Blocking that loop while another process writes would leave the
lock held and the other process failing with "database is locked".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from eziox.accounts.service import create_account
from eziox.apikeys.service import create_api_key
from eziox.config import Settings
from eziox.db import Database
from eziox.links.schemas import LinkCreate
from eziox.links.service import create_link
from eziox.ratelimit import window_bounds

EZIOX = [sys.executable, "-m", "eziox"]
START_TIMEOUT = 45.0
STOP_TIMEOUT = 15.0
# Bounds of the waits below: generous, because a busy machine is slow, not broken; only a
# hang (or a real failure) reaches them. Tests wait for conditions, never a fixed time.
WAIT_BOUND = 60.0
REQUEST_TIMEOUT = 30.0


async def until(
    check: Callable[[], bool | Awaitable[bool]], what: str, bound: float = WAIT_BOUND
) -> float:
    """Poll ``check`` until it holds; returns the seconds it took (fails past ``bound``)."""
    began = time.monotonic()
    while True:
        outcome = check()
        if outcome if isinstance(outcome, bool) else await outcome:
            return time.monotonic() - began
        assert time.monotonic() - began < bound, f"{what} within {bound} s"
        await asyncio.sleep(0.05)


def http_client(url: str, *, connections: int = 16) -> httpx.AsyncClient:
    """A client for a test server that only ever retries what cannot have reached it.

    uvicorn closes a keep-alive connection after 5 s idle; a client reusing it at that moment
    gets a ReadError for a request the server may or may not have seen, which is not safe to
    retry (a GET /v1 call counts against a budget). So idle connections are dropped here after
    1 s, long before the server would close them, and only failed connection attempts (the
    request was never sent) are retried.
    """
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=1.0
    )
    transport = httpx.AsyncHTTPTransport(limits=limits, retries=3)
    return httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, transport=transport)


def has_read_everything_sent(port: int) -> bool:
    """Whether the server on ``port`` has read every byte its open connections were sent
    (their receive queues in /proc/net/tcp are empty): a request is in the server's hands."""
    queues = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state, queue = fields[1], fields[3], fields[4]
                if int(local.rsplit(":", 1)[1], 16) == port and state == "01":  # ESTABLISHED
                    queues.append(int(queue.split(":")[1], 16))
    return bool(queues) and not any(queues)


def eziox_env(settings: Settings, **overrides: str | None) -> dict[str, str]:
    """The environment of an `eziox` process sharing the run's database and shared store.

    An override of None removes the variable (e.g. ``EZIOX_REDIS_URL=None``).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("EZIOX_")}
    env.update(
        EZIOX_DATA_DIR=str(settings.data_dir),
        EZIOX_DATABASE_URL=settings.db_url,
        EZIOX_REDIS_PREFIX=settings.redis_prefix,
        EZIOX_SECRET_KEY=settings.secret,
        EZIOX_AUTH_FAILURE_LIMIT=str(settings.auth_failure_limit),
        EZIOX_SIGN_UP_LIMIT=str(settings.sign_up_limit),
        EZIOX_RATE_LIMIT_WINDOW=str(settings.rate_limit_window),
        EZIOX_LOG_LEVEL="warning",
        # Servers share the run's mail outbox: only a test that reads the mail sends it.
        EZIOX_MAIL_WORKER="false",
        PYTHONUNBUFFERED="1",
    )
    if settings.redis_url:
        env["EZIOX_REDIS_URL"] = settings.redis_url
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _kill_group(process: subprocess.Popen[Any]) -> None:
    # The group id is the pid of the process we started (start_new_session=True).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@dataclass(frozen=True)
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return (
            f"eziox {' '.join(self.args)} → exit {self.returncode}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


class Pending:
    """An `eziox` command started in the background; `await pending.result()` collects it."""

    def __init__(self, env: Mapping[str, str], args: tuple[str, ...], timeout: float) -> None:
        self.args = list(args)
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.process = subprocess.Popen(
            [*EZIOX, *args],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    async def result(self) -> Result:
        """Wait for the command; a hang kills its whole process group and fails the test."""
        left = max(0.1, self.deadline - time.monotonic())
        try:
            stdout, stderr = await asyncio.to_thread(self.process.communicate, timeout=left)
        except subprocess.TimeoutExpired:
            _kill_group(self.process)
            stdout, stderr = await asyncio.to_thread(self.process.communicate)
            raise AssertionError(
                f"eziox {' '.join(self.args)} did not finish within {self.timeout} s\n"
                f"{stdout}\n{stderr}"
            ) from None
        finally:
            if self.process.poll() is None:  # cancelled: never leave it running
                _kill_group(self.process)
                self.process.wait()
        return Result(self.args, self.process.returncode, stdout, stderr)


def start_eziox(env: Mapping[str, str], *args: str, timeout: float = 60.0) -> Pending:
    return Pending(env, args, timeout)


async def run_eziox(env: Mapping[str, str], *args: str, timeout: float = 60.0) -> Result:
    """Run one `eziox` command to completion."""
    return await start_eziox(env, *args, timeout=timeout).result()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One `eziox serve` process (with its uvicorn workers) on a loopback port."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    args: list[str] = field(default_factory=list)
    terminated: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    async def logged(self, *responses: httpx.Response) -> str:
        """The log, once it has the access line of each response (written after sending)."""
        ids = [response.headers["x-request-id"] for response in responses]
        await until(lambda: all(i in self.log() for i in ids), "the requests in the log")
        return self.log()

    async def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url, timeout=5.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise AssertionError(
                        f"eziox {' '.join(self.args)} exited with {self.process.returncode} "
                        f"before it was ready:\n{self.log()}"
                    )
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"eziox {' '.join(self.args)} not ready within {timeout} s:\n{self.log()}"
                    )
                await asyncio.sleep(0.1)

    def terminate(self) -> None:
        """SIGTERM the server and its workers (once): a graceful shutdown starts."""
        if not self.terminated and self.process.poll() is None:
            self.terminated = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    async def stop(self) -> None:
        """Terminate the server; SIGKILL whatever is left after a grace period."""
        self.terminate()
        if self.process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(self.process.wait, STOP_TIMEOUT)
        _kill_group(self.process)  # also any worker that outlived its parent
        self.process.wait()


def start_server(env: Mapping[str, str], *args: str) -> Server:
    """Start `eziox serve` on a free port without waiting for it (see Server.wait_ready)."""
    port = free_port()
    serve_args = ["serve", "--host", "127.0.0.1", "--port", str(port), *args]
    handle, name = tempfile.mkstemp(prefix=f"eziox-serve-{port}-", suffix=".log")
    try:
        process = subprocess.Popen(
            [*EZIOX, *serve_args],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        os.close(handle)
    return Server(process, port, Path(name), serve_args)


@contextlib.asynccontextmanager
async def running(*specs: tuple[Mapping[str, str], tuple[str, ...]]) -> AsyncIterator[list[Server]]:
    """Start several servers at once, wait until each answers /healthz, always stop them all."""
    servers: list[Server] = []
    try:
        for env, args in specs:
            servers.append(start_server(env, *args))
        for server in servers:
            await server.wait_ready()
        yield servers
    except BaseException:
        for server in servers:  # what the servers said, in the failed test's captured output
            print(f"--- log of eziox {' '.join(server.args)} ---\n{server.log()[-20_000:]}")
        raise
    finally:
        for server in servers:
            server.terminate()  # all shut down side by side
        for server in servers:
            await server.stop()
            server.log_path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Provisioned:
    username: str
    account_id: str
    keys: list[tuple[str, str]]  # (key id, secret)


async def provision(
    settings: Settings,
    username: str,
    *,
    tier: str = "free",
    keys: int = 1,
    permissions: str = "all",
) -> Provisioned:
    """An account and its keys, written straight to the run's database (no process start-up)."""
    db = Database(settings)
    try:
        async with db.transaction() as session:
            account = await create_account(
                session,
                username=username,
                email=f"{username}@example.com",
                password="correct horse battery",
                tier=tier,
            )
            created = [
                await create_api_key(session, account.id, name=f"key {n}", permissions=permissions)
                for n in range(keys)
            ]
    finally:
        await db.dispose()
    return Provisioned(username, account.id, [(c.key.id, c.secret) for c in created])


async def make_link(settings: Settings, account_id: str, url: str = "https://example.com/x") -> str:
    """A link of the account, written straight to the run's database; returns its id."""
    db = Database(settings)
    try:
        async with db.transaction() as session:
            link = await create_link(session, account_id, LinkCreate(title="target", url=url))
            return link.id
    finally:
        await db.dispose()


async def avoid_window_edge(window: int, margin: float = 30.0) -> None:
    """Counting across a window boundary would split the budget: wait for the next window.

    Windows are fixed and aligned to the epoch (eziox.ratelimit.window_bounds), so at most
    ``margin`` seconds are spent here, and only when a test starts that close to the edge.
    """
    _, reset = window_bounds(window)
    left = reset - time.time()
    if left < margin:
        await asyncio.sleep(left + 0.5)


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip

        async def accepts() -> bool:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                return False
            writer.close()
            return True

        await until(accepts, "redis-server accepting connections")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
