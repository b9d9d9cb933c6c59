"""The blocking client: ``Eziox`` on ``httpx.Client`` (the calls themselves are in _operations)."""

from __future__ import annotations

import builtins
import time
from collections.abc import Iterator
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


class Eziox:
    """A client of the Eziox API v1.

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
        http_client: httpx.Client | None = None,
    ) -> None:
        config = Config.create(api_key, base_url, timeout, max_retries, max_retry_wait)
        self._engine = Engine(config)
        self._http = http_client or httpx.Client()
        self._owns_http = http_client is None
        self.profile = ProfileResource(self)
        self.links = LinksResource(self)
        self.analytics = AnalyticsResource(self)
        self.templates = TemplatesResource(self)

    @property
    def base_url(self) -> str:
        return self._engine.config.base_url

    @property
    def rate_limit(self) -> RateLimit | None:
        """The rate-limit headers of the latest answer (None before the first call)."""
        return self._engine.rate_limit

    def iter_links(self, *, active: bool | None = None, page_size: int = 100) -> Iterator[Link]:
        """Every link in order, fetching pages of ``page_size`` as needed."""
        return self.links.iter(active=active, page_size=page_size)

    def usage(self, *, days: int = 30, tz: str = "UTC") -> Usage:
        """Requests per key per day over ``days`` (1 to 90) and the hourly budget now."""
        return self._send(ops.get_usage(days=days, tz=tz))

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Eziox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Eziox(base_url={self.base_url!r})"

    def _send(self, operation: Operation[T]) -> T:
        attempt = 0
        outcome: T | Wait
        while True:
            try:
                response = self._http.send(self._engine.request(operation))
            except httpx.RequestError as exc:
                outcome = self._engine.failure(operation, exc, attempt)
            else:
                outcome = self._engine.answer(operation, response, attempt)
            if not isinstance(outcome, Wait):
                return outcome
            time.sleep(outcome.seconds)
            attempt += 1


class ProfileResource:
    def __init__(self, client: Eziox) -> None:
        self._client = client

    def get(self) -> Profile:
        return self._client._send(ops.get_profile())

    def update(self, **fields: Unpack[ProfileUpdate]) -> Profile:
        """Change name, bio, avatar, banner, theme or design; returns the profile."""
        return self._client._send(ops.update_profile(fields))


class LinksResource:
    def __init__(self, client: Eziox) -> None:
        self._client = client

    def list(self, *, limit: int = 50, offset: int = 0, active: bool | None = None) -> LinkPage:
        """One page of links in order (``limit`` 1..100)."""
        return self._client._send(ops.list_links(limit=limit, offset=offset, active=active))

    def iter(self, *, active: bool | None = None, page_size: int = 100) -> Iterator[Link]:
        """Every link in order, fetching pages of ``page_size`` as needed."""
        offset: int | None = 0
        while offset is not None:
            page = self.list(limit=page_size, offset=offset, active=active)
            yield from page.links
            offset = page.next_offset

    def get(self, link_id: str) -> Link:
        return self._client._send(ops.get_link(link_id))

    def create(
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
        return self._client._send(operation)

    def update(self, link_id: str, **fields: Unpack[LinkUpdate]) -> Link:
        """Change any of title, url, description, thumbnail, is_active, order."""
        return self._client._send(ops.update_link(link_id, fields))

    def delete(self, link_id: str) -> None:
        self._client._send(ops.delete_link(link_id))


class AnalyticsResource:
    def __init__(self, client: Eziox) -> None:
        self._client = client

    def get(self, *, period: Period = "30d", metric: Metric = "all", tz: str = "UTC") -> Analytics:
        """Totals and one entry per day of the period (days end at midnight in ``tz``)."""
        return self._client._send(ops.get_analytics(period=period, metric=metric, tz=tz))

    def csv(self, *, period: Period = "30d", metric: Metric = "all", tz: str = "UTC") -> str:
        """The daily series as CSV text, with a header row."""
        return self._client._send(ops.analytics_csv(period=period, metric=metric, tz=tz))

    def link(self, link_id: str, *, period: Period = "30d", tz: str = "UTC") -> LinkAnalytics:
        """One link's clicks per day."""
        return self._client._send(ops.link_analytics(link_id, period=period, tz=tz))

    def breakdown(
        self, dimension: Dimension, *, period: Period = "30d", limit: int = 10, tz: str = "UTC"
    ) -> Breakdown:
        """Top referrers, devices, browsers, os, countries or links, with shares."""
        return self._client._send(ops.breakdown(dimension, period=period, limit=limit, tz=tz))


class TemplatesResource:
    def __init__(self, client: Eziox) -> None:
        self._client = client

    def list(self, *, category: str | None = None) -> builtins.list[Template]:
        return self._client._send(ops.list_templates(category))

    def get(self, template_id: str) -> Template:
        return self._client._send(ops.get_template(template_id))

    def apply(self, template_id: str) -> Profile:
        """Use the template on your bio page (sets theme, clears design); returns the profile."""
        return self._client._send(ops.apply_template(template_id))
