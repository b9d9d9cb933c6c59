"""Per-account hourly limits and per-IP failed-auth limits, in-process or in Redis.

The limiter also carries the *key-cache generation*: a counter bumped whenever a key is
revoked, an account deleted or a tier changed. The API checks it in the same round trip as
the rate-limit hit, so cached key lookups are invalidated across processes at once.
"""

from eziox.ratelimit.base import Hit, Limiter, window_bounds
from eziox.ratelimit.factory import make_limiter

__all__ = ["Hit", "Limiter", "make_limiter", "window_bounds"]
