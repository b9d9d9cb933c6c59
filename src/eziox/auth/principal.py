"""Who is calling: the authenticated key and its account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Principal:
    key_id: str
    account_id: str
    permissions: frozenset[str]
    tier: str
    limit: int
    expires_at: datetime | None
    generation: str
    loaded_at: float
    last_used_written: float = field(default=0.0)
