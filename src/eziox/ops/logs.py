"""Logging: one line per request (``eziox.access``), human-readable or JSON (EZIOX_LOG_FORMAT).

`eziox serve` hands `log_config(...)` to uvicorn, which applies it in every worker. Each
request's id lives in a context variable, so any line logged while serving a request (a
warning from the limiter, an error from the database) carries it in JSON mode too.

Paths, headers and exception texts are chosen by clients, so both formatters escape control
characters (and line separators and bidi overrides) in everything they write: an encoded
CR/LF in a path can never start a forged line, whichever logger wrote it.
"""

from __future__ import annotations

import copy
import logging
import re
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


# C0 and C1 controls, DEL, Unicode line/paragraph separators and bidi overrides/isolates:
# each can end a line or reorder text in some log viewer or collector.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Lines after the first of a record (tracebacks) start indented: a line starting in column 0
# is always the start of a record.
_CONTINUATION = "    "


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04x}"


def escape_controls(text: str) -> str:
    """The text on one line, every unsafe character written as a visible escape."""
    return _UNSAFE.sub(_escaped, text)


class TextFormatter(logging.Formatter):
    """The human-readable line (EZIOX_LOG_FORMAT=text), safe from forged lines."""

    def format(self, record: logging.LogRecord) -> str:
        safe = copy.copy(record)  # other handlers may share the record: leave it as it was
        safe.msg, safe.args = escape_controls(record.getMessage()), None
        head, _, details = super().format(safe).partition("\n")
        if not details:
            return head
        lines = (_CONTINUATION + escape_controls(line) for line in details.split("\n"))
        return "\n".join([head, *lines])


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
        # orjson escapes C0 controls; the rest of _UNSAFE becomes \uXXXX, which decodes the same.
        return _UNSAFE.sub(_json_escape, orjson.dumps(entry, default=str).decode())


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


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
        else {
            "()": "eziox.ops.logs.TextFormatter",
            "fmt": "%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        }
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
