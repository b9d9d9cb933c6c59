"""What the sync and async clients share: configuration, requests, answers, errors, retries.

The two clients differ only in how they send a request and how they sleep. Everything else —
the URL, headers and body of a call, how its answer is parsed or turned into an EzioxError,
and whether and when to try again — is decided here, once.
"""

from __future__ import annotations

import math
import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import httpx

from eziox import __version__
from eziox.client import errors
from eziox.client.errors import ErrorDetail, EzioxError
from eziox.client.models import RateLimit

T = TypeVar("T")

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_RETRY_WAIT = 60.0
USER_AGENT = f"eziox-python/{__version__}"

# Only these are retried after a transport failure or a 503: sending them twice is harmless.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# These carry an Idempotency-Key (one per call, the same on every retry), which makes them
# as safe to send again: the server runs a call once and replays its answer.
IDEMPOTENT_METHODS = frozenset({"POST"})
BACKOFF_BASE = 0.5  # seconds before the first retry when the server names no wait

# For answers without the JSON envelope (a proxy's 502 page, say).
_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


@dataclass(frozen=True)
class Operation(Generic[T]):
    """One API call: what to send, and how to read a successful answer."""

    method: str
    path: str  # already percent-encoded
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    idempotency_key: str | None = None  # a fresh UUID4 for every POST call

    def __post_init__(self) -> None:
        if self.idempotency_key is None and self.method in IDEMPOTENT_METHODS:
            object.__setattr__(self, "idempotency_key", str(uuid.uuid4()))

    @property
    def safe(self) -> bool:
        """Harmless to send again: a read, or a call the server will not run twice."""
        return self.method in SAFE_METHODS or self.idempotency_key is not None


@dataclass(frozen=True)
class Wait:
    """Send the operation again after this many seconds."""

    seconds: float


@dataclass(frozen=True)
class Config:
    api_key: str = field(repr=False)
    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    max_retry_wait: float

    @classmethod
    def create(
        cls,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        max_retry_wait: float,
    ) -> Config:
        """Arguments first, then EZIOX_API_KEY / EZIOX_BASE_URL; a missing key fails here."""
        key = (api_key or os.environ.get("EZIOX_API_KEY") or "").strip()
        if not key:
            raise EzioxError(
                errors.MISSING_API_KEY,
                "No API key: pass api_key=… or set EZIOX_API_KEY (keys look like ezx_…).",
            )
        if not (key.isascii() and key.isprintable()) or " " in key:
            raise EzioxError(
                errors.INVALID_API_KEY,
                "The API key contains characters no key has (keys are ezx_ and 32 of A-Za-z0-9).",
            )
        url = (base_url or os.environ.get("EZIOX_BASE_URL") or DEFAULT_BASE_URL).strip()
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise EzioxError(
                errors.INVALID_BASE_URL,
                f"The base URL must be http(s)://host[:port], not {url!r}.",
            )
        if max_retries < 0 or max_retry_wait < 0:
            raise ValueError("max_retries and max_retry_wait must not be negative")
        limits = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        return cls(key, url.rstrip("/"), limits, max_retries, max_retry_wait)


