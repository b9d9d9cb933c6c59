"""The responses of the dashboard and the sign-in pages (templates/app/): HTML under a strict
CSP, 303 redirects and the expired-form page; never cached."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse

from eziox.web.render import templates
from eziox.web.sessions import SignedIn, anonymous_csrf, ensure_csrf_cookie

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


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, 303, headers={"Cache-Control": "no-store"})


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
