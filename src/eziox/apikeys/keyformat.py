"""The ``ezx_`` key format: 26 random base62 characters plus a 6-character CRC32 checksum.

The checksum lets a mistyped or truncated key be refused without touching the database and
lets secret scanners match ``ezx_[A-Za-z0-9]{32}`` with few false positives.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

from eziox.kit import base62

PREFIX = "ezx_"
RANDOM_LENGTH = 26
CHECKSUM_LENGTH = 6
KEY_LENGTH = len(PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH


def checksum(body: str) -> str:
    return base62.encode(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


@dataclass(frozen=True, slots=True)
class NewKey:
    secret: str
    digest: bytes
    display_prefix: str
    last4: str


def generate() -> NewKey:
    body = base62.random_string(RANDOM_LENGTH)
    secret = PREFIX + body + checksum(body)
    return NewKey(secret, digest(secret), secret[:8], secret[-4:])


def is_well_formed(candidate: str) -> bool:
    """Format and checksum only: no database read."""
    if len(candidate) != KEY_LENGTH or not candidate.startswith(PREFIX):
        return False
    body = candidate[len(PREFIX) : len(PREFIX) + RANDOM_LENGTH]
    check = candidate[len(PREFIX) + RANDOM_LENGTH :]
    if not base62.is_base62(body) or not base62.is_base62(check):
        return False
    return checksum(body) == check


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("ascii")).digest()


def masked(display_prefix: str, last4: str) -> str:
    return f"{display_prefix}…{last4}"
