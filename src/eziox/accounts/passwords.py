"""argon2id off the event loop, a few at a time.

One hash or verification costs ~250 ms of CPU. Run on the event loop, it stalls every other
request of the process for that long; here it runs in a pool with one thread per core
(argon2 releases the GIL), so the loop keeps serving and a burst of sign-ins queues for the
cores instead of piling up threads.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from eziox.accounts import rules

_T = TypeVar("_T")

SLOTS = os.cpu_count() or 1
_POOL = ThreadPoolExecutor(max_workers=SLOTS, thread_name_prefix="eziox-argon2")
_DUMMY_HASH = rules.hash_password("not-a-real-password-only-for-timing")


async def _off_loop(work: Callable[..., _T], *args: str) -> _T:
    return await asyncio.get_running_loop().run_in_executor(_POOL, work, *args)


async def hash_password(password: str) -> str:
    """The argon2id hash; ValueError (before any hashing) when the password breaks a rule."""
    rules.check_password(password)
    return await _off_loop(rules.hash_password, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; ``None`` (no such account) costs the same and fails."""
    if password_hash is None:
        await _off_loop(rules.verify_password, _DUMMY_HASH, password)
        return False
    return await _off_loop(rules.verify_password, password_hash, password)
