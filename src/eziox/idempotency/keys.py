"""What identifies an idempotent request: the header's key, the target, the body's digest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from eziox.errors import ValidationFailed

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
MAX_TARGET = 2048  # the column's length
# 1 to 255 printable ASCII characters; no space first or last (HTTP strips them anyway).
PATTERN = r"^[!-~](?:[ -~]{0,253}[!-~])?$"
RULE = "must be 1 to 255 printable ASCII characters, with no space first or last"


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    account_id: str
    key: str
    target: str  # "POST /v1/import?dryRun=true": another path or query is another request
    body_sha256: str


def parse_key(values: list[bytes]) -> str:
    """The header's key, or (raised) the 422 naming the header."""
    if len(values) != 1:
        raise ValidationFailed.field(HEADER, "send the header once")
    raw = values[0]
    valid = (
        0 < len(raw) <= MAX_LENGTH
        and all(0x20 <= byte <= 0x7E for byte in raw)
        and raw[0] != 0x20
        and raw[-1] != 0x20
    )
    if not valid:
        raise ValidationFailed.field(HEADER, RULE)
    return raw.decode("ascii")


def describe(
    account_id: str, key: str, method: str, path: str, query: bytes, body: bytes
) -> IdempotentRequest:
    """The request as compared with the key's first one: its target and its body's digest."""
    target = f"{method} {path}" + (f"?{query.decode('latin-1')}" if query else "")
    if len(target) > MAX_TARGET:  # still told apart from any other target, in the column
        digest = hashlib.sha256(target.encode()).hexdigest()
        target = f"{target[: MAX_TARGET - 66]}…#{digest}"
    return IdempotentRequest(account_id, key, target, hashlib.sha256(body).hexdigest())
