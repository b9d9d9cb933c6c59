"""Logging: one line per request (``eziox.access``), human-readable or JSON (EZIOX_LOG_FORMAT).

`eziox serve` hands `log_config(...)` to uvicorn, which applies it in every worker. Each
request's id lives in a context variable, so any line logged while serving a request (a
warning from the limiter, an error from the database) carries it in JSON mode too.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

ACCESS = logging.getLogger("eziox.access")
request_id: ContextVar[str | None] = ContextVar("eziox_request_id", default=None)

# Attributes every LogRecord has; anything else was passed with `extra=` and is kept.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = request_id.get()
        if current is not None:
            entry["requestId"] = current
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def log_access(
    request: str, method: str, route: str, path: str, status: int, duration_ms: float
) -> None:
    """The request line (callers check ``ACCESS.isEnabledFor(logging.INFO)`` first)."""
    ACCESS.info(
        "%s %s %d %.1f ms [%s]",
        method,
        path,
        status,
        duration_ms,
        request,
        extra={
            "method": method,
            "route": route,
            "path": path,
            "status": status,
            "durationMs": round(duration_ms, 2),
        },
    )


def log_config(log_format: str, level: str) -> dict[str, Any]:
    """A dictConfig for uvicorn and Eziox: our access line replaces uvicorn's."""
    formatter = (
        {"()": "eziox.ops.logs.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "stream": "ext://sys.stderr",
    }
    logger = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter, "access": formatter},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": logger,
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "eziox": logger,
        },
    }
