"""The /v1 gate: authentication, rate limiting and request-shape checks in one ASGI layer.

It runs before routing for speed (one piece of middleware instead of a dependency chain);
which permission a route needs is still declared on the route itself (eziox.auth.guard).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Iterable

from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eziox.apikeys import keyformat
from eziox.apikeys.usage import UsageCounter
from eziox.auth.keycache import KeyCache
from eziox.auth.principal import Principal
from eziox.errors import (
    EzioxError,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
    error_response,
)
from eziox.ops import metrics
from eziox.ratelimit.base import Hit, Limiter

log = logging.getLogger("eziox.auth")

PRINCIPAL = "eziox.principal"
_BODY_METHODS = frozenset({b"POST", b"PATCH", b"PUT"})


def client_ip(scope: Scope) -> str:
    """Who is counted for per-address limits: the IPv4 address, or the IPv6 /64 network.

    One IPv6 host usually holds a whole /64, so counting single IPv6 addresses would let an
    attacker rotate through 2^64 of them; limits count the network instead.
    """
    client = scope.get("client")
    return address_bucket(client[0]) if client else "unknown"


def address_bucket(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address.ipv4_mapped or address) if address.version == 6 else str(address)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _bearer(scope: Scope) -> str | None:
    raw = _header(scope, b"authorization")
    if raw is None:
        return None
    scheme, _, token = raw.decode("latin-1").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def _rate_headers(limit: int, remaining: int, reset: int) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-ratelimit-limit", str(limit).encode()),
        (b"x-ratelimit-remaining", str(remaining).encode()),
        (b"x-ratelimit-reset", str(reset).encode()),
    ]


class ApiGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: KeyCache,
        limiter: Limiter,
        usage: UsageCounter,
        max_body: int,
        prefix: str = "/v1",
    ) -> None:
        self.app = app
        self.keys = keys
        self.limiter = limiter
        self.usage = usage
        self.max_body = max_body
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        extra: Iterable[tuple[bytes, bytes]] = ()
        try:
            principal, hit = await self._admit(scope)
            extra = _rate_headers(principal.limit, max(0, principal.limit - hit.count), hit.reset)
            limited = hit.count > principal.limit
            self.usage.note(principal.account_id, principal.key_id, limited=limited)
            if limited:
                raise RateLimited(hit.reset - int(time.time()))
            self._check_body(scope)
        except EzioxError as error:
            if isinstance(error, RateLimited):
                metrics.RATE_LIMITED.labels("account" if extra else "auth_failures").inc()
            await self._reject(error, extra, scope, receive, send)
            return
        except (RedisError, OSError):
            log.warning("rate-limit store unreachable: refusing /v1 requests", exc_info=True)
            self.keys.clear()  # cannot see invalidations while the store is away
            await self._reject(ServiceUnavailable(), extra, scope, receive, send)
            return
        scope.setdefault("state", {})[PRINCIPAL] = principal
        self.keys.note_use(principal)
        await self.app(scope, receive, self._with_headers(send, extra, principal, hit))

    async def _admit(self, scope: Scope) -> tuple[Principal, Hit]:
        ip = client_ip(scope)
        token = _bearer(scope)
        if token is None or not keyformat.is_well_formed(token):
            raise await self._failed(ip, "Missing or malformed API key." if not token else None)
        digest = keyformat.digest(token)
        principal = self.keys.cached(digest)
        # Failures are limited per address, valid keys are not: a correct key always gets
        # through (its account's budget still applies), so an attacker sharing an address
        # (a NAT, an office) cannot lock its legitimate users out.
        for _ in range(3):
            if principal is None:
                principal = await self.keys.load(digest, await self.limiter.generation())
                if principal is None:
                    raise await self._failed(ip)
            if principal.expires_at is not None and principal.expires_at.timestamp() <= time.time():
                raise await self._failed(ip, "This API key has expired.")
            hit = await self.limiter.hit(principal.account_id, principal.generation)
            if not hit.stale:
                return principal, hit
            self.keys.clear()
            principal = None
        raise ServiceUnavailable("API keys are changing too fast; retry.")

    async def _failed(self, ip: str, message: str | None = None) -> EzioxError:
        blocked = await self.limiter.fail(ip)
        if blocked:
            return RateLimited(blocked, "Too many failed authentications from this address.")
        return Unauthorized(message)

    def _check_body(self, scope: Scope) -> None:
        if scope["method"].encode() not in _BODY_METHODS:
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            raise PayloadTooLarge(f"The request body must be at most {self.max_body} bytes.")
        has_body = (length is not None and length != b"0") or (
            _header(scope, b"transfer-encoding") is not None
        )
        if has_body:
            media = (_header(scope, b"content-type") or b"").split(b";")[0].strip().lower()
            if media != b"application/json" and not media.endswith(b"+json"):
                raise UnsupportedMediaType()

    def _with_headers(
        self, send: Send, extra: Iterable[tuple[bytes, bytes]], principal: Principal, hit: Hit
    ) -> Send:
        headers = list(extra)

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                added = headers
                if message["status"] == 304:
                    added = await self._refund(principal, hit) or headers
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        return wrapped

    async def _refund(self, principal: Principal, hit: Hit) -> list[tuple[bytes, bytes]]:
        """A 304 is free: give its hit back, in the window it was counted in.

        The hit was counted before the route ran (only the answer tells a 304), so for that
        moment the account's count is one higher; the refund is one atomic decrement of the
        same window's counter, so no request is ever let through beyond the limit.
        """
        self.usage.note_not_modified(principal.account_id, principal.key_id)
        try:
            await self.limiter.refund(principal.account_id, hit.reset)
        except (RedisError, OSError):
            log.warning("could not refund a 304's rate-limit hit", exc_info=True)
            return []
        remaining = max(0, principal.limit - hit.count + 1)
        return _rate_headers(principal.limit, remaining, hit.reset)

    async def _reject(
        self,
        error: EzioxError,
        extra: Iterable[tuple[bytes, bytes]],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        response = error_response(error)
        response.raw_headers.extend(extra)
        await response(scope, receive, send)
