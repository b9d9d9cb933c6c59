"""Pick the limiter backend from the settings."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis

from eziox.config import Settings
from eziox.ratelimit.base import Limiter
from eziox.ratelimit.memory import MemoryLimiter
from eziox.ratelimit.redis import RedisLimiter


def make_limiter(settings: Settings) -> Limiter:
    common = {
        "window": settings.rate_limit_window,
        "failure_limit": settings.auth_failure_limit,
        "failure_window": settings.auth_failure_window,
    }
    if settings.redis_url:
        # A blocking pool: a burst waits briefly for a connection instead of failing.
        pool = BlockingConnectionPool.from_url(
            settings.redis_url,
            max_connections=64,
            timeout=5,
            socket_timeout=2,
            socket_connect_timeout=2,
            health_check_interval=30,
        )
        client = Redis.from_pool(pool)
        return RedisLimiter(client, prefix=settings.redis_prefix, **common)
    return MemoryLimiter(generation_file=settings.data_dir / "eziox-keycache.gen", **common)
