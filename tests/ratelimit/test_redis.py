"""The Redis limiter sends the hits of one event-loop turn as one pipeline: each is still
counted exactly once, in order, and a Redis that lost its scripts loses no hit."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from eziox.errors import is_service_unavailable
from eziox.ratelimit.redis import RedisLimiter
from tests.process.servers import PrivateRedis


def limiter_on(redis: PrivateRedis) -> RedisLimiter:
    client = Redis.from_url(redis.url)
    return RedisLimiter(client, prefix="t", window=3600, failure_limit=5, failure_window=60)


async def test_hits_arriving_together_each_count_once(private_redis: PrivateRedis) -> None:
    limiter = limiter_on(private_redis)
    try:
        hits = await asyncio.gather(*(limiter.hit("acc_a", "0") for _ in range(60)))
        others = await asyncio.gather(*(limiter.hit("acc_b", "0") for _ in range(7)))
        assert sorted(hit.count for hit in hits) == list(range(1, 61))
        assert [hit.count for hit in others] == list(range(1, 8))  # in the order asked
        assert (await limiter.usage("acc_a"))[0] == 60
    finally:
        await limiter.close()


async def test_a_redis_that_lost_its_scripts_still_counts_every_hit(
    private_redis: PrivateRedis,
) -> None:
    limiter = limiter_on(private_redis)
    try:
        assert (await limiter.hit("acc_a", "0")).count == 1
        await limiter.client.script_flush()  # as a restart of Redis would
        hits = await asyncio.gather(*(limiter.hit("acc_a", "0") for _ in range(10)))
        assert sorted(hit.count for hit in hits) == list(range(2, 12))
    finally:
        await limiter.close()


async def test_hits_while_redis_is_down_each_fail_with_the_lost_connection(
    private_redis: PrivateRedis,
) -> None:
    limiter = limiter_on(private_redis)
    try:
        assert (await limiter.hit("acc_a", "0")).count == 1
        private_redis.kill()
        outcomes = await asyncio.gather(
            *(limiter.hit("acc_a", "0") for _ in range(5)), return_exceptions=True
        )
        # What the API answers 503 for (eziox.errors.is_service_unavailable), to each request.
        assert all(isinstance(outcome, RedisConnectionError) for outcome in outcomes), outcomes
        assert all(is_service_unavailable(outcome) for outcome in outcomes)
    finally:
        await limiter.close()


@pytest.mark.parametrize("stale", ["1", "7"])
async def test_a_stale_generation_is_told_not_counted(
    private_redis: PrivateRedis, stale: str
) -> None:
    limiter = limiter_on(private_redis)
    try:
        await limiter.bump_generation()  # the key cache's generation is now 1
        hits = await asyncio.gather(limiter.hit("acc_a", stale), limiter.hit("acc_a", "1"))
        if stale == "1":
            assert [hit.count for hit in hits] == [1, 2]
        else:
            assert hits[0].stale
            assert hits[1].count == 1  # the stale one counted nothing
    finally:
        await limiter.close()
