"""In-process caches of rendered bio pages and link targets, valid while their version is.

An entry remembers the account's ``page_version`` it was built from. It is used only while
that is still the account's version as this process knows it:

- a commit in this process that changes a page drops what the process knows of that
  account at once (`forget`), so the next request here reads the new version;
- what is known is re-read from the database when it is older than `REVALIDATE_AFTER`, so a
  change made by another instance (or the CLI) shows within that bound, with no channel that
  could fail silently: if the database cannot be read, nothing is served from the cache.

Loads are single-flight per key, and nothing loaded before a `forget` is kept after it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Generic, Protocol, TypeVar

from eziox.kit.singleflight import SingleFlight

# Seconds: a change made by another instance shows within this (plus one version read).
REVALIDATE_AFTER = 0.5

K = TypeVar("K", bound=Hashable)


class Versioned(Protocol):
    @property
    def account_id(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def expires(self) -> float: ...  # wall-clock time when it must be rebuilt (math.inf: never)


E = TypeVar("E", bound=Versioned)


class PageVersions:
    """What this process knows of each account's page version, and since when."""

    def __init__(self, read: Callable[[str], Awaitable[int | None]], size: int) -> None:
        self._read = read
        self._size = size
        self._known: dict[str, tuple[int | None, float]] = {}
        self._reads: SingleFlight[tuple[str, int], int | None] = SingleFlight()
        self.epoch = 0  # moves on every forget: loads begun before it are not kept

    async def current(self, account_id: str) -> int | None:
        known = self._known.get(account_id)
        if known is not None and time.monotonic() - known[1] < REVALIDATE_AFTER:
            return known[0]
        # Keyed by epoch too: after a forget, callers never join a read begun before it.
        return await self._reads.run((account_id, self.epoch), lambda: self._reread(account_id))

    async def _reread(self, account_id: str) -> int | None:
        epoch, checked = self.epoch, time.monotonic()
        version = await self._read(account_id)
        self.learn(account_id, version, epoch, checked)
        return version

    def learn(self, account_id: str, version: int | None, epoch: int, checked: float) -> None:
        """Keep a version read at ``checked``, unless a forget happened since ``epoch``."""
        if epoch != self.epoch:
            return
        self._known[account_id] = (version, checked)
        if len(self._known) > self._size:
            del self._known[next(iter(self._known))]

    def forget(self, account_ids: Iterable[str]) -> None:
        self.epoch += 1
        for account_id in account_ids:
            self._known.pop(account_id, None)


class VersionedCache(Generic[K, E]):
    """Entries built by ``load`` and kept while their account's version has not moved."""

    def __init__(
        self, versions: PageVersions, load: Callable[[K], Awaitable[E | None]], size: int
    ) -> None:
        self.versions = versions
        self._load = load
        self._size = size
        self._entries: dict[K, E] = {}
        self._loads: SingleFlight[tuple[K, int], E | None] = SingleFlight()

    async def get(self, key: K) -> E | None:
        entry = self._entries.get(key)
        if (
            entry is not None
            and time.time() < entry.expires
            and await self.versions.current(entry.account_id) == entry.version
        ):
            return entry
        return await self._loads.run((key, self.versions.epoch), lambda: self._reload(key))

    async def _reload(self, key: K) -> E | None:
        epoch, checked = self.versions.epoch, time.monotonic()
        entry = await self._load(key)
        if entry is None:
            self._entries.pop(key, None)
            return None
        if epoch == self.versions.epoch:  # built from a snapshot no local commit has outdated
            self.versions.learn(entry.account_id, entry.version, epoch, checked)
            self._entries[key] = entry
            if len(self._entries) > self._size:
                del self._entries[next(iter(self._entries))]
        return entry


NEVER = math.inf
