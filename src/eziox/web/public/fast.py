"""GET /{username} and GET /l/{id} for anonymous visitors, answered before any routing.

These two paths are what the public hits, so they skip the framework's middleware, routing
and dependency machinery (only `RequestContext` wraps them, see `eziox.app.Eziox`): the
rendered page (or the link's target) comes from an in-process cache kept exact by the
accounts' page versions (`eziox.pages.cache`), the view or click is committed with its batch
(`eziox.analytics.recorder`), and the answer is written as raw ASGI messages. A signed-in
viewer's page is personal: it is left to the ordinary route in `eziox.web.public.routes`.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, quote

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from eziox.domains.repository import DomainSite, domain_site
from eziox.domains.sites import DomainSites, request_host
from eziox.kit.time import utcnow
from eziox.models import CLICK, VIEW
from eziox.pages.cache import VersionedCache
from eziox.pages.repository import LinkTarget, link_target, page_snapshot
from eziox.state import AppState
from eziox.web.public.page import (
    RenderedPage,
    cache_control,
    canonical_url,
    rendered_for_visitors,
)
from eziox.web.public.routes import (
    GONE_LINK,
    QR_DEFAULT_SCALE,
    invalid_qr_size,
    no_one_named,
    qr_image,
    qr_scale,
    sensitive_page,
)
from eziox.web.public.visits import VisitCounter
from eziox.web.render import not_found_page
from eziox.web.sessions import SESSION_COOKIE

_USERNAME = re.compile(r"/([a-z0-9_-]{3,30})")
_SIGNED_IN = f"{SESSION_COOKIE}=".encode()
_READS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True, slots=True)
class RouteName:
    """What metrics and the access log name the request by (as a matched route would)."""

    path: str


BIO_ROUTE = RouteName("/{username}")
LINK_ROUTE = RouteName("/l/{link_id}")
DOMAIN_ROUTE = RouteName("{domain}/")
DOMAIN_LINK_ROUTE = RouteName("{domain}/l/{link_id}")
SITE = "eziox.site"  # the scope key of the request's DomainSite (or the lookup's error)
# Served the same on every host, custom domains included: no lookup (the API on any name
# its clients use, and the files a page needs).
_ANY_HOST = ("/static/", "/v1/")
_QR_KINDS = {"/qr.svg": "svg", "/qr.png": "png"}


class PublicCaches:
    """This instance's rendered pages and link targets, dropped when a local commit changes
    them and re-checked against the database every `REVALIDATE_AFTER` seconds."""

    def __init__(self, state: AppState) -> None:
        self.db = state.db
        self.public_url = state.settings.public_url
        size = state.settings.page_cache_size
        self.pages: VersionedCache[str, RenderedPage] = VersionedCache(
            state.page_versions, self._page, size
        )
        self.targets: VersionedCache[str, LinkTarget] = VersionedCache(
            state.page_versions, self._target, size * 4
        )
        self.domain_pages: VersionedCache[str, RenderedPage] = VersionedCache(
            state.page_versions, self._domain_page, size
        )
        self.sites = DomainSites(state.db, state.page_versions, self.public_url, size * 4)

    async def _page(self, username: str) -> RenderedPage | None:
        async with self.db.session() as session:
            snapshot = await page_snapshot(session, username)
        return None if snapshot is None else rendered_for_visitors(snapshot, self.public_url)

    async def _domain_page(self, hostname: str) -> RenderedPage | None:
        async with self.db.session() as session:
            site = await domain_site(session, hostname)
            snapshot = None if site is None else await page_snapshot(session, site.username)
        if snapshot is None:
            return None
        return rendered_for_visitors(snapshot, self.public_url, hostname)

    async def _target(self, link_id: str) -> LinkTarget | None:
        async with self.db.session() as session:
            return await link_target(session, link_id)


class PublicPages:
    """The ASGI app for the requests it `claims`: anonymous GETs of pages and redirects."""

    def __init__(self, *, state: AppState, taken: frozenset[str]) -> None:
        self.state = state
        self.taken = taken  # reserved names and the app's own one-segment paths
        self.caches = PublicCaches(state)
        self.counter = VisitCounter(state)

    def claims(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in _READS:
            return False
        path: str = scope["path"]
        if path.startswith("/l/"):
            return len(path) > 3 and "/" not in path[3:]
        match = _USERNAME.fullmatch(path)
        # A signed-in viewer sees their own follow button: the route renders that page.
        return bool(match and match[1] not in self.taken and not _signed_in(scope))

    def foreign_host(self, scope: Scope) -> str | None:
        """The request's hostname when it is not one of the instance's own names."""
        if scope["type"] != "http" or scope["path"].startswith(_ANY_HOST):
            return None
        return self.caches.sites.foreign(request_host(scope))

    async def site_of(self, scope: Scope, hostname: str) -> bool:
        """Whether ``hostname`` is a verified custom domain: then this lane answers."""
        try:
            site = await self.caches.sites.get(hostname)
        except Exception as exc:
            scope[SITE] = exc
            return True
        if site is not None:
            scope[SITE] = site
        return site is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        site = scope.get(SITE)
        if site is not None:
            await self._domain(scope, receive, send, site)
        elif path.startswith("/l/"):
            scope["route"] = LINK_ROUTE
            await self._redirect(scope, receive, send, path[3:])
        else:
            scope["route"] = BIO_ROUTE
            await self._bio(scope, receive, send, path[1:])

    async def _bio(self, scope: Scope, receive: Receive, send: Send, username: str) -> None:
        page = await self.caches.pages.get(username)
        if page is None:
            await no_one_named(username)(scope, receive, send)
            return
        await self._page(scope, send, page)

    async def _page(self, scope: Scope, send: Send, page: RenderedPage) -> None:
        await self.counter.count(scope, page.account_id, None, VIEW)
        cache = cache_control(page.expires, time.time(), self.state.settings.page_cdn_ttl)
        if _header_has(scope, b"if-none-match", page.etag):
            await _answer(send, 304, [(b"etag", page.etag), (b"cache-control", cache)], b"")
        else:
            headers = [*page.headers, (b"etag", page.etag), (b"cache-control", cache)]
            await _answer(send, 200, headers, page.body)

    async def _redirect(
        self, scope: Scope, receive: Receive, send: Send, link_id: str, owner: str | None = None
    ) -> None:
        target = await self.caches.targets.get(link_id)
        if (
            target is None
            or not target.live(utcnow())
            or (owner is not None and target.account_id != owner)
        ):
            await not_found_page(GONE_LINK)(scope, receive, send)
            return
        if target.sensitive and ("continue", "1") not in _query(scope):
            await (await sensitive_page(self.state, target))(scope, receive, send)
            return  # nothing is counted until the visitor continues
        await self.counter.count(scope, target.account_id, link_id, CLICK)
        headers = [
            (b"location", _location(target.url)),
            (b"cache-control", b"no-store"),
            (b"referrer-policy", b"origin"),
            (b"content-length", b"0"),
        ]
        await _answer(send, 302, headers, b"")


    async def _domain(
        self, scope: Scope, receive: Receive, send: Send, site: DomainSite | Exception
    ) -> None:
        """A verified custom domain: the account's page at `/`, its own redirects and its QR
        code; nothing else of the site (static files and the API excepted: `foreign_host`)."""
        if isinstance(site, Exception):
            raise site  # the host lookup failed: answered like any other database failure
        path: str = scope["path"]
        if scope["method"] not in _READS:
            await _not_allowed()(scope, receive, send)
        elif path == "/":
            scope["route"] = DOMAIN_ROUTE
            page = await self.caches.domain_pages.get(site.hostname)
            if page is None:  # released since the lookup
                await not_found_page()(scope, receive, send)
            else:
                await self._page(scope, send, page)
        elif path.startswith("/l/") and len(path) > 3 and "/" not in path[3:]:
            scope["route"] = DOMAIN_LINK_ROUTE
            await self._redirect(scope, receive, send, path[3:], owner=site.account_id)
        elif path in _QR_KINDS:
            await self._domain_qr(site, _QR_KINDS[path], scope)(scope, receive, send)
        else:
            await not_found_page()(scope, receive, send)


    def _domain_qr(self, site: DomainSite, kind: str, scope: Scope) -> Response:
        scale = qr_scale(dict(_query(scope)).get("size", str(QR_DEFAULT_SCALE)))
        if scale is None:
            return invalid_qr_size()
        # Of the address it was scanned from: a creator may print one per domain.
        url = canonical_url(self.state.settings.public_url, site.username, site.hostname)
        return qr_image(url, kind, scale, site.username)


def _not_allowed() -> Response:
    page = not_found_page(
        "Only GET and HEAD are answered here.", status=405, heading="Method not allowed"
    )
    page.headers["Allow"] = "GET, HEAD"
    return page


def _signed_in(scope: Scope) -> bool:
    return _header_has(scope, b"cookie", _SIGNED_IN)


def _header_has(scope: Scope, name: bytes, needle: bytes) -> bool:
    return any(key == name and needle in value for key, value in scope["headers"])


def _query(scope: Scope) -> list[tuple[str, str]]:
    return parse_qsl(scope["query_string"].decode("latin-1"))


@lru_cache(maxsize=4096)
def _location(url: str) -> bytes:
    # As Starlette's RedirectResponse quotes it: stored URLs are validated, never rewritten.
    return quote(url, safe=":/%#?=@[]!$&'()*+,;").encode("latin-1")


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
