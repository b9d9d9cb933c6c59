"""Outermost middleware: X-Request-Id on every response, and the 500 envelope.

Unexpected exceptions are caught here rather than by Starlette's ServerErrorMiddleware so
that even a 500 carries the request id and the SPEC envelope, and never a traceback.
"""

from __future__ import annotations

import logging
import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eziox.errors import EzioxError, error_response

log = logging.getLogger("eziox.request")

REQUEST_ID = "eziox.request_id"
_VALID_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")


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

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "unhandled error in %s %s [%s]", scope["method"], scope["path"], request_id
            )
            if started:
                raise
            await error_response(EzioxError())(scope, receive, send_with_id)
