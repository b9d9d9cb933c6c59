"""Landing page, sign-up, sign-in (limited per IP and per account) and sign-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import Response

from eziox.accounts.service import create_account, find_login, password_matches
from eziox.auth.gate import client_ip
from eziox.deps import app_state
from eziox.errors import Conflict, ValidationFailed
from eziox.models import Account
from eziox.ratelimit import Limiter
from eziox.state import AppState
from eziox.web.app_responses import csrf_failure, render_app, see_other
from eziox.web.sessions import (
    SESSION_COOKIE,
    clear_session_cookie,
    current_user,
    end_session,
    form_of,
    set_session_cookie,
    start_session,
)

router = APIRouter(include_in_schema=False)

SIGN_IN_WINDOW = 900
SIGN_IN_PER_IP = 20
SIGN_IN_PER_ACCOUNT = 10
SIGN_UP_WINDOW = 3600

Budget = tuple[str, int, int]  # limiter key, limit, window (s)


async def spend(limiter: Limiter, budgets: tuple[Budget, ...]) -> int:
    """Count one attempt against each budget *before* doing the work, atomically, so that
    parallel attempts cannot all pass a check made before any of them was counted.

    Returns 0, or the seconds until the first exhausted budget resets (later budgets are
    then left alone: an address over its limit spends nobody's account budget).
    """
    for key, limit, window in budgets:
        used, wait = await limiter.count(key, window, add=True)
        if used > limit:
            return wait
    return 0


async def _refund(limiter: Limiter, budgets: tuple[Budget, ...]) -> None:
    for key, _, window in budgets:
        await limiter.uncount(key, window)


def safe_next(target: str | None) -> str:
    """Only same-site paths may be redirect targets after sign-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/profile"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/profile"


def retry_message(wait: int) -> str:
    minutes = max(1, round(wait / 60))
    return f"Try again in about {minutes} minute{'s' if minutes > 1 else ''}."


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
    state = app_state(request)
    values = {k: form.get(k, "") for k in ("username", "email")}
    limit = state.settings.sign_up_limit
    wait = await spend(
        state.limiter, ((f"signup:ip:{client_ip(request.scope)}", limit, SIGN_UP_WINDOW),)
    )
    if wait:
        error = f"Too many new accounts from your network. {retry_message(wait)}"
        page = render_app(
            request, "app/sign_up.html", None, 429, error=error, values=values, errors={}
        )
        page.headers["Retry-After"] = str(wait)
        return page
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
    return await _signed_in(request, state, account.id, "/profile?tab=links&notice=welcome")


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
    state = app_state(request)
    login = form.get("login", "").strip().lower()[:254]
    next_url = safe_next(form.get("next"))
    async with state.db.session() as session:
        account = await find_login(session, login)
    budgets = _sign_in_budgets(request, account, login)
    wait = await spend(state.limiter, budgets)
    if wait:
        error = f"Too many sign-in attempts. {retry_message(wait)}"
        page = _sign_in_page(request, 429, error, login, next_url)
        page.headers["Retry-After"] = str(wait)
        return page
    matched = await password_matches(account, form.get("password", ""))  # same cost if None
    if account is None or not matched:
        error = "That username or password is not right."
        return _sign_in_page(request, 401, error, login, next_url)
    await _refund(state.limiter, budgets)  # only failed attempts use up the budgets
    return await _signed_in(request, state, account.id, next_url)


def _sign_in_budgets(request: Request, account: Account | None, login: str) -> tuple[Budget, ...]:
    """Attempts per address, and per account whichever name was typed (username or email);
    unknown names count per name."""
    subject = account.id if account else f"name:{login}"
    return (
        (f"signin:ip:{client_ip(request.scope)}", SIGN_IN_PER_IP, SIGN_IN_WINDOW),
        (f"signin:account:{subject}", SIGN_IN_PER_ACCOUNT, SIGN_IN_WINDOW),
    )


async def _signed_in(request: Request, state: AppState, account_id: str, target: str) -> Response:
    """Start the account's session (replacing the browser's old one) and go to ``target``."""
    token = await start_session(state.db, account_id, request.cookies.get(SESSION_COOKIE))
    response = see_other(target)
    set_session_cookie(response, request, token)
    return response


def _sign_in_page(request: Request, status: int, error: str, login: str, next_url: str) -> Response:
    values = {"login": login}
    return render_app(
        request, "app/sign_in.html", None, status, error=error, values=values, next=next_url
    )


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    user = await current_user(request)
    form = await form_of(request, user)
    if form is None:
        return csrf_failure(request, user)
    await end_session(app_state(request).db, request.cookies.get(SESSION_COOKIE))
    response = see_other("/")
    clear_session_cookie(response, request)
    return response
