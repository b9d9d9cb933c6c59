"""The SDK's one exception type: every failed call raises EzioxError."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

# Codes the SDK itself uses (status 0: no HTTP answer, or none that could be read).
CONNECTION_ERROR = "CONNECTION_ERROR"
TIMEOUT = "TIMEOUT"
INVALID_RESPONSE = "INVALID_RESPONSE"
MISSING_API_KEY = "MISSING_API_KEY"
INVALID_API_KEY = "INVALID_API_KEY"
UNEXPECTED_REDIRECT = "UNEXPECTED_REDIRECT"
INVALID_BASE_URL = "INVALID_BASE_URL"


class ErrorDetail(NamedTuple):
    """One field a validation error (422) names."""

    field: str
    message: str


class EzioxError(Exception):
    """A failed call: the API's error envelope, or a transport failure (``status`` 0).

    ``code`` is the API's code (``NOT_FOUND``, ``RATE_LIMIT_EXCEEDED``, …) or one of the SDK's
    own (``CONNECTION_ERROR``, ``TIMEOUT``, ``INVALID_RESPONSE``, ``UNEXPECTED_REDIRECT``, and
    at construction ``MISSING_API_KEY``, ``INVALID_API_KEY``, ``INVALID_BASE_URL``).
    ``retry_after`` is in seconds (429 and 503); ``request_id`` is the server's
    ``X-Request-Id``, worth quoting in a bug report.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 0,
        retry_after: int | None = None,
        details: Sequence[ErrorDetail] = (),
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.details = tuple(details)
        self.request_id = request_id

    def __repr__(self) -> str:
        return (
            f"EzioxError(code={self.code!r}, message={self.message!r}, status={self.status}, "
            f"retry_after={self.retry_after!r}, details={list(self.details)!r}, "
            f"request_id={self.request_id!r})"
        )
