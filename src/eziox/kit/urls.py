"""Strict URL validation for links and images: no javascript:, data:, credentials or spaces."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, WithJsonSchema

MAX_URL_LENGTH = 2048
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TEL = re.compile(r"^\+?[0-9().\- ]{3,32}$")
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\]+@[^@\s<>\"'(),;:\\]+\.[^@\s<>\"'(),;:\\]+$")
_FORBIDDEN_CHARS = re.compile(r"[\s\x00-\x1f\x7f<>\"`{}|\\^]")


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return (
        len(labels) >= 2 and all(_LABEL.match(label) for label in labels) and len(ascii_host) <= 253
    )


def _check_http(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL")
    if "@" in parts.netloc:
        raise ValueError("must not contain credentials")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has an invalid port") from None
    if port == 0 or not parts.hostname or not _valid_host(parts.hostname):
        raise ValueError("has an invalid host")
    return url


def _clean(url: str) -> str:
    url = url.strip()
    if not url:
        raise ValueError("must not be empty")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters")
    if _FORBIDDEN_CHARS.search(url):
        raise ValueError("must not contain spaces, control characters or quotes")
    return url


def validate_link_url(url: str) -> str:
    """An absolute http(s) URL, or ``mailto:``/``tel:``; anything else raises ValueError."""
    url = _clean(url)
    scheme, _, rest = url.partition(":")
    scheme = scheme.lower()
    if scheme == "mailto":
        if not _EMAIL.match(rest.split("?", 1)[0]):
            raise ValueError("must be mailto: followed by an email address")
        return url
    if scheme == "tel":
        if not _TEL.match(rest) or sum(c.isdigit() for c in rest) < 3:
            raise ValueError("must be tel: followed by a phone number")
        return url
    if scheme in {"http", "https"}:
        return _check_http(url)
    raise ValueError("must be an absolute http(s), mailto: or tel: URL")


def validate_image_url(url: str) -> str:
    """An absolute http(s) URL (avatars, banners, thumbnails)."""
    return _check_http(_clean(url))


# What the OpenAPI document promises: every string these patterns match is accepted (the
# validators above are the authority; the patterns are a strict subset of what they allow).
_LABEL_PATTERN = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?"
_HTTP_PATTERN = (
    rf"https?://{_LABEL_PATTERN}(?:\.{_LABEL_PATTERN}){{1,4}}(?::[1-9][0-9]{{0,3}})?"
    r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,200})?(?:\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,200})?"
)
HTTP_URL_PATTERN = rf"^{_HTTP_PATTERN}$"
LINK_URL_PATTERN = (
    rf"^(?:{_HTTP_PATTERN}|mailto:[A-Za-z0-9._%+-]{{1,64}}@{_LABEL_PATTERN}(?:\.{_LABEL_PATTERN}){{1,3}}"
    r"|tel:\+?[0-9]{3,15})$"
)

LINK_URL_SCHEMA = {
    "type": "string",
    "maxLength": MAX_URL_LENGTH,
    "pattern": LINK_URL_PATTERN,
    "description": "Absolute http(s) URL, or mailto: / tel:",
    "example": "https://example.com",
}
IMAGE_URL_SCHEMA = {
    "type": "string",
    "maxLength": MAX_URL_LENGTH,
    "pattern": HTTP_URL_PATTERN,
    "description": "Absolute http(s) URL of an image",
    "example": "https://example.com/a.png",
}
LinkUrl = Annotated[str, AfterValidator(validate_link_url), WithJsonSchema(LINK_URL_SCHEMA)]
ImageUrl = Annotated[str, AfterValidator(validate_image_url), WithJsonSchema(IMAGE_URL_SCHEMA)]
