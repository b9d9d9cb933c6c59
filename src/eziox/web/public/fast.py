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

from starlette.types import Receive, Scope, Send

from eziox.kit.time import utcnow
from eziox.models import CLICK, VIEW
from eziox.pages.cache import VersionedCache
from eziox.pages.repository import LinkTarget, link_target, page_snapshot
from eziox.state import AppState
from eziox.web.public.page import RenderedPage, cache_control, rendered_for_visitors
from eziox.web.public.routes import GONE_LINK, no_one_named, sensitive_page
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

    async def _page(self, username: str) -> RenderedPage | None:
        async with self.db.session() as session:
            snapshot = await page_snapshot(session, username)
        return None if snapshot is None else rendered_for_visitors(snapshot, self.public_url)

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if path.startswith("/l/"):
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
        await self.counter.count(scope, page.account_id, None, VIEW)
        cache = cache_control(page.expires, time.time(), self.state.settings.page_cdn_ttl)
        if _header_has(scope, b"if-none-match", page.etag):
            await _answer(send, 304, [(b"etag", page.etag), (b"cache-control", cache)], b"")
        else:
            headers = [*page.headers, (b"etag", page.etag), (b"cache-control", cache)]
            await _answer(send, 200, headers, page.body)

    async def _redirect(self, scope: Scope, receive: Receive, send: Send, link_id: str) -> None:
        target = await self.caches.targets.get(link_id)
        if target is None or not target.live(utcnow()):
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
