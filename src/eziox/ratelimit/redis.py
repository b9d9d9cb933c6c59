"""Redis limiter: atomic across processes and instances, one round trip per event-loop turn.

A fixed window per account (INCR + EXPIRE inside one Lua script) — never read-then-write —
so exactly ``limit`` requests succeed per window however many instances share Redis. The
hits of the requests that reach the limiter in one turn of the event loop go to Redis as
one pipeline: each is still its own script run, in order, but they share one round trip
(a pipeline of 16 costs the process about a third of what 16 separate calls do).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from eziox.ratelimit.base import Hit, window_bounds

# KEYS: generation, counter. ARGV: expected generation, counter ttl.
_HIT = """
local generation = redis.call('GET', KEYS[1]) or '0'
if generation ~= ARGV[1] then return {-1, generation} end
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
return {count, generation}
"""

# KEYS: failures. ARGV: window seconds.
_FAIL = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""

# KEYS: counter. Never below zero, never creates the key (its window may have ended).
_UNCOUNT = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return count
"""


def _seconds(pttl_ms: int) -> int:
    return max(1, -(-int(pttl_ms) // 1000))


class RedisLimiter:
    def __init__(
        self, client: Redis, *, prefix: str, window: int, failure_limit: int, failure_window: int
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.window = window
        self.failure_limit = failure_limit
        self.failure_window = failure_window
        self._hits = _PipelinedScript(client, _HIT)
        self._fail = client.register_script(_FAIL)
        self._uncount = client.register_script(_UNCOUNT)
        self._generation_key = f"{prefix}:keycache:generation"

    def _counter_key(self, account_id: str, start: int) -> str:
        return f"{self.prefix}:rl:{account_id}:{start}"

    def _failure_key(self, client_ip: str) -> str:
        return f"{self.prefix}:authfail:{client_ip}"

    async def hit(self, account_id: str, generation: str) -> Hit:
        start, reset = window_bounds(self.window)
        keys = [self._generation_key, self._counter_key(account_id, start)]
        result = await self._hits.run(keys, [generation, self.window + 60])
        count, current = int(result[0]), _text(result[1])
        if count == -1:
            return Hit(generation=current, stale=True)
        return Hit(count=count, reset=reset, generation=current)

    async def refund(self, account_id: str, reset: int) -> None:
        # One atomic DECR-if-positive on that window's own key: exact across instances.
        await self._uncount(keys=[self._counter_key(account_id, reset - self.window)])

    async def usage(self, account_id: str) -> tuple[int, int]:
        start, reset = window_bounds(self.window)
        value = await self.client.get(self._counter_key(account_id, start))
        return int(value or 0), reset

    async def fail(self, client_ip: str) -> int:
        count, pttl = await self._fail(
            keys=[self._failure_key(client_ip)], args=[self.failure_window]
        )
        return _seconds(pttl) if int(count) > self.failure_limit else 0

    def _count_key(self, key: str, window: int) -> str:
        start, _ = window_bounds(window)
        return f"{self.prefix}:count:{key}:{window}:{start}"

    async def count(self, key: str, window: int, *, add: bool) -> tuple[int, int]:
        _, reset = window_bounds(window)
        name = self._count_key(key, window)
        if add:
            count, _ = await self._fail(keys=[name], args=[window + 60])
        else:
            count = await self.client.get(name) or 0
        return int(count), max(1, reset - int(time.time()))

    async def uncount(self, key: str, window: int) -> None:
        await self._uncount(keys=[self._count_key(key, window)])

    async def generation(self) -> str:
        return _text(await self.client.get(self._generation_key) or b"0")

    async def bump_generation(self) -> None:
        await self.client.incr(self._generation_key)

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()


class _PipelinedScript:
    """A Lua script whose runs requested in one turn of the event loop share a pipeline."""

    def __init__(self, client: Redis, source: str) -> None:
        self.client = client
        self.script = client.register_script(source)
        self._queued: list[tuple[list[Any], asyncio.Future[Any]]] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def run(self, keys: list[str], args: list[Any]) -> Any:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        if not self._queued:
            loop.call_soon(self._send_queued)
        self._queued.append(([len(keys), *keys, *args], answer))
        return await answer

    def _send_queued(self) -> None:
        queued, self._queued = self._queued, []
        task = asyncio.create_task(self._send(queued))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, queued: list[tuple[list[Any], asyncio.Future[Any]]]) -> None:
        try:
            results = await self._pipeline(queued)
            lost = [n for n, result in enumerate(results) if isinstance(result, NoScriptError)]
            if lost:  # Redis lost its scripts (restarted, flushed): these runs did not happen
                await self.client.script_load(self.script.script)
                again = await self._pipeline([queued[n] for n in lost])
                for n, result in zip(lost, again, strict=True):
                    results[n] = result
        except BaseException as exc:  # every request of the turn answers with the error
            for _, answer in queued:
                if answer.done():
                    continue
                if isinstance(exc, asyncio.CancelledError):
                    answer.cancel()
                else:
                    answer.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, answer), result in zip(queued, results, strict=True):
            if answer.done():
                continue
            if isinstance(result, Exception):
                answer.set_exception(result)
            else:
                answer.set_result(result)

    async def _pipeline(self, queued: list[tuple[list[Any], asyncio.Future[Any]]]) -> list[Any]:
        pipe = self.client.pipeline(transaction=False)
        for arguments, _ in queued:
            pipe.evalsha(self.script.sha, *arguments)
        return list(await pipe.execute(raise_on_error=False))


def _text(value: bytes | str | int) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
