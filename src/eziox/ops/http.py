"""uvicorn's httptools protocol, sending each response in one write.

uvicorn writes a response's status line and headers when the app sends
``http.response.start`` and the body when it sends ``http.response.body``: two writes, so
two TCP segments, and the client is woken twice, for every response. Here the connection's
transport gathers what is written during one step of the event loop and hands it to the
socket in one write at the end of that step: the head and body of a response an app sends
in one go leave together. A write that fills the buffer past `SEND_AT_ONCE` is sent at once,
so a long body still meets the socket's flow control (uvicorn pauses the app while the
socket is full), and nothing is held back across an `await` that waits.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

SEND_AT_ONCE = 64 * 1024


class OneWriteTransport:
    """A connection's transport whose writes in one loop step are sent as one."""

    __slots__ = ("_loop", "_pending", "_size", "transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)
        self._size += len(data)
        if self._size >= SEND_AT_ONCE:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        pending = self._pending
        self._pending, self._size = [], 0
        if not self.transport.is_closing():
            self.transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def get_write_buffer_size(self) -> int:
        return self._size + self.transport.get_write_buffer_size()

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def abort(self) -> None:
        self._pending, self._size = [], 0
        self.transport.abort()

    def __getattr__(self, name: str) -> Any:  # everything else is the transport's own
        return getattr(self.transport, name)


class OneWriteHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a `OneWriteTransport` (``eziox serve`` uses it)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(OneWriteTransport(transport, self.loop))  # type: ignore[arg-type]
