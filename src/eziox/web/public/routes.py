"""Public routes: the bio page for signed-in viewers, sensitive-link warnings, QR codes and
follow buttons. Anonymous GETs of pages and redirects are answered earlier, from the caches
(`eziox.web.public.fast`); these routes serve everything that is personal or rare."""

from __future__ import annotations

import io
import time
from typing import Any

import segno
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from eziox.accounts.follows import follow, unfollow
from eziox.accounts.repository import FollowRepository
from eziox.accounts.rules import RESERVED_USERNAMES, USERNAME_PATTERN
from eziox.deps import app_state
from eziox.errors import NotFound, ValidationFailed
from eziox.kit.time import utcnow
from eziox.models import CLICK, VIEW, Account
from eziox.pages.repository import LinkTarget, PageSnapshot, link_target, page_snapshot
from eziox.state import AppState
from eziox.templates.service import effective_theme
from eziox.web.public.page import (
    cache_control,
    canonical_url,
    etag_of,
    expires_of,
    render_bio,
)
from eziox.web.public.visits import VisitCounter
from eziox.web.render import not_found_page, render_html, security_headers
from eziox.web.sessions import SESSION_COOKIE, csrf_ok, current_user, same_site_origin

router = APIRouter(include_in_schema=False)

GONE_LINK = "This link does not exist or is no longer active."


def _counter(request: Request) -> VisitCounter:
    """The app's one visit counter (made with the public lane, see `eziox.app`)."""
    counter: VisitCounter = request.app.public.counter
    return counter


def no_one_named(username: str) -> HTMLResponse:
    return not_found_page(f"No one here goes by @{username}.")


async def _snapshot(state: AppState, username: str) -> PageSnapshot | HTMLResponse:
    """The page of ``username``, or the 404 page to answer instead."""
    if not USERNAME_PATTERN.match(username) or username in RESERVED_USERNAMES:
        return not_found_page()
    async with state.db.session() as session:
        snapshot = await page_snapshot(session, username)
    return no_one_named(username) if snapshot is None else snapshot


@router.get("/l/{link_id}")
async def follow_link(request: Request, link_id: str) -> Response:
    """Count a click and redirect to the stored URL (never to anything the request names)."""
    state = app_state(request)
    async with state.db.session() as session:
        target = await link_target(session, link_id)
    if target is None or not target.live(utcnow()):
        return not_found_page(GONE_LINK)
    if target.sensitive and request.query_params.get("continue") != "1":
        return await sensitive_page(state, target)
    await _counter(request).count(request.scope, target.account_id, link_id, CLICK)
    return RedirectResponse(
        target.url, 302, headers={"Cache-Control": "no-store", "Referrer-Policy": "origin"}
    )


async def sensitive_page(state: AppState, target: LinkTarget) -> Response:
    """The warning before a sensitive link: nothing is counted until the visitor continues."""
    async with state.db.session() as session:
        account = await session.get(Account, target.account_id)
    assert account is not None  # the link's foreign key keeps its account
    response = render_html(
        "sensitive.html",
        theme=effective_theme(account.theme, account.design, account.tier),
        title=target.title,
        username=account.username,
        continue_href=f"/l/{target.link_id}?continue=1",
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
    async with app_state(request).db.session() as session:
        following = await FollowRepository(session).exists(viewer.account.id, account.id)
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
        async with app_state(request).db.transaction() as session:
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
    state = app_state(request)
    size = qr_scale(request.query_params.get("size", str(QR_DEFAULT_SCALE)))
    if size is None:
        return invalid_qr_size()
    snapshot = await _snapshot(state, username)
    if not isinstance(snapshot, PageSnapshot):
        return snapshot
    found = snapshot.account.username
    url = canonical_url(state.settings.public_url, found, snapshot.domain)
    return qr_image(url, kind, size, found)


def qr_scale(text: str) -> int | None:
    """The ``?size=`` of a QR code, or None when it is not one of `QR_SCALES`."""
    if not text.isascii() or not text.isdigit() or int(text) not in QR_SCALES:
        return None
    return int(text)


def invalid_qr_size() -> HTMLResponse:
    return not_found_page(
        "The size must be a whole number from 1 to 40.", status=422, heading="Invalid size"
    )


def qr_image(url: str, kind: str, scale: int, username: str) -> Response:
    """A QR code of ``url`` as SVG or PNG."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind=kind, scale=scale, border=4)
    media = "image/svg+xml" if kind == "svg" else "image/png"
    return Response(
        buffer.getvalue(),
        media_type=media,
        headers={
            "Cache-Control": "public, max-age=3600",
            "Content-Disposition": f'inline; filename="eziox-{username}-qr.{kind}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


@router.get("/{username}")
async def bio_page(request: Request, username: str) -> Response:
    """The bio page rendered for this request (signed-in viewers see their follow button);
    each GET (200 or 304) counts one view."""
    state = app_state(request)
    snapshot = await _snapshot(state, username)
    if not isinstance(snapshot, PageSnapshot):
        return snapshot
    follow_button = await _follow_state(request, snapshot.account)
    body, style_hash = render_bio(snapshot, state.settings.public_url, follow_button)
    headers = {"ETag": etag_of(body), "Cache-Control": _cache_for(state, snapshot, follow_button)}
    await _counter(request).count(request.scope, snapshot.account.id, None, VIEW)
    return _page_or_not_modified(request, body, style_hash, headers)


def _cache_for(
    state: AppState, snapshot: PageSnapshot, follow_button: dict[str, Any] | None
) -> str:
    """Never stored when personalised; else kept until the next scheduled link change."""
    if follow_button and follow_button["signed_in"]:
        return "private, no-store"  # personalised: the viewer's own follow button
    ttl = state.settings.page_cdn_ttl
    return cache_control(expires_of(snapshot), time.time(), ttl).decode()


def _page_or_not_modified(
    request: Request, body: bytes, style_hash: str, headers: dict[str, str]
) -> Response:
    """304 when the browser holds these bytes already (ETag and Cache-Control only)."""
    if headers["ETag"] in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    headers.update(security_headers(style_hash or None))
    return HTMLResponse(body, headers=headers)
