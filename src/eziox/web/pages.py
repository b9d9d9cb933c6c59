"""Public pages: GET /{username} (counts a view) and GET /l/{link_id} (counts a click, 302)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select
from starlette.responses import HTMLResponse, RedirectResponse, Response

from eziox.accounts.follows import follow, follow_counts, is_following, unfollow
from eziox.accounts.rules import RESERVED_USERNAMES, USERNAME_PATTERN
from eziox.analytics.recorder import Visit
from eziox.context import is_head
from eziox.errors import NotFound, ValidationFailed
from eziox.models import CLICK, VIEW, Account, Link
from eziox.state import AppState
from eziox.templates.catalog import DEFAULT_TEMPLATE
from eziox.templates.schemas import Theme
from eziox.templates.service import effective_theme
from eziox.web.sessions import SESSION_COOKIE, csrf_ok, current_user
from eziox.web.themes import css_variables, theme_tokens

router = APIRouter(include_in_schema=False)

templates = Environment(
    loader=PackageLoader("eziox.web", "templates"),
    autoescape=select_autoescape(["html"]),
    auto_reload=False,
)
templates.filters["sentence"] = lambda text: str(text)[:1].upper() + str(text)[1:]


@dataclass(frozen=True, slots=True)
class PageLink:
    href: str
    title: str
    description: str | None
    thumbnail: str | None


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
    template: str, status: int = 200, theme: Theme | None = None, **context: Any
) -> HTMLResponse:
    """Render a page; the theme's CSS goes inline, allowed by its hash in the CSP."""
    # Markup: a <style> body is raw text, so HTML-escaping would corrupt the CSS (and its
    # hash). css_variables emits only validated tokens and our own constants, never a "<".
    theme_css = Markup(css_variables(theme)) if theme else None
    body = templates.get_template(template).render(theme_css=theme_css, **context)
    style_hash = None
    if theme_css:
        digest = hashlib.sha256(theme_css.encode()).digest()
        style_hash = "sha256-" + base64.b64encode(digest).decode()
    return HTMLResponse(body, status, headers=_security_headers(style_hash))


def not_found_page(message: str = "There is nothing here.") -> HTMLResponse:
    response = render_html("404.html", 404, theme=theme_tokens(DEFAULT_TEMPLATE), message=message)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _account_and_links(state: AppState, username: str) -> tuple[Account, list[PageLink], Any]:
    async with state.db.session() as session:
        account = await session.scalar(select(Account).where(Account.username == username))
        if account is None:
            return None, [], None  # type: ignore[return-value]
        query = (
            select(Link.id, Link.title, Link.description, Link.thumbnail)
            .where(Link.account_id == account.id, Link.is_active.is_(True))
            .order_by(Link.position, Link.id)
        )
        rows = (await session.execute(query)).all()
        # The page shows follow counts only (views stay private to the owner): one query.
        followers, following = await follow_counts(session, account.id)
        stats = {"followers": followers, "following": following}
    links = [PageLink(f"/l/{r.id}", r.title, r.description, r.thumbnail) for r in rows]
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
    if not is_head(request.scope):
        await state.recorder.record(row.account_id, link_id, CLICK, visit_of(request, state))
    return RedirectResponse(
        row.url, 302, headers={"Cache-Control": "no-store", "Referrer-Policy": "origin"}
    )


async def _follow_state(request: Request, account: Account) -> dict[str, Any] | None:
    """What the follow button shows: None on your own page, a sign-in link when signed out."""
    viewer = await current_user(request) if SESSION_COOKIE in request.cookies else None
    if viewer is None:
        return {"signed_in": False}
    if viewer.account.id == account.id:
        return None
    async with _state(request).db.session() as session:
        following = await is_following(session, viewer.account.id, account.id)
    return {"signed_in": True, "following": following, "csrf": viewer.csrf_token}


async def _change_follow(request: Request, username: str, *, on: bool) -> Response:
    viewer = await current_user(request)
    if viewer is None:
        return RedirectResponse(f"/sign-in?next=/{username}", 303)
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not csrf_ok(request, token, viewer):
        return not_found_page("This form expired. Go back, reload the page and try again.")
    try:
        async with _state(request).db.transaction() as session:
            await (follow if on else unfollow)(session, viewer.account.id, username)
    except (NotFound, ValidationFailed):
        return not_found_page()
    return RedirectResponse(f"/{username}", 303)


@router.post("/{username}/follow")
async def follow_account(request: Request, username: str) -> Response:
    """Follow from the bio page (signed-in accounts only)."""
    return await _change_follow(request, username, on=True)


@router.post("/{username}/unfollow")
async def unfollow_account(request: Request, username: str) -> Response:
    return await _change_follow(request, username, on=False)


@router.get("/{username}")
async def bio_page(request: Request, username: str) -> Response:
    """The public bio page; each GET (200 or 304) counts one view."""
    state = _state(request)
    if not USERNAME_PATTERN.match(username) or username in RESERVED_USERNAMES:
        return not_found_page()
    account, links, stats = await _account_and_links(state, username)
    if account is None:
        return not_found_page(f"No one here goes by @{username}.")
    canonical = f"{state.settings.public_url.rstrip('/')}/{account.username}"
    display_name = account.name or account.username
    follow_button = await _follow_state(request, account)
    response = render_html(
        "bio.html",
        theme=effective_theme(account.theme, account.design, account.tier),
        account=account,
        links=links,
        stats=stats,
        display_name=display_name,
        description=(account.bio or f"Links of {display_name} on Eziox")[:200],
        canonical=canonical,
        follow=follow_button,
    )
    etag = '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
    cache = "public, max-age=0, must-revalidate"
    if follow_button and follow_button["signed_in"]:
        cache = "private, no-store"  # personalised: the viewer's own follow button
    elif state.settings.page_cdn_ttl:
        cache += f", s-maxage={state.settings.page_cdn_ttl}"
    if not is_head(request.scope):
        await state.recorder.record(account.id, None, VIEW, visit_of(request, state))
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = cache
    return response
