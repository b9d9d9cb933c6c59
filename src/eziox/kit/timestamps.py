"""RFC 3339 timestamps in request bodies, stored as aware UTC datetimes.

The server accepts exactly what the published `format: date-time` describes: a full date,
`T`, a time with optional fraction, and `Z` or a numeric offset. Offsets that would push a
moment before year 1 or past year 9999 in UTC are clamped to those ends (Python datetimes
stop there) rather than failing; fractions of a second are dropped (the API shows seconds).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def parse_timestamp(value: object) -> datetime:
    """An RFC 3339 string (or an aware datetime) as an aware UTC datetime; else ValueError."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("must include a time zone offset")
        return _to_utc(value)
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 timestamp such as 2026-01-01T12:00:00Z")
    text = value.upper()
    head, sep, tail = text.partition(".")
    if sep:  # Python reads at most 6 fraction digits
        digits = re.match(r"[0-9]+", tail)
        assert digits is not None
        text = f"{head}.{digits.group()[:6]:0<6}{tail[digits.end() :]}"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("is not a real date and time") from None
    return _to_utc(moment)


def _to_utc(moment: datetime) -> datetime:
    """UTC at second precision (what the API shows is what is stored)."""
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        moment = datetime.min if moment.year < 5000 else datetime.max
        moment = moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0)


TIMESTAMP_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "date-time",
    "description": "RFC 3339, e.g. 2026-01-01T12:00:00Z",
    "example": "2026-01-01T12:00:00Z",
}

Timestamp = Annotated[datetime, BeforeValidator(parse_timestamp), WithJsonSchema(TIMESTAMP_SCHEMA)]
