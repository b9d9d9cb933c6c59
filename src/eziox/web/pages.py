"""Public pages: GET /{username} (counts a view) and GET /l/{link_id} (counts a click, 302)."""

from __future__ import annotations

import base64
import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import segno
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
from eziox.groups.service import list_groups
from eziox.kit.time import utcnow
from eziox.links.repository import live_condition
from eziox.links.schemas import LinkStatus
from eziox.links.service import status_of
from eziox.models import CLICK, VIEW, Account, Link
from eziox.state import AppState
from eziox.templates.catalog import DEFAULT_TEMPLATE
from eziox.templates.schemas import Theme
from eziox.templates.service import effective_theme
from eziox.web.sessions import SESSION_COOKIE, csrf_ok, current_user, same_site_origin
from eziox.web.socials import social_icons
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
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class PageSection:
    """Links under one heading (``title`` None: the ungrouped links, shown first)."""

    title: str | None
    links: list[PageLink]


@dataclass(slots=True)
class PageContent:
    account: Account
    links: list[PageLink]
    sections: list[PageSection]
    stats: dict[str, int]
    # Seconds until a scheduled link appears or disappears (None: nothing scheduled).
    changes_in: int | None


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


def not_found_page(
    message: str = "There is nothing here.", *, status: int = 404, heading: str = "Page not found"
) -> HTMLResponse:
    response = render_html(
        "404.html",
        status,
        theme=theme_tokens(DEFAULT_TEMPLATE),
        message=message,
        heading=heading,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def _page_content(state: AppState, username: str) -> PageContent | None:
    now = utcnow()
    async with state.db.session() as session:
        account = await session.scalar(select(Account).where(Account.username == username))
        if account is None:
            return None
        query = (
            select(Link.id, Link.title, Link.description, Link.thumbnail, Link.group_id)
            .add_columns(Link.sensitive, Link.starts_at, Link.ends_at)
            .where(Link.account_id == account.id, Link.is_active.is_(True))
            .order_by(Link.position, Link.id)
        )
        rows = (await session.execute(query)).all()
        groups = await list_groups(session, account.id) if rows else []
        # The page shows follow counts only (views stay private to the owner): one query.
        followers, following = await follow_counts(session, account.id)
    live = [r for r in rows if status_of(True, r.starts_at, r.ends_at, now) is LinkStatus.ACTIVE]
    links = [PageLink(f"/l/{r.id}", r.title, r.description, r.thumbnail, r.sensitive) for r in live]
    sections = _sections(live, links, groups)
    stats = {"followers": followers, "following": following}
    return PageContent(account, links, sections, stats, _changes_in(rows, now))


def _sections(rows: list[Any], links: list[PageLink], groups: list[Any]) -> list[PageSection]:
    """Ungrouped links first, then each group that has live links, in group order."""
    by_group: dict[str | None, list[PageLink]] = {}
    for row, link in zip(rows, links, strict=True):
        by_group.setdefault(row.group_id, []).append(link)
    sections = [PageSection(None, by_group[None])] if None in by_group else []
    sections += [PageSection(g.title, by_group[g.id]) for g in groups if g.id in by_group]
    return sections


def _changes_in(rows: Sequence[Any], now: datetime) -> int | None:
    """Seconds until the next schedule boundary of an active link (caches must not outlive it)."""
    moments = [m for r in rows for m in (r.starts_at, r.ends_at) if m is not None and m > now]
    if not moments:
        return None
    seconds: float = (min(moments) - now).total_seconds()
    return max(1, math.ceil(seconds))


@router.get("/l/{link_id}")
async def follow_link(request: Request, link_id: str) -> Response:
    """Count a click and redirect to the stored URL (never to anything the request names)."""
    state = _state(request)
    async with state.db.session() as session:
        row = (
            await session.execute(
                select(Link.account_id, Link.url, Link.title, Link.sensitive).where(
                    Link.id == link_id, live_condition(utcnow())
                )
            )
        ).first()
    if row is None:
        return not_found_page("This link does not exist or is no longer active.")
    if row.sensitive and request.query_params.get("continue") != "1":
        return await _sensitive_page(state, link_id, row)
    if not is_head(request.scope):
        await state.recorder.record(row.account_id, link_id, CLICK, visit_of(request, state))
    return RedirectResponse(
        row.url, 302, headers={"Cache-Control": "no-store", "Referrer-Policy": "origin"}
    )


async def _sensitive_page(state: AppState, link_id: str, row: Any) -> Response:
    """The warning before a sensitive link: nothing is counted until the visitor continues."""
    async with state.db.session() as session:
        account = await session.get(Account, row.account_id)
    assert account is not None  # the link's foreign key keeps its account
    response = render_html(
        "sensitive.html",
        theme=effective_theme(account.theme, account.design, account.tier),
        title=row.title,
        username=account.username,
        continue_href=f"/l/{link_id}?continue=1",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


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
    forged = not isinstance(token, str) or not csrf_ok(request, token, viewer)
    if forged or not same_site_origin(request):
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


QR_SCALES = range(1, 41)  # pixels (PNG) or user units (SVG) per module
QR_DEFAULT_SCALE = 8


@router.get("/{username}/qr.svg")
async def qr_svg(request: Request, username: str) -> Response:
    """A QR code of the bio page's address, as SVG (`?size=` 1-40 per module, default 8)."""
    return await _qr(request, username, "svg")


@router.get("/{username}/qr.png")
async def qr_png(request: Request, username: str) -> Response:
    """The same QR code as a PNG."""
    return await _qr(request, username, "png")


async def _qr(request: Request, username: str, kind: str) -> Response:
    state = _state(request)
    size = request.query_params.get("size", str(QR_DEFAULT_SCALE))
    if not size.isascii() or not size.isdigit() or int(size) not in QR_SCALES:
        return not_found_page(
            "The size must be a whole number from 1 to 40.", status=422, heading="Invalid size"
        )
    if not USERNAME_PATTERN.match(username) or username in RESERVED_USERNAMES:
        return not_found_page()
    async with state.db.session() as session:
        found = await session.scalar(select(Account.username).where(Account.username == username))
    if found is None:
        return not_found_page(f"No one here goes by @{username}.")
    url = f"{state.settings.public_url.rstrip('/')}/{found}"
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind=kind, scale=int(size), border=4)
    media = "image/svg+xml" if kind == "svg" else "image/png"
    return Response(
        buffer.getvalue(),
        media_type=media,
        headers={
            "Cache-Control": "public, max-age=3600",
            "Content-Disposition": f'inline; filename="eziox-{found}-qr.{kind}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


@router.get("/{username}")
async def bio_page(request: Request, username: str) -> Response:
    """The public bio page; each GET (200 or 304) counts one view."""
    state = _state(request)
    if not USERNAME_PATTERN.match(username) or username in RESERVED_USERNAMES:
        return not_found_page()
    content = await _page_content(state, username)
    if content is None:
        return not_found_page(f"No one here goes by @{username}.")
    account = content.account
    canonical = f"{state.settings.public_url.rstrip('/')}/{account.username}"
    display_name = account.name or account.username
    follow_button = await _follow_state(request, account)
    response = render_html(
        "bio.html",
        theme=effective_theme(account.theme, account.design, account.tier),
        account=account,
        links=content.links,
        sections=content.sections,
        socials=social_icons(account.socials),
        stats=content.stats,
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
        # A shared cache must not keep the page past the next scheduled link change.
        ttl = state.settings.page_cdn_ttl
        if content.changes_in is not None:
            ttl = min(ttl, content.changes_in)
        cache += f", s-maxage={ttl}"
    if not is_head(request.scope):
        await state.recorder.record(account.id, None, VIEW, visit_of(request, state))
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = cache
    return response
