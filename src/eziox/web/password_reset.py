"""Forgot-password and reset-password pages.

The forgot page answers the same whether or not an account has the address (no account
discovery). Attempts are limited per IP (over it: a 429 page, which says nothing about the
address) and per address (over it: the same neutral page, and no mail), so that nobody can
flood someone's inbox.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from eziox.accounts import resets
from eziox.accounts.rules import normalize_email
from eziox.auth.gate import client_ip
from eziox.auth.web_sessions import WebSessionRepository
from eziox.deps import app_state
from eziox.errors import ValidationFailed
from eziox.kit.time import utcnow
from eziox.request_context import hide_path
from eziox.web.app_responses import csrf_failure, render_app, see_other
from eziox.web.auth import Budget, retry_message, spend
from eziox.web.sessions import SESSION_DAYS, current_user, form_of, set_session_cookie

router = APIRouter(include_in_schema=False)

FORGOT_WINDOW = 3600
FORGOT_PER_IP = 20
FORGOT_PER_ADDRESS = 3
MAX_TOKEN_LENGTH = 128
AFTER_RESET = "/profile?tab=settings&notice=password-changed"


@router.get("/forgot-password")
async def forgot_password_form(request: Request) -> Response:
    user = await current_user(request)
    return render_app(request, "app/forgot_password.html", user, values={}, sent=False)


@router.post("/forgot-password")
async def forgot_password(request: Request) -> Response:
    user = await current_user(request)
    form = await form_of(request, user)
    if form is None:
        return csrf_failure(request, user)
    state = app_state(request)
    email = form.get("email", "").strip()[:254]
    per_ip: Budget = (f"forgot:ip:{client_ip(request.scope)}", FORGOT_PER_IP, FORGOT_WINDOW)
    wait = await spend(state.limiter, (per_ip,))
    if wait:
        error = f"Too many requests from your network. {retry_message(wait)}"
        page = render_app(
            request, "app/forgot_password.html", user, 429, error=error, values={}, sent=False
        )
        page.headers["Retry-After"] = str(wait)
        return page
    if not await spend(state.limiter, ((_address_key(email), FORGOT_PER_ADDRESS, FORGOT_WINDOW),)):
        async with state.db.transaction() as session:
            await resets.request_reset(session, email, state.settings.public_url, utcnow())
    return render_app(request, "app/forgot_password.html", user, values={"email": email}, sent=True)


def _address_key(email: str) -> str:
    try:
        return f"forgot:email:{normalize_email(email)}"
    except ValueError:
        return "forgot:email:(invalid)"


def _invalid_link(request: Request) -> Response:
    return render_app(
        request,
        "app/message.html",
        None,
        410,
        title="This link does not work any more",
        message="Password-reset links work once, for one hour. This one was used already, has "
        "expired, or was never ours. Nothing was changed: ask for a new link.",
        back="/forgot-password",
    )


def _usable(token: str) -> bool:
    return 0 < len(token) <= MAX_TOKEN_LENGTH and token.isascii()


@router.get("/reset-password/{token}")
async def reset_password_form(request: Request, token: str) -> Response:
    hide_path(request.scope)  # the token must not reach the access log
    if not _usable(token):
        return _invalid_link(request)
    async with app_state(request).db.session() as session:
        account = await resets.reset_account(session, token, utcnow())
    if account is None:
        return _invalid_link(request)
    return _reset_page(request, token, account.username, {})


def _reset_page(
    request: Request, token: str, username: str, errors: dict[str, str], status: int = 200
) -> Response:
    # The token is in this page's URL. Referrer-Policy stays same-origin (the app's), so
    # no other site is told the URL; "no-referrer" would make browsers send `Origin: null`
    # with the form, which the CSRF check rightly refuses.
    return render_app(
        request,
        "app/reset_password.html",
        None,
        status,
        token=token,
        username=username,
        errors=errors,
    )


@router.post("/reset-password/{token}")
async def reset_password(request: Request, token: str) -> Response:
    hide_path(request.scope)
    form = await form_of(request, None)
    if form is None:
        return csrf_failure(request, None)
    if not _usable(token):
        return _invalid_link(request)
    state = app_state(request)
    async with state.db.session() as session:
        account = await resets.reset_account(session, token, utcnow())
    if account is None:
        return _invalid_link(request)
    try:  # hashed before the write transaction: SQLite's writer turn is not held meanwhile
        password_hash = await resets.hash_new_password(form.get("password", ""))
    except ValidationFailed as exc:
        errors = {d["field"]: d["message"].capitalize() + "." for d in exc.details}
        return _reset_page(request, token, account.username, errors, 422)
    cookie = secrets.token_urlsafe(32)
    async with state.db.transaction() as session:
        done = await resets.complete_reset(session, token, password_hash, utcnow())
        if done is not None:  # every old session is gone; this browser gets a new one
            expires = utcnow() + timedelta(days=SESSION_DAYS)
            WebSessionRepository(session).add(cookie, done.id, expires)
    if done is None:
        return _invalid_link(request)
    response = see_other(AFTER_RESET)
    set_session_cookie(response, request, cookie)
    return response
