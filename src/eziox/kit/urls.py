"""Strict URL validation for links and images: one regular expression per kind.

The expressions are the whole rule, and the OpenAPI document publishes them as `pattern`,
so what the schema promises and what the server accepts are exactly the same set:
absolute http(s) URLs with a dotted ASCII host (IDN hosts in punycode, `xn--…`), an
optional port 1-65535, no credentials, no spaces, quotes or angle brackets; `mailto:` an
address; `tel:` a number. `javascript:`, `data:` and everything else are refused.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema

MAX_URL_LENGTH = 2048

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL})+"
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_REST = r"[A-Za-z0-9._~!$&'()*+,;=:@%/?#\[\]-]*"
_HTTP = rf"[Hh][Tt][Tt][Pp][Ss]?://{_HOST}(?::{_PORT})?(?:[/?#]{_REST})?"
_MAILTO = rf"mailto:[A-Za-z0-9._%+-]{{1,64}}@{_HOST}(?:\?{_REST})?"
_TEL = r"tel:\+?[0-9](?:[-.]?[0-9]){2,19}"

HTTP_URL_PATTERN = rf"^{_HTTP}$"
HTTPS_URL_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]://{_HOST}(?::{_PORT})?(?:[/?#]{_REST})?$"
EMAIL_PATTERN = rf"^[A-Za-z0-9._%+-]{{1,64}}@{_HOST}$"
LINK_URL_PATTERN = rf"^(?:{_HTTP}|{_MAILTO}|{_TEL})$"
# A domain name of two labels or more whose last (the top-level domain) starts with a letter,
# so an IPv4 address never matches: what a custom domain's hostname may be.
HOSTNAME_PATTERN = rf"^(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?$"
_HTTP_RE = re.compile(HTTP_URL_PATTERN)
_LINK_RE = re.compile(LINK_URL_PATTERN)


def _check(url: str, expression: re.Pattern[str], what: str) -> str:
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters")
    if url.lower().startswith(("javascript:", "data:", "vbscript:", "file:")):
        raise ValueError(f"must be {what}; this scheme is not allowed")
    if not expression.fullmatch(url):
        raise ValueError(
            f"must be {what} with a dotted host (punycode for non-ASCII names), "
            "no credentials, spaces, quotes or angle brackets"
        )
    return url


def validate_link_url(url: str) -> str:
    """An absolute http(s) URL, or ``mailto:``/``tel:``; anything else raises ValueError."""
    return _check(url, _LINK_RE, "an absolute http(s), mailto: or tel: URL")


def validate_image_url(url: str) -> str:
    """An absolute http(s) URL (avatars, banners, thumbnails)."""
    return _check(url, _HTTP_RE, "an absolute http(s) URL")


def _schema(pattern: str, description: str, example: str) -> dict[str, Any]:
    return {
        "type": "string",
        "maxLength": MAX_URL_LENGTH,
        "pattern": pattern,
        "description": description,
        "example": example,
    }


LINK_URL_SCHEMA = _schema(
    LINK_URL_PATTERN, "Absolute http(s) URL, or mailto: / tel:", "https://example.com"
)
IMAGE_URL_SCHEMA = _schema(
    HTTP_URL_PATTERN, "Absolute http(s) URL of an image", "https://example.com/a.png"
)
LinkUrl = Annotated[str, AfterValidator(validate_link_url), WithJsonSchema(LINK_URL_SCHEMA)]
ImageUrl = Annotated[str, AfterValidator(validate_image_url), WithJsonSchema(IMAGE_URL_SCHEMA)]