class Engine:
    """Builds requests, reads answers and decides retries; remembers the last rate limit."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.rate_limit: RateLimit | None = None

    def request(self, operation: Operation[Any]) -> httpx.Request:
        headers = {
            "Authorization": f"Bearer {self.config.api_key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        if operation.idempotency_key is not None:
            headers["Idempotency-Key"] = operation.idempotency_key
        return httpx.Request(
            operation.method,
            self.config.base_url + operation.path,
            params=dict(operation.params),
            json=operation.body,
            headers=headers,
            extensions={"timeout": self.config.timeout.as_dict()},
        )

    def answer(self, operation: Operation[T], response: httpx.Response, attempt: int) -> T | Wait:
        """The parsed result, a Wait before trying again, or (raised) the EzioxError."""
        self._note_rate_limit(response)
        if response.is_success:
            return operation.parse(response)
        error = error_from_response(response)
        wait = self._retry_wait(operation, error, attempt)
        if wait is None:
            raise error
        return Wait(wait)

    def failure(self, operation: Operation[Any], exc: httpx.RequestError, attempt: int) -> Wait:
        """After a transport failure: a Wait for safe requests, else (raised) the EzioxError."""
        error = error_from_transport(operation, exc, self.config.base_url)
        # Only a safe request is sent again, and only after a failed connection: a request
        # that timed out may still be running, and a slow server needs no extra load.
        retry = operation.safe and error.code == errors.CONNECTION_ERROR
        if retry and attempt < self.config.max_retries:
            return Wait(min(BACKOFF_BASE * 2**attempt, self.config.max_retry_wait))
        raise error from exc

    def _retry_wait(
        self, operation: Operation[Any], error: EzioxError, attempt: int
    ) -> float | None:
        # 429 is refused before anything is done, so any method may be sent again; a 503 may
        # come from anywhere, so only a safe one.
        if attempt >= self.config.max_retries:
            return None
        if not (error.status == 429 or (error.status == 503 and operation.safe)):
            return None
        if error.retry_after is None:
            wait = BACKOFF_BASE * 2**attempt
        else:
            wait = float(error.retry_after)
        # Waiting less than the server asks would only earn another refusal: give up now.
        return wait if wait <= self.config.max_retry_wait else None

    def _note_rate_limit(self, response: httpx.Response) -> None:
        values = [
            response.headers.get(f"x-ratelimit-{name}") for name in ("limit", "remaining", "reset")
        ]
        if all(value is not None and value.isdigit() for value in values):
            limit, remaining, reset = (int(value or 0) for value in values)
            self.rate_limit = RateLimit(limit, remaining, reset)


def error_from_response(response: httpx.Response) -> EzioxError:
    """The EzioxError a non-2xx answer means: its envelope, or a fallback for other bodies."""
    status = response.status_code
    request_id = response.headers.get("x-request-id")
    envelope = _envelope(response)
    if envelope is not None:
        return EzioxError(
            envelope["code"],
            str(envelope.get("message") or response.reason_phrase),
            status=status,
            retry_after=_retry_after(envelope.get("retryAfter"), response),
            details=_details(envelope.get("details")),
            request_id=request_id,
        )
    if response.is_redirect:
        return EzioxError(
            errors.UNEXPECTED_REDIRECT,
            f"The server redirects to {response.headers.get('location')!r}: use that base URL.",
            status=status,
            request_id=request_id,
        )
    return EzioxError(
        _CODES.get(status, "INTERNAL_ERROR" if status >= 500 else "BAD_REQUEST"),
        _fallback_message(response),
        status=status,
        retry_after=_retry_after(None, response),
        request_id=request_id,
    )


def error_from_transport(
    operation: Operation[Any], exc: httpx.RequestError, base_url: str
) -> EzioxError:
    where = f"{operation.method} {base_url}{operation.path}"
    if isinstance(exc, httpx.TimeoutException):
        return EzioxError(errors.TIMEOUT, f"No answer in time from {where} ({_describe(exc)}).")
    return EzioxError(errors.CONNECTION_ERROR, f"Cannot reach {where} ({_describe(exc)}).")


def json_body(response: httpx.Response) -> Any:
    """The answer's JSON; a body that is not JSON is an INVALID_RESPONSE error."""
    try:
        return response.json()
    except ValueError:
        raise invalid_response(response, "the body is not JSON") from None


def invalid_response(response: httpx.Response, why: str) -> EzioxError:
    request = response.request
    return EzioxError(
        errors.INVALID_RESPONSE,
        f"Unexpected answer to {request.method} {request.url.path}: {why}.",
        status=response.status_code,
        request_id=response.headers.get("x-request-id"),
    )


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    envelope = body.get("error") if isinstance(body, dict) else None
    if isinstance(envelope, dict) and isinstance(envelope.get("code"), str):
        return envelope
    return None


def _details(raw: Any) -> list[ErrorDetail]:
    if not isinstance(raw, list):
        return []
    return [
        ErrorDetail(str(item.get("field", "")), str(item.get("message", "")))
        for item in raw
        if isinstance(item, dict)
    ]


def _retry_after(from_body: Any, response: httpx.Response) -> int | None:
    """Seconds to wait: the envelope's retryAfter, else Retry-After (seconds or an HTTP date)."""
    if isinstance(from_body, int) and not isinstance(from_body, bool) and from_body >= 0:
        return from_body
    header = (response.headers.get("retry-after") or "").strip()
    if header.isdigit():
        return int(header)
    if not header:
        return None
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0, math.ceil(moment.timestamp() - time.time()))


def _fallback_message(response: httpx.Response) -> str:
    message = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    media = response.headers.get("content-type", "")
    if media.startswith("text/plain"):
        text = " ".join(response.text.split())[:200]
        if text:
            message += f": {text}"
    return message


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
