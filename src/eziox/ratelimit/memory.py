"""In-process limiter for the single-process embedded default.

The key-cache generation lives in a small file (next to the data) so that a CLI process
revoking a key invalidates the server's cache without a database read per request.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from eziox.ratelimit.base import Hit, window_bounds


class GenerationFile:
    """A generation counter other processes on this machine can bump: read with one stat()."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> str:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return "0"
        return f"{info.st_ino}.{info.st_mtime_ns}.{info.st_size}"

    def bump(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(f"{time.time_ns()}\n")
        os.replace(tmp, self.path)  # a new inode: readers see the change even within one tick


class MemoryLimiter:
    def __init__(
        self, *, window: int, failure_limit: int, failure_window: int, generation_file: Path
    ) -> None:
        self.window = window
        self.failure_limit = failure_limit
        self.failure_window = failure_window
        self._counts: dict[str, tuple[int, int]] = {}  # account -> (window start, count)
        self._failures: dict[str, tuple[int, int]] = {}  # ip -> (window start, count)
        self._counters: dict[int, dict[str, tuple[int, int]]] = {}  # window -> key -> (start, n)
        self._generation = GenerationFile(generation_file)

    async def hit(self, account_id: str, generation: str) -> Hit:
        current = self._generation.read()
        if current != generation:
            return Hit(generation=current, stale=True)
        start, reset = window_bounds(self.window)
        seen_start, count = self._counts.get(account_id, (start, 0))
        count = count + 1 if seen_start == start else 1
        self._counts[account_id] = (start, count)
        if len(self._counts) > 100_000:
            self._forget_old(self._counts, start)
        return Hit(count=count, reset=reset, generation=current)

    async def refund(self, account_id: str, reset: int) -> None:
        seen_start, count = self._counts.get(account_id, (0, 0))
        if seen_start == reset - self.window and count > 0:
            self._counts[account_id] = (seen_start, count - 1)

    async def usage(self, account_id: str) -> tuple[int, int]:
        start, reset = window_bounds(self.window)
        seen_start, count = self._counts.get(account_id, (start, 0))
        return (count if seen_start == start else 0), reset

    async def fail(self, client_ip: str) -> int:
        start, reset = window_bounds(self.failure_window)
        seen_start, count = self._failures.get(client_ip, (start, 0))
        count = count + 1 if seen_start == start else 1
        self._failures[client_ip] = (start, count)
        if len(self._failures) > 100_000:
            self._forget_old(self._failures, start)
        return max(1, reset - int(time.time())) if count > self.failure_limit else 0

    async def count(self, key: str, window: int, *, add: bool) -> tuple[int, int]:
        start, reset = window_bounds(window)
        table = self._counters.setdefault(window, {})
        seen_start, count = table.get(key, (start, 0))
        count = count if seen_start == start else 0
        if add:
            count += 1
            table[key] = (start, count)
            if len(table) > 100_000:
                self._forget_old(table, start)
        return count, max(1, reset - int(time.time()))

    async def uncount(self, key: str, window: int) -> None:
        start, _ = window_bounds(window)
        table = self._counters.setdefault(window, {})
        seen_start, count = table.get(key, (start, 0))
        if seen_start == start and count > 0:
            table[key] = (start, count - 1)

    async def generation(self) -> str:
        return self._generation.read()

    async def bump_generation(self) -> None:
        self._generation.bump()

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None

    @staticmethod
    def _forget_old(table: dict[str, tuple[int, int]], start: int) -> None:
        for key in [k for k, (s, _) in table.items() if s != start]:
            del table[key]
