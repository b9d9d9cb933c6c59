"""Request-controlled text cannot forge log lines: an encoded CR/LF, a Unicode line separator
or a bidi override in a path is written escaped, one record per line, in both log formats."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
import sys
from collections.abc import Iterator

import httpx
import pytest

from eziox.ops.logs import log_access, log_config, request_id

FORGED = "2026-12-02 16:00:00,000 INFO    eziox.access: POST /profile/settings/delete 200"
# CR LF, then the forged line; a U+2028 line separator; a right-to-left override.
HOSTILE_PATH = "/x%0d%0a" + FORGED.replace(" ", "%20") + "%E2%80%A8tail%E2%80%AEevil"


def stream_handler(log_format: str) -> tuple[io.StringIO, logging.StreamHandler[io.StringIO]]:
    """A handler writing to a string with the formatter `eziox serve` configures."""
    config = log_config(log_format, "info")
    formatter = logging.config.DictConfigurator(config).configure_formatter(
        config["formatters"]["default"]
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    return stream, handler


@pytest.fixture(params=["text", "json"])
def captured(request: pytest.FixtureRequest) -> Iterator[tuple[str, io.StringIO]]:
    """What `eziox serve` would write to stderr, in the format of the parameter."""
    stream, handler = stream_handler(request.param)
    logger = logging.getLogger("eziox")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield request.param, stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_encoded_line_breaks_in_a_path_stay_on_one_line(
    client: httpx.AsyncClient, captured: tuple[str, io.StringIO]
) -> None:
    log_format, stream = captured
    response = await client.get(HOSTILE_PATH)
    assert response.status_code == 404
    lines = stream.getvalue().splitlines()  # splits on CR, LF, U+2028 and the like
    # Background tasks of the app may log meanwhile: look at what mentions this request.
    touched = [line for line in lines if "settings/delete" in line or "tail" in line]
    assert len(touched) == 1, lines
    [line] = touched
    assert response.headers["x-request-id"] in line
    assert "\u202e" not in line
    if log_format == "text":
        assert line.index("GET /x\\r\\n2026-12-02") > 0
        assert "\\u2028tail\\u202eevil" in line
    else:
        entry = json.loads(line)  # lossless: the JSON decodes to the path as it was
        assert entry["path"] == "/x\r\n" + FORGED + "\u2028tail\u202eevil"


def test_a_traceback_never_starts_a_line_of_its_own() -> None:
    config = log_config("text", "info")
    formatter = logging.config.DictConfigurator(config).configure_formatter(
        config["formatters"]["default"]
    )
    try:
        raise ValueError("bad input\n" + FORGED + "\rmore")
    except ValueError:
        record = logging.getLogger("eziox.test").makeRecord(
            "eziox.test", logging.ERROR, __file__, 1, "failed on %s", ("a\nb",), None
        )
        record.exc_info = sys.exc_info()
    head, *rest = formatter.format(record).split("\n")
    assert head.endswith("eziox.test: failed on a\\nb")
    assert rest
    assert all(line.startswith("    ") for line in rest), rest
    assert "\r" not in "".join(rest)
    assert record.getMessage() == "failed on a\nb"  # the record itself is left as it was


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_direct_access_line_is_what_the_logging_call_writes(log_format: str) -> None:
    """The request line skips the logging machinery for plain stream handlers: its text must
    be exactly what the formatter makes of the record (timestamps aside)."""
    stream, handler = stream_handler(log_format)
    logger = logging.getLogger("eziox")
    saved = logger.handlers[:], logger.propagate, logger.level
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    fields = ("req_1", "GET", "/l/{link_id}", "/l/x\r\n\u202eevil", 302, 1.25)
    token = request_id.set("req_1")  # as while serving that request
    try:
        log_access(*fields)  # straight to the stream
        logger.addFilter(lambda _: True)  # a filter on the way: the logging call is used
        log_access(*fields)
    finally:
        request_id.reset(token)
        logger.handlers, logger.propagate, _ = saved
        logger.setLevel(saved[2])
        logger.filters.clear()
    # Only this test's two lines (a background task of the suite may log meanwhile).
    direct, logged = [line for line in stream.getvalue().splitlines() if "req_1" in line]
    if log_format == "text":
        assert (
            direct[23:]
            == logged[23:]
            == (" INFO    eziox.access: GET /l/x\\r\\n\\u202eevil 302 1.2 ms [req_1]")
        )
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", direct[:23])
    else:
        one, other = json.loads(direct), json.loads(logged)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", one.pop("time"))
        other.pop("time")
        assert one == other
        assert one["path"] == "/l/x\r\n\u202eevil"
        assert one["route"] == "/l/{link_id}"
