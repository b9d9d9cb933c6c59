"""create_app(): lifespan, middleware order, error handlers, routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from eziox import __version__, migrate
from eziox.accounts.api import router as profile_router
from eziox.analytics.api import router as analytics_router
from eziox.auth.gate import ApiGate
from eziox.billing.api import router as stripe_router
from eziox.config import Settings, load_settings
from eziox.context import RequestContext
from eziox.errors import ServiceUnavailable, error_response, install_error_handlers
from eziox.kit.responses import JSONBytes
from eziox.links.api import router as links_router
from eziox.state import AppState
from eziox.templates.api import router as templates_router
from eziox.templates.catalog import catalog
from eziox.web.auth_pages import router as auth_pages_router
from eziox.web.dashboard import router as dashboard_router
from eziox.web.pages import router as pages_router
from eziox.web.previews import router as previews_router

log = logging.getLogger("eziox")

API_DESCRIPTION = """\
Integrate Eziox with your applications: read your profile, manage links, read analytics and
apply templates. Authenticate with `Authorization: Bearer ezx_…` (create a key in
Dashboard → API Access or with `eziox keys create`). Every error has the shape
`{"error": {"code", "message"}}`; every authenticated response carries `X-RateLimit-*` headers.
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


def create_app(settings: Settings | None = None, *, migrate_on_start: bool = True) -> FastAPI:
    settings = settings or load_settings()
    catalog()  # load and validate the template catalog now: a broken file stops start-up
    state = AppState.build(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if migrate_on_start:
            await prepare_database(state)
        state.rollup.start()
        yield
        await state.close()

    app = FastAPI(
        title="Eziox API",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        default_response_class=JSONBytes,
    )
    app.state.eziox = state
    install_error_handlers(app)
    _install_infrastructure_errors(app)
    app.include_router(profile_router)
    app.include_router(links_router)
    app.include_router(analytics_router)
    app.include_router(templates_router)
    app.include_router(stripe_router)
    _add_health(app, state)
    app.mount("/static", StaticFiles(packages=[("eziox.web", "static")]), name="static")
    app.include_router(previews_router)
    app.include_router(auth_pages_router)
    app.include_router(dashboard_router)
    app.include_router(pages_router)  # last: /{username} catches every other single segment
    # Added last = outermost: RequestContext wraps the gate, which wraps the routes.
    app.add_middleware(
        ApiGate, keys=state.keys, limiter=state.limiter, max_body=settings.max_body_bytes
    )
    app.add_middleware(RequestContext)
    return app


def _install_infrastructure_errors(app: FastAPI) -> None:
    async def unavailable(_: Request, exc: Exception) -> Response:
        log.warning("backing service unavailable: %s", exc.__class__.__name__, exc_info=True)
        return error_response(ServiceUnavailable())

    for exc_type in (OperationalError, InterfaceError, RedisError, ConnectionError):
        app.add_exception_handler(exc_type, unavailable)


def _add_health(app: FastAPI, state: AppState) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> Response:
        return JSONBytes({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        async with state.db.session() as session:
            await session.execute(text("SELECT 1"))
        await state.limiter.ping()
        return JSONBytes({"status": "ready"})
