"""Outermost middleware: X-Request-Id on every response, and the 500 envelope.

Control codes in the path (→ 404) or the decoded query string (→ 422) are refused here, once,
before any route could hand them to a database that chokes on them (PostgreSQL and NUL).

Unexpected exceptions are caught here rather than by Starlette's ServerErrorMiddleware so
that even a 500 carries the request id and the SPEC envelope, and never a traceback.
"""

from __future__ import annotations

import logging
import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eziox.errors import EzioxError, NotFound, ValidationFailed, error_response

log = logging.getLogger("eziox.request")

REQUEST_ID = "eziox.request_id"
HEAD = "eziox.head"
_VALID_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")
_CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_QUERY = re.compile(rb"%(?:[01][0-9a-fA-F]|7[fF])|[\x00-\x1f\x7f]")


def is_head(scope: Scope) -> bool:
    """Whether the request was a HEAD (served as a GET without a body, and counting nothing)."""
    return bool(scope.get("state", {}).get(HEAD))


def _without_body(send: Send) -> Send:
    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return send_headers_only


def _refusal(scope: Scope) -> EzioxError | None:
    if _CONTROL_IN_PATH.search(scope["path"]):
        return NotFound("No such resource.")
    if _CONTROL_IN_QUERY.search(scope["query_string"]):
        return ValidationFailed("Query parameters must not contain control characters.")
    return None


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"x-request-id":
            return value.decode("ascii") if _VALID_ID.match(value) else None
    return None


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or f"req_{secrets.token_hex(12)}"
        scope.setdefault("state", {})[REQUEST_ID] = request_id
        header = (b"x-request-id", request_id.encode("ascii"))
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        reply: Send = send_with_id
        if scope["method"] == "HEAD":  # every GET answers HEAD too: same headers, no body
            scope["state"][HEAD] = True
            scope = {**scope, "method": "GET"}
            reply = _without_body(send_with_id)
        refusal = _refusal(scope)
        if refusal is not None:
            await error_response(refusal)(scope, receive, reply)
            return
        try:
            await self.app(scope, receive, reply)
        except Exception:
            log.exception(
                "unhandled error in %s %s [%s]", scope["method"], scope["path"], request_id
            )
            if started:
                raise
            await error_response(EzioxError())(scope, receive, reply)
