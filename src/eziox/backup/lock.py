"""Who has a SQLite database open: an advisory lock on ``<database>.lock`` beside it.

Every process that serves the file (`eziox serve` — with ``--workers N`` the parent, which
outlives its workers — and `eziox worker`) holds a *shared* lock for its whole life; any
number of them may. `eziox restore` takes the lock *exclusively*, without waiting, for the
moment it swaps the file: it cannot get it while a server runs, and no server starts while
it holds it. The kernel drops a lock when its process ends, however it ends (even
``kill -9``), so there are no stale locks to clean up. flock(2) is only reliable on local
file systems; keep the database on one (SQLite wants that anyway).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def _open(database: Path) -> int:
    database.parent.mkdir(parents=True, exist_ok=True)
    return os.open(lock_path(database), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


class ServingLock:
    """The shared lock of a process that uses the database until it exits (none on
    PostgreSQL or in memory: ``database`` None)."""

    def __init__(self, database: Path | None) -> None:
        self.database = database
        self._fd: int | None = None

    def acquire(self, on_wait: Callable[[], None] | None = None) -> None:
        """Take the shared lock; while a restore swaps the file, wait for it to finish
        (``on_wait`` is told first)."""
        if self.database is None:
            return
        fd = _open(self.database)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_SH)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor drops the lock
            self._fd = None


def in_use(database: Path) -> bool:
    """Whether a serving process holds the database's lock right now."""
    with exclusive(database) as got:
        return not got


@contextmanager
def exclusive(database: Path) -> Iterator[bool]:
    """Hold the lock exclusively for the block if nobody else holds it; yields whether it did."""
    fd = _open(database)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
