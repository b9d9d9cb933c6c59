"""Country of an IP address, offline: a trusted proxy header, else geoip2fast's bundled data."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

log = logging.getLogger("eziox.analytics")
_CODE = re.compile(r"^[A-Z]{2}$")


@lru_cache(maxsize=1)
def _database() -> Any:
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(verbose=False)


def country_from_header(value: str | None) -> str | None:
    code = (value or "").strip().upper()
    return code if _CODE.match(code) and code not in {"XX", "T1"} else None


@lru_cache(maxsize=65536)
def country_of(ip: str) -> str | None:
    """ISO 3166 alpha-2 code, or None for private, reserved or unknown addresses."""
    try:
        result = _database().lookup(ip)
    except Exception:  # a malformed address is simply unknown
        return None
    return country_from_header(getattr(result, "country_code", None))
