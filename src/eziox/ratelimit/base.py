"""The limiter interface shared by the memory and Redis backends."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Hit:
    """The outcome of counting one request against an account's window.

    ``stale`` means the key-cache generation moved: nothing was counted, look the key up again.
    """

    count: int = 0
    reset: int = 0
    generation: str = ""
    stale: bool = False


def window_bounds(window: int, now: float | None = None) -> tuple[int, int]:
    """Fixed windows aligned to the epoch: (window start, reset time), Unix seconds."""
    now = time.time() if now is None else now
    start = int(now // window) * window
    return start, start + window


class Limiter(Protocol):
    async def hit(self, account_id: str, generation: str) -> Hit:
        """Count one request for the account unless the key-cache generation is stale."""

    async def refund(self, account_id: str, reset: int) -> None:
        """Give back one request counted in the window ending at ``reset`` (a 304 answered).

        Only that window's count moves (never below zero): a window that has ended since is
        left alone, and the next one is never touched.
        """

    async def usage(self, account_id: str) -> tuple[int, int]:
        """(requests counted in the current window, reset time) without counting."""

    async def fail(self, client_ip: str) -> int:
        """Record a failed authentication; return seconds its address is blocked (0 if not).

        Only failures are refused while blocked: a valid key from that address still works.
        """

    async def count(self, key: str, window: int, *, add: bool) -> tuple[int, int]:
        """A general fixed-window counter: (count after adding if ``add``, seconds to reset)."""

    async def uncount(self, key: str, window: int) -> None:
        """Give back one count added to ``key`` in the current window (an attempt refunded)."""

    async def generation(self) -> str:
        """The current key-cache generation."""

    async def bump_generation(self) -> None:
        """Invalidate every process's cached key lookups."""

    async def ping(self) -> None:
        """Raise if the backing store is unreachable."""

    async def close(self) -> None: ...
