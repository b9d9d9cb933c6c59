"""`eziox serve`'s HTTP protocol sends a response in one write, whole and in order.

uvicorn's protocol runs on a transport that keeps what it is given (the socket's side of a
real connection is what `tests/process` exercises): each write the protocol makes is one
segment the client would receive.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from uvicorn.config import Config
from uvicorn.server import ServerState

from eziox.ops.http import SEND_AT_ONCE, OneWriteHttpProtocol
from tests.process.servers import until

PAGE = b"<!doctype html><title>x</title>" + b"x" * 7_000
CHUNK = b"y" * (SEND_AT_ONCE // 2 + 1)


class KeptTransport(asyncio.Transport):
    """The socket end of a connection: keeps each write, and whether it was closed."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        assert not self.closed, "written after close"
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def page(_: Request) -> Response:
    return Response(PAGE, media_type="text/html")


async def chunks() -> AsyncIterator[bytes]:
    for _ in range(6):  # produced without waiting: all within one step of the loop
        yield CHUNK


async def large(_: Request) -> Response:
    return StreamingResponse(chunks(), media_type="application/octet-stream")


APP = Starlette(
    routes=[
        Route("/page", page),
        Route("/large", large),
        Route("/text", lambda _: PlainTextResponse("hello")),
    ]
)


def connect() -> tuple[OneWriteHttpProtocol, KeptTransport]:
    config = Config(APP, http=OneWriteHttpProtocol, lifespan="off", log_level="warning")
    config.load()
    protocol = OneWriteHttpProtocol(config=config, server_state=ServerState(), app_state={})
    transport = KeptTransport()
    protocol.connection_made(transport)
    return protocol, transport


def received(transport: KeptTransport) -> bytes:
    return b"".join(transport.writes)


def request(path: str, *extra: str) -> bytes:
    return "\r\n".join([f"GET {path} HTTP/1.1", "Host: eziox.test", *extra, "", ""]).encode()


async def test_the_head_and_body_of_a_response_leave_in_one_write() -> None:
    protocol, transport = connect()
    protocol.data_received(request("/page"))
    await until(lambda: received(transport).endswith(PAGE), "the page sent")
    assert len(transport.writes) == 1, [len(w) for w in transport.writes]
    head, body = transport.writes[0].split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert f"content-length: {len(PAGE)}".encode() in head
    assert body == PAGE
    assert not transport.closed  # kept alive for the next request


async def test_pipelined_requests_are_answered_whole_and_in_order() -> None:
    protocol, transport = connect()
    protocol.data_received(request("/text") + request("/page") + request("/text"))
    await until(lambda: received(transport).count(b"HTTP/1.1 200 OK") == 3, "three answers")
    answers = received(transport).split(b"HTTP/1.1 200 OK")[1:]
    assert answers[0].endswith(b"\r\n\r\nhello")
    assert answers[1].endswith(b"\r\n\r\n" + PAGE)
    assert answers[2].endswith(b"\r\n\r\nhello")


async def test_a_long_body_goes_out_as_it_fills_the_buffer() -> None:
    protocol, transport = connect()
    protocol.data_received(request("/large"))
    await until(lambda: received(transport).endswith(b"0\r\n\r\n"), "the whole body sent")
    # Handed on once past the threshold (flow control sees it): nothing piles up beyond it.
    assert len(transport.writes) >= 3
    assert max(len(write) for write in transport.writes) < SEND_AT_ONCE + len(CHUNK) + 100
    body = received(transport).split(b"\r\n\r\n", 1)[1]
    assert body.count(CHUNK) == 6


@pytest.mark.parametrize("path", ["/page", "/missing"])
async def test_connection_close_sends_everything_before_closing(path: str) -> None:
    protocol, transport = connect()
    protocol.data_received(request(path, "Connection: close"))
    await until(lambda: transport.closed, "the connection closed")
    everything = received(transport)
    status = b"200 OK" if path == "/page" else b"404 Not Found"
    assert everything.startswith(b"HTTP/1.1 " + status)
    assert everything.endswith(PAGE if path == "/page" else b"Not Found")
    assert len(transport.writes) == 1


async def test_an_aborted_connection_drops_what_was_not_sent() -> None:
    protocol, transport = connect()
    one_write = protocol.transport
    one_write.write(b"partial")
    one_write.abort()
    await asyncio.sleep(0)  # the end of the loop step, when a write would have gone out
    assert transport.aborted
    assert transport.writes == []
