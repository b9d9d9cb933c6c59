"""create_app(): lifespan, middleware order, error handlers, routers."""

from __future__ import annotations

import gc
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from eziox import __version__, migrate
from eziox.accounts.api import router as profile_router
from eziox.accounts.rules import RESERVED_USERNAMES
from eziox.analytics.api import router as analytics_router
from eziox.apikeys.api import router as usage_router
from eziox.auth.gate import ApiGate
from eziox.billing.api import MAX_EVENT_BYTES
from eziox.billing.api import router as stripe_router
from eziox.bodies import BodyReader
from eziox.conditional import Conditional
from eziox.config import Settings, load_settings
from eziox.domains.api import router as domains_router
from eziox.domains.api import tls_router
from eziox.errors import (
    ServiceUnavailable,
    Unauthorized,
    error_response,
    install_error_handlers,
    is_service_unavailable,
)
from eziox.groups.api import router as groups_router
from eziox.idempotency import IdempotencyLayer
from eziox.kit.responses import JSONBytes
from eziox.kit.slashes import relative_slash_redirects
from eziox.links.api import router as links_router
from eziox.openapi import finish_openapi, operation_id, restore_examples
from eziox.ops import metrics
from eziox.portability.api import router as portability_router
from eziox.readcache import ApiReadCache
from eziox.request_context import RequestContext
from eziox.state import AppState
from eziox.templates.api import router as templates_router
from eziox.templates.catalog import catalog
from eziox.web.api_docs import router as api_docs_router
from eziox.web.auth import router as auth_router
from eziox.web.dashboard import router as dashboard_router
from eziox.web.password_reset import router as password_reset_router
from eziox.web.previews import router as previews_router
from eziox.web.public import PublicPages
from eziox.web.public import router as public_router
from eziox.web.render import not_found_page
from eziox.webhooks.api import publish_url_policy
from eziox.webhooks.api import router as webhooks_router

log = logging.getLogger("eziox")

API_DESCRIPTION = """\
Integrate Eziox with your applications: read your profile, manage links, read analytics and
apply templates.

**Authentication.** Create a key in [Dashboard → API Access](/profile?tab=api) (or with
`eziox keys create`), then send it on every request; use **Authorize** above to try calls here.

```bash
curl -X GET "http://127.0.0.1:8000/v1/profile" \\
  -H "Authorization: Bearer ezx_your_api_key_here"
```

**Errors** always look like `{"error": {"code": "...", "message": "..."}}` (plus `retryAfter` on
429 and `details` on validation errors). **Rate limits** are per account per hour (Free 1,000 ·
Pro 5,000 · Creator 10,000 · Lifetime 10,000); every authenticated response carries
`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`.

Guides: [quickstart](/docs/quickstart.md) · [keys and permissions](/docs/keys-and-permissions.md)
· [rate limits](/docs/rate-limits.md) · [errors](/docs/errors.md) ·
[idempotent retries](/docs/idempotency.md) · [pagination](/docs/pagination.md) ·
[analytics](/docs/analytics.md) · [webhooks](/docs/webhooks.md)
"""


class SchemaOutOfDate(RuntimeError):
    pass


async def prepare_database(state: AppState) -> None:
    """Migrate the embedded SQLite default; on PostgreSQL insist that `eziox migrate` ran."""
    if state.settings.is_sqlite:
        await migrate.upgrade(state.db.engine)
        return
    current = await migrate.current_revision(state.db.engine)
    if current != migrate.head_revision():
        raise SchemaOutOfDate(
            f"database schema is at {current or 'nothing'}, the code needs "
            f"{migrate.head_revision()}: run `eziox migrate` first"
        )


