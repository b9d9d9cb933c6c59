"""Request bodies are read here, whole, before any route runs: bounded in size and in time.

Routes and their dependencies open database sessions; on SQLite a write session holds the
one write lock. Reading the body first means no request ever holds the lock (or a database
transaction) while it waits on a slow client, whatever the route does with the body later.
A body that grows past its limit stops being read at once (413) instead of being buffered
whole, and a client that takes longer than ``EZIOX_BODY_TIMEOUT`` to send it gets 408.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eziox.errors import EzioxError, PayloadTooLarge, RequestTimeout, error_response

_WITHOUT_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


class _ClientGone(Exception):
    """The client disconnected before its body arrived: there is nobody to answer."""


class BodyReader:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        timeout: float,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.timeout = timeout
        self.limits = dict(limits or {})  # exact path -> a smaller limit than max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _WITHOUT_BODY:
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.max_body)
        try:
            body = await self._read(scope, receive, limit)
        except _ClientGone:
            return
        except EzioxError as error:
            # The rest of the body is never read: the connection cannot be reused.
            await error_response(error, {"Connection": "close"})(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, scope: Scope, receive: Receive, limit: int) -> bytes:
        length = _content_length(scope)
        if length is not None and length > limit:
            raise PayloadTooLarge(f"The request body must be at most {limit} bytes.")
        try:
            async with asyncio.timeout(self.timeout):
                return await _gather(receive, limit)
        except TimeoutError:
            raise RequestTimeout(
                f"The request body did not arrive within {self.timeout:g} seconds."
            ) from None


async def _gather(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The request body must be at most {limit} bytes.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body in one message, then the real channel (a later disconnect still shows)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            return int(value) if value.isdigit() else None
    return None
