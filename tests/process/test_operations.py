"""Operating a real `eziox serve`: JSON request logs, Prometheus metrics across workers,
health and readiness, and a graceful shutdown that finishes the requests in flight."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import signal
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from eziox.config import Settings
from eziox.db import Database
from eziox.links.service import list_links
from eziox.ops.metrics import UNMATCHED
from tests import backends
from tests.process.conftest import SharedStore
from tests.process.servers import (
    WAIT_BOUND,
    eziox_env,
    has_read_everything_sent,
    http_client,
    make_link,
    provision,
    running,
    start_server,
    until,
)

pytestmark = pytest.mark.slow

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"
TOKEN = "metrics-" + secrets.token_hex(8)
ROUNDS = 30


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus exposition text (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[len(name) : line.rindex("}") + 1]))
        if all(found.get(k) == v for k, v in labels.items()) and len(found) == len(labels):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def json_lines(log: str) -> list[dict[str, Any]]:
    entries = []
    for line in log.splitlines():
        if line.strip():
            entries.append(json.loads(line))  # every line is JSON in this format
    return entries


async def test_json_logs_and_metrics_add_up_over_workers(
    settings: Settings, shared_store: SharedStore
) -> None:
    who = await provision(settings, f"op_{secrets.token_hex(4)}", tier="creator")
    link_id = await make_link(settings, who.account_id)
    auth = {"Authorization": f"Bearer {who.keys[0][1]}"}
    # A prefix of its own: the run's other tests' failed authentications from 127.0.0.1 must
    # not count against this test's low failure limit.
    prefix = f"{shared_store.prefix}-ops-{secrets.token_hex(4)}"
    env = eziox_env(
        settings,
        EZIOX_REDIS_URL=shared_store.redis_url,
        EZIOX_REDIS_PREFIX=prefix,
        EZIOX_LOG_FORMAT="json",
        EZIOX_LOG_LEVEL="info",
        EZIOX_METRICS_TOKEN=TOKEN,
        EZIOX_AUTH_FAILURE_LIMIT="3",
    )
    try:
        async with running((env, ("--workers", "2"))) as (server,):
            async with http_client(server.url) as client:
                for _ in range(ROUNDS):  # fresh connections: both workers serve some of them
                    async with http_client(server.url) as fresh:
                        assert (await fresh.get("/v1/links", headers=auth)).status_code == 200
                missing = await client.get("/v1/links/lnk_doesnotexist", headers=auth)
                assert missing.status_code == 404
                assert (
                    await client.get(f"/{who.username}", headers={"User-Agent": BROWSER})
                ).status_code == 200
                click = await client.get(f"/l/{link_id}", headers={"User-Agent": BROWSER})
                assert click.status_code == 302
                bad = {"Authorization": "Bearer ezx_" + "A" * 32}
                guesses = [
                    (await client.get("/v1/links", headers=bad)).status_code for _ in range(6)
                ]
                assert (await client.get("/healthz")).status_code == 200
                assert (await client.get("/readyz")).json() == {"status": "ready"}
                refused = await client.get("/metrics")
                wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
                scraped = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            log = await server.logged(missing, refused, wrong, scraped)
    finally:
        await backends.clear_redis_prefix(prefix)

    for response in (refused, wrong):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    total = "eziox_http_requests_total"
    assert metric(text, total, method="GET", route="/v1/links", status="200") == ROUNDS
    assert metric(text, total, method="GET", route="/v1/links/{link_id}", status="404") == 1
    assert metric(text, total, method="GET", route="/{username}", status="200") == 1
    assert metric(text, total, method="GET", route="/l/{link_id}", status="302") == 1
    histogram = "eziox_http_request_duration_seconds_count"
    assert metric(text, histogram, method="GET", route="/v1/links", status="200") == ROUNDS
    assert set(guesses) == {401, 429}
    locked_out = guesses.count(429)
    assert metric(text, "eziox_rate_limit_rejections_total", reason="auth_failures") == locked_out
    assert metric(text, total, method="GET", route=UNMATCHED, status="429") == locked_out
    assert metric(text, "eziox_analytics_events_total", kind="view") == 1
    assert metric(text, "eziox_analytics_events_total", kind="click") == 1
    assert "/v1/links/lnk_doesnotexist" not in text  # labels are templates, never raw paths

    entries = json_lines(log)
    request_lines = [e for e in entries if e["logger"] == "eziox.access"]
    assert len(request_lines) >= ROUNDS + 4
    [line] = [e for e in request_lines if e.get("requestId") == missing.headers["x-request-id"]]
    assert line["method"] == "GET"
    assert line["route"] == "/v1/links/{link_id}"
    assert line["path"] == "/v1/links/lnk_doesnotexist"
    assert line["status"] == 404
    assert isinstance(line["durationMs"], float | int)
    assert line["level"] == "info"
    assert line["time"].endswith("+00:00")
    assert {e["logger"] for e in entries} >= {"eziox.access", "uvicorn.error"}
    pids = {e["message"] for e in entries if "Started server process" in e["message"]}
    assert len(pids) == 2  # two workers, both logging in JSON


async def test_metrics_are_open_without_a_token_and_text_logs_by_default(
    settings: Settings,
) -> None:
    env = eziox_env(settings, EZIOX_LOG_LEVEL="info")
    async with running((env, ())) as (server,):
        async with http_client(server.url) as client:
            answer = await client.get("/nobody-here-" + secrets.token_hex(3))
            scraped = await client.get("/metrics")
        log = await server.logged(answer, scraped)
    assert answer.status_code == 404
    assert scraped.status_code == 200
    assert (
        metric(
            scraped.text,
            "eziox_http_requests_total",
            method="GET",
            route="/{username}",
            status="404",
        )
        == 1
    )
    request_id = answer.headers["x-request-id"]
    [line] = [line for line in log.splitlines() if request_id in line]
    assert "GET /nobody-here-" in line
    assert " 404 " in line
    assert not line.startswith("{")


async def _slow_body(sent: asyncio.Event, resume: asyncio.Event) -> AsyncIterator[bytes]:
    yield b'{"title": "in flight",'
    sent.set()
    await resume.wait()
    yield b' "url": "https://example.com/in-flight"}'


async def test_pipelined_requests_on_one_socket_get_whole_answers_in_order(
    settings: Settings,
) -> None:
    """The server sends each response in one write (`eziox.ops.http`): on a real socket,
    pipelined requests still get complete answers in order, and `Connection: close` gets
    its whole answer before the end of the stream."""
    who = await provision(settings, f"pl_{secrets.token_hex(4)}", tier="free")
    page = f"GET /{who.username} HTTP/1.1\r\nHost: t\r\nUser-Agent: {BROWSER}\r\n\r\n"
    requests = page + "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
    requests += page.replace("GET", "HEAD", 1)
    requests += "GET /no/such/thing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    async with running((eziox_env(settings), ())) as (server,):
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(requests.encode())
        stream = await asyncio.wait_for(reader.read(), WAIT_BOUND)  # until the server closes
        writer.close()
    answers = [_parse(raw) for raw in _responses(stream, bodies=[True, True, False, True])]
    assert [status for status, _, _ in answers] == [200, 200, 200, 404]
    (_, page_headers, body), (_, _, health), (_, head_headers, head_body), _ = answers
    assert int(page_headers["content-length"]) == len(body)
    assert who.username.encode() in body
    assert health.startswith(b"{")
    assert head_body == b""
    assert head_headers["etag"] == page_headers["etag"]


def _responses(stream: bytes, bodies: list[bool]) -> list[bytes]:
    """Split a stream of HTTP/1.1 responses by their Content-Length (an answer to HEAD has
    none); whatever follows the last one is a failure."""
    out, rest = [], stream
    for has_body in bodies:
        head, _, rest = rest.partition(b"\r\n\r\n")
        length = re.search(rb"content-length: (\d+)", head, re.I)
        size = int(length[1]) if length and has_body else 0
        out.append(head + b"\r\n\r\n" + rest[:size])
        rest = rest[size:]
    assert rest == b"", rest[:200]
    return out


def _parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines)}
    return int(status_line.split()[1]), headers, body


async def test_sigterm_finishes_the_request_in_flight(settings: Settings) -> None:
    who = await provision(settings, f"gs_{secrets.token_hex(4)}", tier="creator")
    auth = {"Authorization": f"Bearer {who.keys[0][1]}", "Content-Type": "application/json"}
    server = start_server(eziox_env(settings))
    try:
        await server.wait_ready()
        sent, resume = asyncio.Event(), asyncio.Event()
        async with http_client(server.url) as client:
            request = asyncio.create_task(
                client.post("/v1/links", headers=auth, content=_slow_body(sent, resume))
            )
            await until(sent.is_set, "the first half of the body sent")
            await until(lambda: has_read_everything_sent(server.port), "the server reading it")
            server.terminate()

            async def refuses_new_connections() -> bool:
                try:
                    async with httpx.AsyncClient(base_url=server.url, timeout=5) as late:
                        await late.get("/healthz")
                except httpx.TransportError:
                    return True
                return False

            # Shutting down: no new connections (well before the 20 s grace period ends)...
            await until(refuses_new_connections, "new connections refused", bound=15)
            assert server.process.poll() is None  # ...while the request is still open
            resume.set()
            response = await request
        code = await asyncio.to_thread(server.process.wait, WAIT_BOUND)
    finally:
        await server.stop()
        log = server.log()
        server.log_path.unlink(missing_ok=True)
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "in flight"
    # uvicorn re-raises the SIGTERM it handled once it has shut down cleanly
    assert code in (0, -signal.SIGTERM), log
    db = Database(settings)
    try:
        async with db.session() as session:
            page = await list_links(session, who.account_id, limit=10, offset=0, active=None)
    finally:
        await db.dispose()
    assert [link["title"] for link in page.links] == ["in flight"]
    assert "Traceback" not in log, log