class Eziox(FastAPI):
    """The app, with a fast lane in front of the framework's middleware stack: what the
    public hits most (anonymous bio pages and redirects) and every request to a verified
    custom domain go straight to `PublicPages`, wrapped only in `RequestContext` (request
    id, HEAD, errors, metrics, access log)."""

    public: PublicPages
    public_lane: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        public = self.public
        host = public.foreign_host(scope)  # None for the instance's own names: no lookup
        if (host is not None and await public.site_of(scope, host)) or public.claims(scope):
            await self.public_lane(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, *, migrate_on_start: bool = True) -> Eziox:
    settings = settings or load_settings()
    catalog()  # load and validate the template catalog now: a broken file stops start-up
    state = AppState.build(settings)
    app = Eziox(
        title="Eziox API",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=_lifespan(state, migrate_on_start=migrate_on_start),
        docs_url=None,
        redoc_url=None,
        default_response_class=JSONBytes,
        generate_unique_id_function=operation_id,
        # No OpenTelemetry here (Prometheus metrics instead): asking for its providers on
        # every request costs more than our whole access line.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.eziox = state
    _document(app, settings)
    install_error_handlers(app, not_found_page)
    _install_infrastructure_errors(app)
    _include_routes(app, state)
    _add_middleware(app, settings, state)
    _open_public_lane(app, state)
    return app


def _lifespan(
    state: AppState, *, migrate_on_start: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start-up (schema, roll-up, webhook and mail workers, frozen heap) and shut-down."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if migrate_on_start:
            await prepare_database(state)
        state.rollup.start()
        state.usage.start()
        if state.settings.webhook_worker:
            state.webhooks.start()
        if state.settings.mail_worker:
            state.mail.start()
        # What start-up built lives as long as the process: keep it out of every later
        # collection, whose pauses would otherwise show in the hot paths' tail latency.
        gc.collect()
        gc.freeze()
        yield
        await state.close()

    return lifespan


def _include_routes(app: FastAPI, state: AppState) -> None:
    """The /v1 routers, health, static files, then the pages; the order decides matches."""
    app.include_router(profile_router)
    app.include_router(links_router)
    app.include_router(groups_router)
    app.include_router(portability_router)
    app.include_router(analytics_router)
    app.include_router(templates_router)
    app.include_router(webhooks_router)
    app.include_router(domains_router)
    app.include_router(usage_router)
    app.include_router(stripe_router)
    _add_health(app, state)
    app.include_router(tls_router)
    app.mount("/static", StaticFiles(packages=[("eziox.web", "static")]), name="static")
    app.include_router(previews_router)
    app.include_router(api_docs_router)
    app.include_router(auth_router)
    app.include_router(password_reset_router)
    app.include_router(dashboard_router)
    app.include_router(public_router)  # last: /{username} catches every other single segment
    relative_slash_redirects(app.router)


def _add_middleware(app: FastAPI, settings: Settings, state: AppState) -> None:
    # Added last = outermost: RequestContext wraps the gate, which wraps the read cache and
    # the body reader, which wrap the routes (the gate refuses unauthenticated /v1 calls
    # before any body; the cache replays only what an authenticated, counted call may see).
    # Innermost, the idempotency layer sees whole bodies of authenticated POSTs.
    app.add_middleware(IdempotencyLayer, db=state.db)
    app.add_middleware(
        BodyReader,
        max_body=settings.max_body_bytes,
        timeout=settings.body_timeout,
        limits={"/webhooks/stripe": MAX_EVENT_BYTES},
    )
    app.add_middleware(
        ApiReadCache,
        versions=state.page_versions,
        recorder=state.recorder,
        size=settings.page_cache_size,
    )
    app.add_middleware(Conditional)  # tags GET answers (replays carry theirs), If-Match
    app.add_middleware(
        ApiGate,
        keys=state.keys,
        limiter=state.limiter,
        usage=state.usage,
        max_body=settings.max_body_bytes,
    )
    app.add_middleware(RequestContext)


def _open_public_lane(app: Eziox, state: AppState) -> None:
    """Anonymous bio pages and redirects, answered in front of the middleware stack."""
    public = PublicPages(state=state, taken=RESERVED_USERNAMES | _one_segment_paths(app))
    app.public = public
    app.public_lane = RequestContext(public)


def _one_segment_paths(app: FastAPI) -> frozenset[str]:
    """Names like "healthz" or "sign-in" that the app serves itself: never taken for a
    username (the public lane answers /{username} before routing)."""
    return frozenset(p[1:] for p in route_paths(app) if p.count("/") == 1 and "{" not in p)


def route_paths(app: FastAPI) -> set[str]:
    """Every route's path, those of included routers too (FastAPI keeps an included router
    as one entry of ``app.routes`` wrapping the router's own routes)."""
    paths: set[str] = set()
    pending: list[Any] = list(app.router.routes)
    while pending:
        route = pending.pop()
        nested = getattr(getattr(route, "original_router", route), "routes", None)
        if nested is not None and getattr(route, "path", None) is None:
            pending.extend(nested)
        elif isinstance(getattr(route, "path", None), str):
            paths.add(route.path)
    return paths


def _document(app: FastAPI, settings: Settings) -> None:
    """The OpenAPI document, generated once, with the shared rate-limit headers declared."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                license_info={"name": "MIT", "identifier": "MIT"},
                servers=[{"url": settings.public_url.rstrip("/"), "description": "This server"}],
                # One schema per model: what a request sends and a response answers have the
                # same shape here, and generators refuse `Model-Input`/`Model-Output` pairs.
                separate_input_output_schemas=False,
            )
            schema = publish_url_policy(schema, allow_http=settings.webhook_allow_http)
            app.openapi_schema = finish_openapi(restore_examples(schema, app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _install_infrastructure_errors(app: FastAPI) -> None:
    async def unavailable(_: Request, exc: Exception) -> Response:
        if not is_service_unavailable(exc):
            raise exc  # a real bug: RequestContext logs it and answers 500
        log.warning("backing service unavailable: %s", exc.__class__.__name__, exc_info=True)
        return error_response(ServiceUnavailable())

    for exc_type in (DBAPIError, RedisError, ConnectionError, TimeoutError):
        app.add_exception_handler(exc_type, unavailable)


def _add_health(app: FastAPI, state: AppState) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> Response:
        return JSONBytes({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        """Ready = the database and the limiter's store (Redis, when configured) answer."""
        async with state.db.session() as session:
            await session.execute(text("SELECT 1"))
        await state.limiter.ping()
        return JSONBytes({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def prometheus(request: Request) -> Response:
        token = state.settings.metrics_token
        sent = request.headers.get("authorization", "").encode()
        if token and not secrets.compare_digest(sent, f"Bearer {token}".encode()):
            return error_response(Unauthorized("Send the metrics token as a Bearer token."))
        return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)
