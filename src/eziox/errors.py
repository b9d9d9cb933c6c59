"""The error tree and the one renderer of the SPEC §4 envelope.

Services raise these; `install_error_handlers` maps them (and the framework's own errors)
to ``{"error": {"code", "message", ...}}`` responses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from eziox.kit.text import PATTERN_MESSAGES

log = logging.getLogger("eziox.errors")


class EzioxError(Exception):
    status = 500
    code = "INTERNAL_ERROR"
    default_message = "Something went wrong on our side. Please try again later."

    def __init__(self, message: str | None = None, *, headers: Mapping[str, str] | None = None):
        self.message = message or self.default_message
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def extra(self) -> dict[str, Any]:
        return {}


class BadRequest(EzioxError):
    status = 400
    code = "BAD_REQUEST"
    default_message = "The request could not be processed."


class Unauthorized(EzioxError):
    status = 401
    code = "UNAUTHORIZED"
    default_message = "Invalid or missing API key."

    def __init__(self, message: str | None = None):
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(EzioxError):
    status = 403
    code = "FORBIDDEN"
    default_message = "You do not have access to this resource."

    def __init__(self, message: str | None = None, *, permission: str | None = None):
        if permission and not message:
            message = f"This API key lacks the '{permission}' permission."
        self.permission = permission
        super().__init__(message)


class NotFound(EzioxError):
    status = 404
    code = "NOT_FOUND"
    default_message = "Resource not found."


class MethodNotAllowed(EzioxError):
    status = 405
    code = "METHOD_NOT_ALLOWED"
    default_message = "Method not allowed on this resource."


class RequestTimeout(EzioxError):
    status = 408
    code = "REQUEST_TIMEOUT"
    default_message = "The request body arrived too slowly."


class Conflict(EzioxError):
    status = 409
    code = "CONFLICT"
    default_message = "The request conflicts with the current state."


class PreconditionFailed(EzioxError):
    status = 412
    code = "PRECONDITION_FAILED"
    default_message = (
        "The resource changed since you read it (If-Match does not hold its current ETag); "
        "read it again and retry."
    )


class PayloadTooLarge(EzioxError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The request body is too large."


class UnsupportedMediaType(EzioxError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Send the request body as application/json."


class ValidationFailed(EzioxError):
    status = 422
    code = "VALIDATION_ERROR"
    default_message = "The request is invalid."

    def __init__(self, message: str | None = None, *, details: Sequence[Mapping[str, str]] = ()):
        self.details = [dict(d) for d in details]
        super().__init__(message)

    def extra(self) -> dict[str, Any]:
        return {"details": self.details}

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        return cls(f"{field}: {message}", details=[{"field": field, "message": message}])


class RateLimited(EzioxError):
    status = 429
    code = "RATE_LIMIT_EXCEEDED"
    default_message = "Too many requests. Please try again later."

    def __init__(self, retry_after: int, message: str | None = None):
        self.retry_after = max(1, int(retry_after))
        super().__init__(message, headers={"Retry-After": str(self.retry_after)})

    def extra(self) -> dict[str, Any]:
        return {"retryAfter": self.retry_after}


class ServiceUnavailable(EzioxError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = "The service is temporarily unavailable. Please retry shortly."

    def __init__(self, message: str | None = None, retry_after: int = 1):
        super().__init__(message, headers={"Retry-After": str(retry_after)})


def is_service_unavailable(exc: BaseException) -> bool:
    """A database or Redis connection lost or unreachable: worth a retry, not a 500.

    Covers a connection dropped under a query (PostgreSQL ``pg_terminate_backend``, a
    restart: SQLAlchemy marks it ``connection_invalidated``), a refused connection, a
    timeout and SQLite's "database is locked" (OperationalError).
    """
    if isinstance(exc, RedisError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
    return False


def envelope(error: EzioxError) -> bytes:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    body.update(error.extra())
    return orjson.dumps({"error": body})


def error_response(error: EzioxError, headers: Mapping[str, str] | None = None) -> Response:
    """Render any EzioxError as the SPEC envelope."""
    merged = {**error.headers, **(headers or {})}
    return Response(envelope(error), error.status, merged, media_type="application/json")


def _field_name(loc: Iterable[Any]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if kind == "missing":
        return "this field is required"
    if kind == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern")
        if pattern in PATTERN_MESSAGES:
            return PATTERN_MESSAGES[pattern]
    message = str(error.get("msg", "Invalid value."))
    return message.removeprefix("Value error, ")


def from_validation_errors(errors: Sequence[Mapping[str, Any]]) -> ValidationFailed:
    details = [{"field": _field_name(e.get("loc", ())), "message": _message(e)} for e in errors]
    if not details:
        return ValidationFailed()
    parts = [f"{d['field']}: {d['message'].rstrip('.')}" for d in details[:5]]
    more = f" (and {len(details) - 5} more)" if len(details) > 5 else ""
    return ValidationFailed("Invalid request: " + "; ".join(parts) + more + ".", details=details)


_BY_STATUS: dict[int, type[EzioxError]] = {
    cls.status: cls
    for cls in (
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        ValidationFailed,
    )
}


def _allowed(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's).

    A fixed path wins over a pattern that also matches it: `/v1/links/order` is its own
    resource (PUT), not a link whose id is "order".
    """
    methods: set[str] = set()
    fixed: set[str] = set()
    pending = list(request.app.router.routes)
    while pending:
        route = pending.pop()
        if route.matches(request.scope)[0] is Match.NONE:
            continue
        nested = getattr(getattr(route, "original_router", route), "routes", None)
        if nested is not None and not hasattr(route, "methods"):
            pending.extend(nested)  # an included router (newer FastAPI wraps them)
            continue
        served = getattr(route, "methods", None) or set()
        methods |= served
        if not getattr(route, "param_convertors", None):
            fixed |= served
    return ", ".join(sorted(fixed or methods))


def _wants_page(request: Request) -> bool:
    """A browser asking for a page outside the API gets an HTML 404, everyone else JSON."""
    path = request.url.path
    return not (path == "/v1" or path.startswith("/v1/")) and "text/html" in request.headers.get(
        "accept", ""
    )


def install_error_handlers(
    app: FastAPI, not_found_page: Callable[[], Response] | None = None
) -> None:
    """Map every error the app can raise to the envelope (unexpected ones: see RequestContext)."""

    async def on_eziox(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, EzioxError)
        return error_response(exc)

    async def on_validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(from_validation_errors(exc.errors()))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405:
            return error_response(MethodNotAllowed(), headers={"Allow": _allowed(request)})
        if exc.status_code == 404 and not_found_page is not None and _wants_page(request):
            return not_found_page()
        if exc.status_code == 400:  # the body could not be read as JSON at all
            return error_response(ValidationFailed.field("body", "the body is not valid JSON"))
        cls = _BY_STATUS.get(exc.status_code)
        if cls is None:
            error = EzioxError("The request could not be processed.")
            error.status = exc.status_code
            error.code = "BAD_REQUEST" if exc.status_code < 500 else "INTERNAL_ERROR"
        else:
            error = cls()
        return error_response(error, headers=exc.headers or {})

    app.add_exception_handler(EzioxError, on_eziox)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
