"""Base62 encoding with the alphabet ``0-9A-Za-z`` (URL-safe, scanner-friendly)."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_INDEX = {char: i for i, char in enumerate(ALPHABET)}


def encode(number: int, width: int) -> str:
    """Encode a non-negative integer as exactly ``width`` base62 digits (zero-padded)."""
    if number < 0 or number >= 62**width:
        raise ValueError(f"{number} does not fit in {width} base62 digits")
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits))


def is_base62(text: str) -> bool:
    return all(char in _INDEX for char in text)


def random_string(length: int) -> str:
    """A cryptographically random base62 string."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
