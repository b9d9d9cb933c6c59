"""Logging: one line per request (``eziox.access``), human-readable or JSON (EZIOX_LOG_FORMAT).

`eziox serve` hands `log_config(...)` to uvicorn, which applies it in every worker. Each
request's id lives in a context variable, so any line logged while serving a request (a
warning from the limiter, an error from the database) carries it in JSON mode too.

Paths, headers and exception texts are chosen by clients, so both formatters escape control
characters (and line separators and bidi overrides) in everything they write: an encoded
CR/LF in a path can never start a forged line, whichever logger wrote it.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass
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
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

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

    def access_line(self, line: AccessLine) -> str:
        """What `format` makes of the access record, without a LogRecord."""
        return f"{self._stamp(line.created)} INFO    eziox.access: {escape_controls(line.message)}"

    def _stamp(self, created: float) -> str:
        second = int(created)
        if second != getattr(self, "_second", None):
            self._second = second
            self._second_text = time.strftime(self.default_time_format, self.converter(second))
        msec_format = self.default_msec_format or "%s,%03d"
        return msec_format % (self._second_text, int((created - second) * 1000))


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
        return _dumps(entry)

    def access_line(self, line: AccessLine) -> str:
        """What `format` makes of the access record, without a LogRecord."""
        moment = datetime.fromtimestamp(line.created, UTC)
        return _dumps(
            {
                "time": moment.isoformat(timespec="milliseconds"),
                "level": "info",
                "logger": ACCESS.name,
                "message": line.message,
                "requestId": line.request,
                "method": line.method,
                "route": line.route,
                "path": line.path,
                "status": line.status,
                "durationMs": round(line.duration_ms, 2),
            }
        )


def _dumps(entry: dict[str, Any]) -> str:
    # orjson escapes C0 controls; the rest of _UNSAFE becomes \uXXXX, which decodes the same.
    return _UNSAFE.sub(_json_escape, orjson.dumps(entry, default=str).decode())


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def log_access(
    request: str, method: str, route: str, path: str, status: int, duration_ms: float
) -> None:
    """The request line (callers check ``ACCESS.isEnabledFor(logging.INFO)`` first)."""
    handlers = _plain_stream_handlers()
    if handlers is None:
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
        return
    line = AccessLine(time.time(), request, method, route, path, status, duration_ms)
    _pending.append((handlers, line))
    if len(_pending) == 1:
        try:
            asyncio.get_running_loop().call_soon(_write_pending)
        except RuntimeError:  # no event loop: write it now
            _write_pending()


# Lines of this turn of the event loop: written together once it ends, in order, so that a
# busy server makes one write to the log per turn rather than one per request.
_pending: list[tuple[list[logging.StreamHandler[Any]], AccessLine]] = []


def _write_pending() -> None:
    batch = _pending[:]
    _pending.clear()
    texts: dict[logging.StreamHandler[Any], list[str]] = {}
    for handlers, line in batch:
        for handler in handlers:
            formatter: TextFormatter | JsonFormatter = handler.formatter  # type: ignore[assignment]
            texts.setdefault(handler, []).append(formatter.access_line(line) + handler.terminator)
    for handler, lines in texts.items():
        handler.acquire()
        try:
            handler.stream.write("".join(lines))
            handler.flush()
        finally:
            handler.release()


@dataclass(frozen=True, slots=True)
class AccessLine:
    created: float
    request: str
    method: str
    route: str
    path: str
    status: int
    duration_ms: float

    @property
    def message(self) -> str:
        return f"{self.method} {self.path} {self.status} {self.duration_ms:.1f} ms [{self.request}]"


def _plain_stream_handlers() -> list[logging.StreamHandler[Any]] | None:
    """The handlers an access record would reach, if each is a plain stream handler with one
    of our formatters and nothing filters on the way; else None (use the logging call).

    The request line is the one record written for every request, and a LogRecord passed
    through the logging machinery costs about ten times what it takes to write the same text
    straight to the same stream, under the same handler lock.
    """
    found: list[logging.StreamHandler[Any]] = []
    logger: logging.Logger | None = ACCESS
    while logger is not None:
        if logger.filters:
            return None
        for handler in logger.handlers:
            if (
                type(handler) is not logging.StreamHandler
                or handler.filters
                or handler.level > logging.INFO
                or not _writes_access_lines(handler.formatter)
            ):
                return None
            found.append(handler)
        logger = logger.parent if logger.propagate else None
    return found or None


def _writes_access_lines(formatter: logging.Formatter | None) -> bool:
    if type(formatter) is JsonFormatter:
        return True
    return (
        type(formatter) is TextFormatter and formatter._fmt == TEXT_FORMAT and not formatter.datefmt
    )


def log_config(log_format: str, level: str) -> dict[str, Any]:
    """A dictConfig for uvicorn and Eziox: our access line replaces uvicorn's."""
    formatter = (
        {"()": "eziox.ops.logs.JsonFormatter"}
        if log_format == "json"
        else {
            "()": "eziox.ops.logs.TextFormatter",
            "fmt": TEXT_FORMAT,
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
