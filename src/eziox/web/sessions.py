"""Browser sessions and CSRF for the dashboard.

The session cookie is a random token (HttpOnly, SameSite=Lax, Secure on https); the database
keeps only its SHA-256, so a leaked table signs nobody in. Every state-changing form carries
a CSRF token: the session's own once signed in, a double-submit cookie before that.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from eziox.auth.web_sessions import WebSessionRepository
from eziox.db import Database
from eziox.deps import app_state
from eziox.kit.time import utcnow
from eziox.models import Account

SESSION_COOKIE = "eziox_session"
CSRF_COOKIE = "eziox_csrf"
SESSION_DAYS = 14
_CURRENT = "eziox.web_session"


@dataclass(frozen=True, slots=True)
class SignedIn:
    account: Account
    csrf_token: str


def _secure(request: Request) -> bool:
    return app_state(request).settings.public_url.startswith("https://")


async def start_session(db: Database, account_id: str, old_token: str | None) -> str:
    """A fresh session for the account; any session the browser had is ended (no fixation)."""
    token = secrets.token_urlsafe(32)
    async with db.transaction() as session:
        sessions = WebSessionRepository(session)
        if old_token:
            await sessions.remove(old_token)
        sessions.add(token, account_id, utcnow() + timedelta(days=SESSION_DAYS))
    return token


async def end_session(db: Database, token: str | None) -> None:
    if token:
        async with db.transaction() as session:
            await WebSessionRepository(session).remove(token)


async def end_other_sessions(session: AsyncSession, account_id: str, keep: str | None) -> None:
    """Sign the account out of every browser but the one holding ``keep`` (its token)."""
    await WebSessionRepository(session).remove_all_but(account_id, keep)


async def current_user(request: Request) -> SignedIn | None:
    """The signed-in account of this request, if any (looked up once per request)."""
    if _CURRENT in request.scope:
        found: SignedIn | None = request.scope[_CURRENT]
        return found
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token:
        async with app_state(request).db.session() as session:
            row = await WebSessionRepository(session).signed_in(token, utcnow())
        if row is not None:
            found = SignedIn(*row)
    request.scope[_CURRENT] = found
    return found


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )


def anonymous_csrf(request: Request) -> str:
    """The double-submit token for forms shown before sign-in (set by `ensure_csrf_cookie`)."""
    return request.cookies.get(CSRF_COOKIE) or request.scope.setdefault(
        "eziox.new_csrf", secrets.token_urlsafe(32)
    )


def ensure_csrf_cookie(response: Response, request: Request) -> None:
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(
            CSRF_COOKIE,
            anonymous_csrf(request),
            httponly=True,
            samesite="lax",
            secure=_secure(request),
            path="/",
        )


def csrf_ok(request: Request, submitted: str | None, user: SignedIn | None) -> bool:
    """Constant-time check of a form's token against the session's (or the cookie's)."""
    expected = user.csrf_token if user else request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def same_site_origin(request: Request) -> bool:
    """False when the browser says a form was sent from another site (checked with the token).

    No Origin header passes (older browsers and non-browser clients omit it; the CSRF token
    still guards them), but `Origin: null` does not: browsers send it from
    sandboxed frames, `data:` and `file:` pages — exactly where a forged form would live.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return True
    given = urlsplit(origin)
    if origin == "null" or not given.hostname:
        return False
    expected = urlsplit(app_state(request).settings.public_url)
    return (given.hostname, given.port) == (expected.hostname, expected.port) or (
        given.hostname == request.url.hostname
    )


async def form_of(request: Request, user: SignedIn | None) -> dict[str, str] | None:
    """The submitted form as plain strings, or None when the CSRF token is missing or wrong."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not csrf_ok(request, values.get("csrf_token"), user) or not same_site_origin(request):
        return None
    return values
