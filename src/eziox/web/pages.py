"""Public pages: GET /{username} (counts a view) and GET /l/{link_id} (counts a click, 302)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select
from starlette.responses import HTMLResponse, RedirectResponse, Response

from eziox.accounts.rules import RESERVED_USERNAMES, USERNAME_PATTERN
from eziox.accounts.service import stats_of
from eziox.analytics.recorder import Visit
from eziox.models import CLICK, VIEW, Account, Link
from eziox.state import AppState
from eziox.web.themes import css_variables, theme_tokens

router = APIRouter(include_in_schema=False)

templates = Environment(
    loader=PackageLoader("eziox.web", "templates"),
    autoescape=select_autoescape(["html"]),
    auto_reload=False,
)


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.eziox
    return state


def visit_of(request: Request, state: AppState) -> Visit:
    headers = request.headers
    header_name = state.settings.country_header
    return Visit(
        ip=request.client.host if request.client else "",
        user_agent=headers.get("user-agent", ""),
        referer=headers.get("referer"),
        country_header=headers.get(header_name) if header_name else None,
        own_host=urlsplit(state.settings.public_url).hostname,
    )


def _security_headers(style_hash: str | None) -> dict[str, str]:
    styles = "'self'" + (f" '{style_hash}'" if style_hash else "")
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src {styles}; img-src https: http: data:; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    }


def render_html(
    template: str, status: int = 200, theme_id: str = "", **context: Any
) -> HTMLResponse:
    theme_css = css_variables(theme_tokens(theme_id)) if theme_id else None
    body = templates.get_template(template).render(theme_css=theme_css, **context)
    style_hash = None
    if theme_css:
        digest = hashlib.sha256(theme_css.encode()).digest()
        style_hash = "sha256-" + base64.b64encode(digest).decode()
    return HTMLResponse(body, status, headers=_security_headers(style_hash))


def not_found_page(message: str = "There is nothing here.") -> HTMLResponse:
    response = render_html("404.html", 404, theme_id="eziox-default", message=message)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _account_and_links(state: AppState, username: str) -> tuple[Account, list[Any], Any]:
    async with state.db.session() as session:
        account = await session.scalar(select(Account).where(Account.username == username))
        if account is None:
            return None, [], None  # type: ignore[return-value]
        query = (
            select(Link.id, Link.title, Link.description, Link.thumbnail)
            .where(Link.account_id == account.id, Link.is_active.is_(True))
            .order_by(Link.position, Link.id)
        )
        links = list((await session.execute(query)).all())
        stats = await stats_of(session, account.id)
    return account, links, stats


@router.get("/l/{link_id}")
async def follow_link(request: Request, link_id: str) -> Response:
    """Count a click and redirect to the stored URL (never to anything the request names)."""
    state = _state(request)
    async with state.db.session() as session:
        row = (
            await session.execute(
                select(Link.account_id, Link.url).where(
                    Link.id == link_id, Link.is_active.is_(True)
                )
            )
        ).first()
    if row is None:
        return not_found_page("This link does not exist or is no longer active.")
    if request.method == "GET":
        await state.recorder.record(row.account_id, link_id, CLICK, visit_of(request, state))
    return RedirectResponse(
        row.url, 302, headers={"Cache-Control": "no-store", "Referrer-Policy": "origin"}
    )


@router.get("/{username}")
async def bio_page(request: Request, username: str) -> Response:
    """The public bio page; each GET (200 or 304) counts one view."""
    state = _state(request)
    if not USERNAME_PATTERN.match(username) or username in RESERVED_USERNAMES:
        return not_found_page()
    account, links, stats = await _account_and_links(state, username)
    if account is None:
        return not_found_page(f"No one here goes by @{username}.")
    tokens = theme_tokens(account.theme)
    canonical = f"{state.settings.public_url.rstrip('/')}/{account.username}"
    display_name = account.name or account.username
    response = render_html(
        "bio.html",
        theme_id=account.theme,
        account=account,
        links=links,
        stats=stats,
        display_name=display_name,
        description=(account.bio or f"Links of {display_name} on Eziox")[:200],
        canonical=canonical,
        card_style=tokens.get("cardStyle", "solid"),
        background=tokens.get("background", "solid"),
    )
    etag = '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
    cache = "public, max-age=0, must-revalidate"
    if state.settings.page_cdn_ttl:
        cache += f", s-maxage={state.settings.page_cdn_ttl}"
    if request.method == "GET":
        await state.recorder.record(account.id, None, VIEW, visit_of(request, state))
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = cache
    return response
