"""What a custom domain's hostname may be, checked before anything is stored.

The API's schema publishes `HOSTNAME_PATTERN`, so a name it accepts is always well-formed
here: what is still refused then (a public suffix, the server's own name) is a 409. The
dashboard hands over what was typed, which `normalize` tidies (case, a trailing dot,
international names) or refuses with a 422 naming the reason.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from eziox.errors import Conflict, ValidationFailed

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
RECORD_PREFIX = "_eziox."
# A DNS name is at most 253 characters: the verification record's name must be one too.
MAX_LENGTH = 253 - len(RECORD_PREFIX)


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list ships with the package: nothing is fetched


def normalize(raw: str) -> str:
    """The hostname in lower-case ASCII (international names as punycode), or 422."""
    text = raw.strip().lower().removesuffix(".")
    if not text:
        raise ValidationFailed.field("hostname", "must not be empty")
    if _is_ip_address(text):
        raise ValidationFailed.field("hostname", "must be a domain name, not an IP address")
    if "://" in text or any(c in text for c in "/?#@: "):
        raise ValidationFailed.field(
            "hostname",
            "must be a bare hostname such as links.example.com (no scheme, port or path)",
        )
    try:
        ascii_name = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationFailed.field("hostname", "is not a valid domain name") from None
    labels = ascii_name.split(".")
    if len(ascii_name) > MAX_LENGTH or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValidationFailed.field(
            "hostname",
            f"is not a valid domain name (at most {MAX_LENGTH} characters, labels of a-z, "
            "0-9 and inner hyphens, at most 63 characters each)",
        )
    if len(labels) < 2 or labels[-1].isdigit():
        raise ValidationFailed.field("hostname", "must be a full domain name such as example.com")
    if _suffixes().is_public(ascii_name):
        # 409, not 422: it is a well-formed name that the Public Suffix List reserves.
        raise Conflict(
            f"{ascii_name} is a public suffix, shared by many owners: use a name registered "
            f"under it, such as links.example.{ascii_name}"
        )
    return ascii_name


def check_not_ours(hostname: str, public_url: str) -> None:
    """409 for the instance's own host (and names under it): those belong to the site."""
    own = (urlsplit(public_url).hostname or "").lower()
    if own and (hostname == own or hostname.endswith("." + own)):
        raise Conflict(f"{hostname} is this Eziox server's own address, not a custom domain.")


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def record_name(hostname: str) -> str:
    """Where the verification TXT record goes."""
    return RECORD_PREFIX + hostname
