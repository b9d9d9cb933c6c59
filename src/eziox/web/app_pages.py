"""Rendering for the signed-in app and the auth pages: strict CSP, never cached."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse

from eziox.web.render import templates
from eziox.web.sessions import (
    SignedIn,
    anonymous_csrf,
    csrf_ok,
    current_user,
    ensure_csrf_cookie,
    same_site_origin,
)

APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
    "connect-src 'self'; "
    "form-action 'self' https://checkout.stripe.com https://billing.stripe.com; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def render_app(
    request: Request, template: str, user: SignedIn | None, status: int = 200, **context: Any
) -> HTMLResponse:
    csrf = user.csrf_token if user else anonymous_csrf(request)
    body = templates.get_template(template).render(user=user, csrf_token=csrf, **context)
    response = HTMLResponse(
        body,
        status,
        headers={
            "Content-Security-Policy": APP_CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "DENY",
            "Cache-Control": "no-store",
        },
    )
    if user is None:
        ensure_csrf_cookie(response, request)
    return response


def safe_next(target: str | None) -> str:
    """Only same-site paths may be redirect targets after sign-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/profile"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/profile"


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, 303, headers={"Cache-Control": "no-store"})


async def form_of(request: Request, user: SignedIn | None) -> dict[str, str] | None:
    """The submitted form as plain strings, or None when the CSRF token is missing or wrong."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not csrf_ok(request, values.get("csrf_token"), user) or not same_site_origin(request):
        return None
    return values


def csrf_failure(request: Request, user: SignedIn | None) -> HTMLResponse:
    return render_app(
        request,
        "app/message.html",
        user,
        403,
        title="This form expired",
        message="The page was open too long or came from somewhere else. Go back, reload it and "
        "try again — nothing was changed.",
    )


__all__ = ["csrf_failure", "current_user", "form_of", "render_app", "safe_next", "see_other"]
