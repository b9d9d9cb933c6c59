"""Landing page, sign-up, sign-in (limited per IP and per account) and sign-out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from eziox.accounts.service import authenticate, create_account
from eziox.auth.gate import client_ip
from eziox.errors import Conflict, ValidationFailed
from eziox.state import AppState
from eziox.web.app_pages import csrf_failure, form_of, render_app, safe_next, see_other
from eziox.web.sessions import (
    SESSION_COOKIE,
    clear_session_cookie,
    current_user,
    end_session,
    set_session_cookie,
    start_session,
)

router = APIRouter(include_in_schema=False)

SIGN_IN_WINDOW = 900
SIGN_IN_PER_IP = 20
SIGN_IN_PER_ACCOUNT = 10


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.eziox
    return state


@router.get("/")
async def landing(request: Request) -> Response:
    user = await current_user(request)
    if user:
        return see_other("/profile")
    return render_app(request, "app/landing.html", None)


@router.get("/sign-up")
async def sign_up_form(request: Request) -> Response:
    if await current_user(request):
        return see_other("/profile")
    return render_app(request, "app/sign_up.html", None, values={}, errors={})


@router.post("/sign-up")
async def sign_up(request: Request) -> Response:
    form = await form_of(request, None)
    if form is None:
        return csrf_failure(request, None)
    state = _state(request)
    values = {k: form.get(k, "") for k in ("username", "email")}
    try:
        async with state.db.transaction() as session:
            account = await create_account(
                session,
                username=values["username"],
                email=values["email"],
                password=form.get("password", ""),
            )
    except ValidationFailed as exc:
        errors = {d["field"]: d["message"].capitalize() + "." for d in exc.details}
        return render_app(request, "app/sign_up.html", None, 422, values=values, errors=errors)
    except Conflict as exc:
        field = "email" if "email" in exc.message else "username"
        errors = {field: exc.message}
        return render_app(request, "app/sign_up.html", None, 409, values=values, errors=errors)
    token = await start_session(state.db, account.id, request.cookies.get(SESSION_COOKIE))
    response = see_other("/profile?tab=links&notice=welcome")
    set_session_cookie(response, request, token)
    return response


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    if await current_user(request):
        return see_other("/profile")
    next_url = safe_next(request.query_params.get("next"))
    return render_app(request, "app/sign_in.html", None, values={}, next=next_url)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await form_of(request, None)
    if form is None:
        return csrf_failure(request, None)
    state = _state(request)
    login = form.get("login", "").strip().lower()[:254]
    next_url = safe_next(form.get("next"))
    ip = client_ip(request.scope)
    keys = (f"signin:ip:{ip}", SIGN_IN_PER_IP), (f"signin:login:{login}", SIGN_IN_PER_ACCOUNT)
    for key, limit in keys:
        used, wait = await state.limiter.count(key, SIGN_IN_WINDOW, add=False)
        if used >= limit:
            minutes = max(1, round(wait / 60))
            error = f"Too many sign-in attempts. Try again in about {minutes} minutes."
            page = render_app(
                request,
                "app/sign_in.html",
                None,
                429,
                error=error,
                values={"login": login},
                next=next_url,
            )
            page.headers["Retry-After"] = str(wait)
            return page
    async with state.db.session() as session:
        account = await authenticate(session, login, form.get("password", ""))
    if account is None:
        for key, _ in keys:
            await state.limiter.count(key, SIGN_IN_WINDOW, add=True)
        return render_app(
            request,
            "app/sign_in.html",
            None,
            401,
            error="That username or password is not right.",
            values={"login": login},
            next=next_url,
        )
    token = await start_session(state.db, account.id, request.cookies.get(SESSION_COOKIE))
    response = see_other(next_url)
    set_session_cookie(response, request, token)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    user = await current_user(request)
    form = await form_of(request, user)
    if form is None:
        return csrf_failure(request, user)
    await end_session(_state(request).db, request.cookies.get(SESSION_COOKIE))
    response = see_other("/")
    clear_session_cookie(response, request)
    return response
