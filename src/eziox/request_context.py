"""Outermost middleware: X-Request-Id on every response, the 500/503 envelope, the request
line in the log and the request metrics.

Control codes in the path (→ 404) or the decoded query string (→ 422) are refused here, once,
before any route could hand them to a database that chokes on them (PostgreSQL and NUL).

Unexpected exceptions are caught here rather than by Starlette's ServerErrorMiddleware so
that even a 500 carries the request id and the SPEC envelope, and never a traceback. A lost
database or Redis connection (wherever it surfaces: the API gate, a route, the commit) is
a 503 SERVICE_UNAVAILABLE with Retry-After instead: the next request gets a fresh connection.

Metrics and the access line are labelled with the route template (``/v1/links/{link_id}``)
that matched, never the raw path.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eziox.errors import (
    EzioxError,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
    error_response,
    is_service_unavailable,
)
from eziox.ops import logs, metrics

_HIDE_PATH = "eziox.hide_path"
log = logging.getLogger("eziox.request")

REQUEST_ID = "eziox.request_id"
HEAD = "eziox.head"
_STARTED = "eziox.response_started"
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
        began = time.perf_counter()
        request_id = _incoming_id(scope) or f"req_{secrets.token_hex(12)}"
        scope.setdefault("state", {})[REQUEST_ID] = request_id
        token = logs.request_id.set(request_id)
        header = (b"x-request-id", request_id.encode("ascii"))
        status = 500
        method = scope["method"]
        state = scope["state"]

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                state[_STARTED] = True
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        reply: Send = send_with_id
        if method == "HEAD":  # every GET answers HEAD too: same headers, no body
            scope["state"][HEAD] = True
            scope = {**scope, "method": "GET"}
            reply = _without_body(send_with_id)
        try:
            await self._serve(scope, receive, reply)
        finally:
            _record(scope, method, status, request_id, time.perf_counter() - began)
            logs.request_id.reset(token)

    async def _serve(self, scope: Scope, receive: Receive, reply: Send) -> None:
        refusal = _refusal(scope)
        if refusal is not None:
            await error_response(refusal)(scope, receive, reply)
            return
        try:
            await self.app(scope, receive, reply)
        except Exception as exc:
            await self._fail(exc, scope, receive, reply)

    async def _fail(self, exc: Exception, scope: Scope, receive: Receive, reply: Send) -> None:
        request_id = scope["state"][REQUEST_ID]
        error: EzioxError
        if is_service_unavailable(exc):
            log.warning(
                "backing service unavailable (%s) in %s %s [%s]",
                exc.__class__.__name__, scope["method"], shown_path(scope), request_id,
            )  # fmt: skip
            error = ServiceUnavailable()
        else:
            log.exception(
                "unhandled error in %s %s [%s]", scope["method"], shown_path(scope), request_id
            )
            error = EzioxError()
        if scope["state"].get(_STARTED):
            raise exc
        await error_response(error)(scope, receive, reply)


def hide_path(scope: Scope) -> None:
    """Log this request's route template, not its path: the path holds a secret (a
    password-reset token), which must not end up in log files."""
    scope[_HIDE_PATH] = True


def shown_path(scope: Scope) -> str:
    """The path as logs show it (see `hide_path`)."""
    if scope.get(_HIDE_PATH):
        return getattr(scope.get("route"), "path", None) or "(hidden)"
    path: str = scope["path"]
    return path


def _record(scope: Scope, method: str, status: int, request_id: str, seconds: float) -> None:
    route = scope.get("route")
    template = getattr(route, "path", None) or metrics.UNMATCHED
    metrics.observe(method, template, status, seconds)
    if logs.ACCESS.isEnabledFor(logging.INFO):
        logs.log_access(request_id, method, template, shown_path(scope), status, seconds * 1000)
