"""The dashboard's form actions: `form_action` serves each as a POST run in one transaction.

Every action is a plain function of (session, signed-in user, submitted form, its own route
parameters); sign-in, the CSRF check, the transaction, error pages and the redirect with a
notice are done here, once.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from eziox.deps import app_state
from eziox.errors import EzioxError, ValidationFailed, from_validation_errors
from eziox.web.app_responses import csrf_failure, see_other
from eziox.web.dashboard.page import render_tab, sign_in_first
from eziox.web.sessions import SignedIn, current_user, form_of


@dataclass(frozen=True)
class ShowTab:
    """Render the tab (after the commit) with extra context instead of redirecting."""

    status: int
    extra: dict[str, Any]


@dataclass(frozen=True)
class AfterCommit:
    """A call to another service (Stripe) made once the transaction has ended: nobody waits
    on the write lock, and no transaction stays open, while the network answers."""

    run: Callable[[], Awaitable[Response]]


Outcome = str | Response | ShowTab | AfterCommit
P = ParamSpec("P")
R = TypeVar("R", bound=Outcome)
Action = Callable[Concatenate[AsyncSession, SignedIn, dict[str, str], P], Awaitable[R]]
BoundAction = Callable[[AsyncSession, SignedIn, dict[str, str]], Awaitable[Outcome]]
M = TypeVar("M", bound=BaseModel)


def form_action(
    router: APIRouter, path: str, *, tab: str, uploads: bool = False
) -> Callable[[Action[P, R]], Action[P, R]]:
    """Serve the decorated action as `POST {router.prefix}{path}`, a form of `tab`.

    The action's parameters after (session, user, form) are the route's own: path parameters,
    or `request: Request` when it needs the request. It returns a notice code (303 to the tab
    with that notice), a `Response`, `ShowTab` or `AfterCommit`. With `uploads`, the form is
    parsed and closed (its uploads' temporary files with it) however the request ends; other
    actions never parse the body of a request that is not signed in.
    """

    def register(action: Action[P, R]) -> Action[P, R]:
        own = list(inspect.signature(action, eval_str=True).parameters.values())[3:]
        wants_request = any(p.name == "request" for p in own)
        call = cast(Callable[..., Awaitable[Outcome]], action)

        async def endpoint(request: Request, **params: Any) -> Response:
            if wants_request:
                params["request"] = request

            async def bound(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> Outcome:
                return await call(session, user, form, **params)

            if not uploads:
                return await _run(request, tab, bound)
            try:
                return await _run(request, tab, bound)
            finally:
                await (await request.form()).close()

        endpoint.__signature__ = _route_signature(own)  # type: ignore[attr-defined]
        router.add_api_route(path, endpoint, methods=["POST"], name=action.__name__)
        return action

    return register


def _route_signature(own: list[inspect.Parameter]) -> inspect.Signature:
    """What FastAPI reads a route's parameters from: the request, then the action's own, so
    path parameters are declared exactly as on a plain route."""
    request = inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)
    rest = [p.replace(kind=p.KEYWORD_ONLY) for p in own if p.name != "request"]
    return inspect.Signature([request, *rest], return_annotation=Response)


async def _run(request: Request, tab: str, action: BoundAction) -> Response:
    """Run a form action in one transaction; errors re-render the tab with what was typed."""
    user = await current_user(request)
    if user is None:
        return sign_in_first(request)
    form = await form_of(request, user)
    if form is None:
        return csrf_failure(request, user)
    values = {k: v for k, v in form.items() if "password" not in k and k != "csrf_token"}
    try:
        async with app_state(request).db.transaction() as session:
            outcome = await action(session, user, form)
        if isinstance(outcome, AfterCommit):
            outcome = await outcome.run()
    except ValidationFailed as exc:
        errors = {d["field"]: d["message"] for d in exc.details} or {"form": exc.message}
        return await render_tab(request, user, tab, 422, errors=errors, values=values)
    except EzioxError as exc:
        return await render_tab(
            request, user, tab, exc.status, errors={"form": exc.message}, values=values
        )
    if isinstance(outcome, Response):
        return outcome
    if isinstance(outcome, ShowTab):
        return await render_tab(request, user, tab, outcome.status, **outcome.extra)
    return see_other(f"/profile?tab={tab}&notice={outcome}")


def optional_text(value: str | None) -> str | None:
    """A form field stripped, or None when it was left blank."""
    value = (value or "").strip()
    return value or None


def validated(model: type[M], data: dict[str, Any]) -> M:
    """`data` as `model`; pydantic's errors become one `ValidationFailed`, field by field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_errors(exc.errors()) from None
