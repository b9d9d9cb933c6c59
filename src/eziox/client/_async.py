"""The asyncio client: ``AsyncEziox`` on ``httpx.AsyncClient`` (calls are in _operations)."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator
from types import TracebackType
from typing import TypeVar, Unpack

import httpx

from eziox.client import _operations as ops
from eziox.client._core import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_WAIT,
    DEFAULT_TIMEOUT,
    Config,
    Engine,
    Operation,
    Wait,
)
from eziox.client.models import (
    Analytics,
    Breakdown,
    Dimension,
    Link,
    LinkAnalytics,
    LinkPage,
    LinkUpdate,
    Metric,
    Period,
    Profile,
    ProfileUpdate,
    RateLimit,
    Template,
    Usage,
)

T = TypeVar("T")


class AsyncEziox:
    """An asyncio client of the Eziox API v1: ``Eziox`` with ``await``.

    ``api_key`` defaults to ``EZIOX_API_KEY`` and ``base_url`` to ``EZIOX_BASE_URL`` or
    ``http://127.0.0.1:8000``. Every failure raises ``EzioxError``. A 429 is retried after
    the ``Retry-After`` the server names (at most ``max_retries`` times, and only when that
    is at most ``max_retry_wait`` seconds); GETs and POSTs (which carry an Idempotency-Key,
    the same on every retry) are also retried after a 503 or a failed connection.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        config = Config.create(api_key, base_url, timeout, max_retries, max_retry_wait)
        self._engine = Engine(config)
        self._http = http_client or httpx.AsyncClient()
        self._owns_http = http_client is None
        self.profile = AsyncProfileResource(self)
        self.links = AsyncLinksResource(self)
        self.analytics = AsyncAnalyticsResource(self)
        self.templates = AsyncTemplatesResource(self)

    @property
    def base_url(self) -> str:
        return self._engine.config.base_url

    @property
    def rate_limit(self) -> RateLimit | None:
        """The rate-limit headers of the latest answer (None before the first call)."""
        return self._engine.rate_limit

    def iter_links(
        self, *, active: bool | None = None, page_size: int = 100
    ) -> AsyncIterator[Link]:
        """Every link in order, fetching pages of ``page_size`` as needed."""
        return self.links.iter(active=active, page_size=page_size)

    async def usage(self, *, days: int = 30, tz: str = "UTC") -> Usage:
        """Requests per key per day over ``days`` (1 to 90) and the hourly budget now."""
        return await self._send(ops.get_usage(days=days, tz=tz))

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncEziox:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncEziox(base_url={self.base_url!r})"

    async def _send(self, operation: Operation[T]) -> T:
        attempt = 0
        outcome: T | Wait
        while True:
            try:
                response = await self._http.send(self._engine.request(operation))
            except httpx.RequestError as exc:
                outcome = self._engine.failure(operation, exc, attempt)
            else:
                outcome = self._engine.answer(operation, response, attempt)
            if not isinstance(outcome, Wait):
                return outcome
            await asyncio.sleep(outcome.seconds)
            attempt += 1


class AsyncProfileResource:
    def __init__(self, client: AsyncEziox) -> None:
        self._client = client

    async def get(self) -> Profile:
        return await self._client._send(ops.get_profile())

    async def update(self, **fields: Unpack[ProfileUpdate]) -> Profile:
        """Change name, bio, avatar, banner, theme or design; returns the profile."""
        return await self._client._send(ops.update_profile(fields))


class AsyncLinksResource:
    def __init__(self, client: AsyncEziox) -> None:
        self._client = client

    async def list(
        self, *, limit: int = 50, offset: int = 0, active: bool | None = None
    ) -> LinkPage:
        """One page of links in order (``limit`` 1..100)."""
        return await self._client._send(ops.list_links(limit=limit, offset=offset, active=active))

    async def iter(
        self, *, active: bool | None = None, page_size: int = 100
    ) -> AsyncIterator[Link]:
        """Every link in order, fetching pages of ``page_size`` as needed."""
        offset: int | None = 0
        while offset is not None:
            page = await self.list(limit=page_size, offset=offset, active=active)
            for link in page.links:
                yield link
            offset = page.next_offset

    async def get(self, link_id: str) -> Link:
        return await self._client._send(ops.get_link(link_id))

    async def create(
        self,
        title: str,
        url: str,
        *,
        description: str | None = None,
        thumbnail: str | None = None,
        is_active: bool = True,
    ) -> Link:
        """Add a link at the end of the order."""
        operation = ops.create_link(
            title=title, url=url, description=description, thumbnail=thumbnail, is_active=is_active
        )
        return await self._client._send(operation)

    async def update(self, link_id: str, **fields: Unpack[LinkUpdate]) -> Link:
        """Change any of title, url, description, thumbnail, is_active, order."""
        return await self._client._send(ops.update_link(link_id, fields))

    async def delete(self, link_id: str) -> None:
        await self._client._send(ops.delete_link(link_id))


class AsyncAnalyticsResource:
    def __init__(self, client: AsyncEziox) -> None:
        self._client = client

    async def get(
        self, *, period: Period = "30d", metric: Metric = "all", tz: str = "UTC"
    ) -> Analytics:
        """Totals and one entry per day of the period (days end at midnight in ``tz``)."""
        return await self._client._send(ops.get_analytics(period=period, metric=metric, tz=tz))

    async def csv(self, *, period: Period = "30d", metric: Metric = "all", tz: str = "UTC") -> str:
        """The daily series as CSV text, with a header row."""
        return await self._client._send(ops.analytics_csv(period=period, metric=metric, tz=tz))

    async def link(self, link_id: str, *, period: Period = "30d", tz: str = "UTC") -> LinkAnalytics:
        """One link's clicks per day."""
        return await self._client._send(ops.link_analytics(link_id, period=period, tz=tz))

    async def breakdown(
        self, dimension: Dimension, *, period: Period = "30d", limit: int = 10, tz: str = "UTC"
    ) -> Breakdown:
        """Top referrers, devices, browsers, os, countries or links, with shares."""
        return await self._client._send(ops.breakdown(dimension, period=period, limit=limit, tz=tz))


class AsyncTemplatesResource:
    def __init__(self, client: AsyncEziox) -> None:
        self._client = client

    async def list(self, *, category: str | None = None) -> builtins.list[Template]:
        return await self._client._send(ops.list_templates(category))

    async def get(self, template_id: str) -> Template:
        return await self._client._send(ops.get_template(template_id))

    async def apply(self, template_id: str) -> Profile:
        """Use the template on your bio page (sets theme, clears design); returns the profile."""
        return await self._client._send(ops.apply_template(template_id))
