"""The ASGI layer in front of the /v1 routes that makes POSTs with an Idempotency-Key safe
to retry.

It sits inside the API gate (the caller is authenticated and counted before any key is
looked at) and inside the body reader (the body is whole and bounded). Every other method
costs one comparison.

Nothing is lost: the route's request session (``eziox.deps.request_session``) sees the
claim and does not commit when the handler returns; the answer is written into that same
transaction as it leaves, and only then committed. So a stored answer always means the
work committed, and work that committed always has its answer stored.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eziox.auth.gate import PRINCIPAL
from eziox.db import Database
from eziox.errors import EzioxError, ServiceUnavailable, error_response, is_service_unavailable
from eziox.idempotency import repository
from eziox.idempotency.keys import IdempotentRequest, describe, parse_key
from eziox.idempotency.repository import StoredAnswer

log = logging.getLogger("eziox.idempotency")

CLAIM = "eziox.idempotency_claim"
_HEADER = b"idempotency-key"
REPLAYED_HEADER = (b"idempotent-replayed", b"true")


def storable(status: int) -> bool:
    """Answers that are the outcome of running the request, and so are replayed.

    Not 5xx (the work may not have happened), not 429 and not 401/403/408 (refusals about
    the caller or the moment, not the request: a retry after fixing them must run).
    """
    return 200 <= status < 500 and status not in {401, 403, 408, 429}


class Claim:
    """A key this request holds while it runs, and the route's session it commits with."""

    def __init__(self, db: Database, request: IdempotentRequest) -> None:
        self.db = db
        self.request = request
        self.settled = False
        self._stack: AsyncExitStack | None = None
        self._deferred: AsyncSession | None = None

    async def open_session(self) -> AsyncSession:
        """The request's write session, kept open past the handler for the answer."""
        self._stack = AsyncExitStack()
        session: AsyncSession = await self._stack.enter_async_context(self.db.session(write=True))
        return session

    def defer(self, session: AsyncSession) -> None:
        """The handler returned: its work commits together with the answer."""
        self._deferred = session

    async def close_session(self) -> None:
        self._deferred = None
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    async def settle(self, answer: StoredAnswer) -> None:
        """Store the answer (or give the key up) with the work, or alone if none is pending."""
        session = self._deferred
        if session is None:
            await self.close_session()
            async with self.db.transaction() as alone:
                await self._record(alone, answer)
        else:
            try:
                await self._record(session, answer)
                await self.db.commit(session)
            finally:
                await self.close_session()
        self.settled = True

    async def give_up(self) -> None:
        """Nothing (or nothing storable) was answered: the key is free for a retry."""
        await self.close_session()
        if self.settled:
            return
        self.settled = True
        try:
            async with self.db.transaction() as session:
                await repository.release(session, self.request)
        except Exception:  # the marker lapses by itself after LOCKED_FOR
            log.warning("could not release idempotency key", exc_info=True)

    async def _record(self, session: AsyncSession, answer: StoredAnswer) -> None:
        if storable(answer.status):
            await repository.finish(session, self.request, answer)
        else:
            await repository.release(session, self.request)


def held_claim(scope: Scope) -> Claim | None:
    """The claim of the request being served, if it sent an Idempotency-Key."""
    claim: Claim | None = scope.get("state", {}).get(CLAIM)
    return claim


class IdempotencyLayer:
    def __init__(self, app: ASGIApp, *, db: Database, prefix: str = "/v1") -> None:
        self.app = app
        self.db = db
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope["headers"] if name == _HEADER]
        principal = scope.get("state", {}).get(PRINCIPAL)
        if not values or principal is None or not scope["path"].startswith(self.prefix + "/"):
            await self.app(scope, receive, send)
            return
        try:
            key = parse_key(values)
            body = await _read_body(receive)
            request = describe(
                principal.account_id, key, "POST", scope["path"], scope["query_string"], body
            )
            stored = await self._claim(request)
        except EzioxError as error:
            await error_response(error)(scope, receive, send)
            return
        if stored is not None:
            await _replay(stored, send)
            return
        await self._run(Claim(self.db, request), scope, _replayed_body(body, receive), send)

    async def _claim(self, request: IdempotentRequest) -> StoredAnswer | None:
        for attempt in range(2):
            try:
                async with self.db.transaction() as session:
                    return await repository.claim(session, request)
            except IntegrityError:
                if attempt:  # the concurrent first request's row is committed by now
                    raise
        return None  # pragma: no cover (the loop returns or raises)

    async def _run(self, claim: Claim, scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"][CLAIM] = claim
        held = _HeldAnswer(claim, send)
        try:
            await self.app(scope, receive, held.send)
        finally:
            await claim.give_up()


class _HeldAnswer:
    """Holds the route's answer back until it is stored (and the work committed) with it."""

    def __init__(self, claim: Claim, send: Send) -> None:
        self.claim = claim
        self._send = send
        self._start: Message | None = None
        self._chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start, self._chunks = message, []
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        self._chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        start, body = self._start, b"".join(self._chunks)
        self._start = None
        try:
            await self.claim.settle(StoredAnswer(start["status"], _content_type(start), body))
        except Exception as exc:
            if not is_service_unavailable(exc):
                raise
            log.warning("idempotent answer not committed: %s", exc.__class__.__name__)
            await self.claim.give_up()
            unavailable = error_response(ServiceUnavailable())
            start = {
                "type": "http.response.start",
                "status": unavailable.status_code,
                "headers": unavailable.raw_headers,
            }
            body = bytes(unavailable.body)
        await self._send(start)
        await self._send({"type": "http.response.body", "body": body})


def _content_type(start: Message) -> str | None:
    for name, value in start.get("headers", []):
        if name == b"content-type":
            return bytes(value).decode("latin-1")
    return None


async def _replay(stored: StoredAnswer, send: Send) -> None:
    headers = [REPLAYED_HEADER]
    if stored.content_type:
        headers.append((b"content-type", stored.content_type.encode("latin-1")))
    if stored.status not in (204, 304):
        headers.append((b"content-length", str(len(stored.body)).encode()))
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ServiceUnavailable("The request ended before its body arrived.")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replayed_body(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return dict(await receive())
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
