"""Conditional /v1 requests: `ETag` on GET answers, `If-None-Match` (304), `If-Match` (412).

It runs inside the API gate (every conditional request is authenticated and counted; the gate
gives a 304's hit back, see `ApiGate`) and outside the read cache, which stores each answer
with its tag so that a replay is never hashed again.

- A `200` to a GET gets a strong tag of its exact body bytes (`etag_of`), unless it already
  carries one (a read-cache replay).
- `If-None-Match` with a matching tag (weak comparison, `*`, or a list) answers `304` with
  the tag and no body; anything else, garbage included, answers as if it were absent.
- `If-Match` on PATCH and DELETE is compared (strongly) with the tag the GET of the same path
  answers now, fetched through the same routes. A mismatch is noted in the request's state;
  the route runs (its own 403, 422, 404 or 409 come first, as RFC 9110 orders them) and the
  request's one commit point (`eziox.deps.request_session`) answers `412` instead of
  committing, so the transaction rolls back and nothing changes. `*` always
  proceeds, and so does a tag when the GET answers 404 (the request answers 404 itself).
  Where a resource has no GET (groups), only `*` can match.

The GET and the change are two transactions: a change committed between them by another
request is not seen (If-Match protects against stale reads, not against a race in the same
millisecond).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STALE = "eziox.precondition_failed"  # scope state: If-Match did not hold (see eziox.deps)
_CHECKED = frozenset({"PATCH", "DELETE"})
_BODY_HEADERS = frozenset({b"content-type", b"content-length"})
_REQUEST_BODY_HEADERS = frozenset({*_BODY_HEADERS, b"transfer-encoding", b"if-match"})


def etag_of(body: bytes) -> bytes:
    """A strong entity tag of these exact bytes: the first 128 bits of their SHA-256."""
    return b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'


def _tags(value: bytes) -> list[bytes]:
    return [tag.strip() for tag in value.split(b",") if tag.strip()]


def none_match(header: bytes, etag: bytes) -> bool:
    """If-None-Match holds a tag equal to ``etag`` under weak comparison (or is ``*``)."""
    opaque = etag.removeprefix(b"W/")
    return any(tag == b"*" or tag.removeprefix(b"W/") == opaque for tag in _tags(header))


def strong_match(header: bytes, etag: bytes) -> bool:
    """If-Match holds ``etag`` under strong comparison (weak tags never match)."""
    return not etag.startswith(b"W/") and etag in _tags(header)


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return bytes(value)
    return None


class Conditional:
    def __init__(self, app: ASGIApp, prefix: str = "/v1") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix + "/"):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "GET":
            tagging = _Tagging(send, _header(scope["headers"], b"if-none-match"))
            await self.app(scope, receive, tagging.send)
            return
        if_match = _header(scope["headers"], b"if-match") if method in _CHECKED else None
        if if_match is not None and not await self._holds(if_match, scope):
            scope.setdefault("state", {})[STALE] = True
        await self.app(scope, receive, send)

    async def _holds(self, if_match: bytes, scope: Scope) -> bool:
        if b"*" in _tags(if_match):
            return True
        status, etag = await self._current(scope)
        if status == 404:
            return True  # nothing to compare with: the request itself answers 404
        return etag is not None and strong_match(if_match, etag)

    async def _current(self, scope: Scope) -> tuple[int, bytes | None]:
        """What the GET of the same path answers now: its status and tag."""
        headers = [(k, v) for k, v in scope["headers"] if k not in _REQUEST_BODY_HEADERS]
        read = {
            **scope,
            "method": "GET",
            "query_string": b"",
            "headers": headers,
            "state": dict(scope.get("state", {})),
        }
        kept = _Kept()

        async def nothing() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        await self.app(read, nothing, kept.send)
        if kept.status != 200:
            return kept.status, None
        return 200, _header(kept.headers, b"etag") or etag_of(kept.body)


class _Tagging:
    """Adds the tag to a 200 and turns it into a 304 when If-None-Match matches."""

    def __init__(self, send: Send, if_none_match: bytes | None) -> None:
        self._send = send
        self._if_none_match = if_none_match
        self._start: Message | None = None
        self._body: list[bytes] = []
        self._done = False

    async def send(self, message: Message) -> None:
        if self._done:
            return
        if message["type"] == "http.response.start":
            if message["status"] != 200:
                await self._pass(message)
                return
            etag = _header(message.get("headers", []), b"etag")
            if etag is not None:  # tagged already (a replay): no need to see the body
                if self._if_none_match is not None and none_match(self._if_none_match, etag):
                    await self._not_modified(message, etag)
                    return
                self._start = None
                await self._pass(message)
                return
            self._start = message
            return
        if message["type"] != "http.response.body":
            await self._send(message)
            return
        if self._start is None:  # passing through
            await self._send(message)
            return
        self._body.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(self._body)
        etag = etag_of(body)
        start, self._start = self._start, None
        if self._if_none_match is not None and none_match(self._if_none_match, etag):
            await self._not_modified(start, etag)
            return
        start["headers"] = [*start.get("headers", []), (b"etag", etag)]
        await self._send(start)
        await self._send({"type": "http.response.body", "body": body})

    async def _pass(self, message: Message) -> None:
        self._start = None
        await self._send(message)

    async def _not_modified(self, start: Message, etag: bytes) -> None:
        headers = [
            (key, value)
            for key, value in start.get("headers", [])
            if key.lower() not in _BODY_HEADERS and key.lower() != b"etag"
        ]
        self._done = True
        await self._send(
            {"type": "http.response.start", "status": 304, "headers": [*headers, (b"etag", etag)]}
        )
        await self._send({"type": "http.response.body", "body": b""})


class _Kept:
    """Keeps a whole response instead of sending it."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
