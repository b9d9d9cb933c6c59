"""What a route may ask for: the app's state, its settings, and the request's session.

The one place that reads Starlette's untyped ``app.state``; everything else asks here, as a
FastAPI dependency (``AppSettings``, ``DbSession``) or, outside a dependency (a
form action, a middleware), through ``app_state``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from eziox.conditional import STALE
from eziox.config import Settings
from eziox.errors import PreconditionFailed
from eziox.idempotency import held_claim
from eziox.state import AppState

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def app_state(connection: HTTPConnection) -> AppState:
    """The resources of the app serving this request (set up by ``eziox.app.create_app``)."""
    state: AppState = connection.app.state.eziox
    return state


def app_settings(connection: HTTPConnection) -> Settings:
    return app_state(connection).settings


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session; committed once after the handler returns, before the response.

    A request whose If-Match did not hold (`eziox.conditional`) ran to this point so that
    its own refusals (403, 422, 404, 409) came first, as RFC 9110 orders them; it answers
    412 here and its transaction is rolled back: nothing changes.
    """
    database = app_state(request).db
    write = request.method not in _READ_METHODS
    claim = held_claim(request.scope) if write else None
    if claim is not None:
        # A POST with an Idempotency-Key: committed with its stored answer (eziox.idempotency).
        session = await claim.open_session()
        try:
            yield session
        except BaseException:
            await claim.close_session()
            raise
        claim.defer(session)
        return
    async with database.session(write=write) as session:
        yield session
        if request.scope.get("state", {}).get(STALE):
            raise PreconditionFailed()
        await database.commit(session)


AppSettings = Annotated[Settings, Depends(app_settings)]
DbSession = Annotated[AsyncSession, Depends(request_session, scope="function")]
