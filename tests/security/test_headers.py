"""Every HTML page sends the security headers (docs/security.md): a CSP that allows no inline
or foreign script and no framing, nosniff and a Referrer-Policy — including error pages."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from eziox.templates.catalog import catalog
from eziox.web.dashboard.page import TABS
from tests.dashboard.browser import WebUser, sign_up

PUBLIC_PAGES = [
    "/",
    "/sign-in",
    "/sign-up",
    "/forgot-password",
    "/reset-password/not-a-live-token",  # the 410 page of a dead link
    "/api-docs",
    "/nobody-here-at-all",  # 404 page
    "/l/lnk_doesnotexist",  # 404 page of the redirector
    "/templates/no-such-template/preview",  # 404 page of the previews
]
# Every GET route that answers HTML, as routed; a new page must be walked here too.
HTML_ROUTES = {
    "/",
    "/sign-in",
    "/sign-up",
    "/forgot-password",
    "/reset-password/{token}",
    "/api-docs",
    "/{username}",
    "/l/{link_id}",  # a 302, or the 404 page
    "/templates/{template_id}/preview",
    "/profile",
}
NOT_HTML = {
    "/openapi.json",
    "/healthz",
    "/readyz",
    "/metrics",
    "/docs/{name}",  # Markdown, nosniff
    "/profile/analytics.csv",
    "/profile/export.json",
    "/{username}/qr.svg",
    "/{username}/qr.png",
    "/tls/allowed",  # plain text, for Caddy's on-demand TLS
}


def directives(csp: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def assert_secure_html(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    assert response.headers["content-type"].startswith("text/html"), where
    csp = directives(response.headers.get("content-security-policy", ""))
    assert csp, f"{where}: no Content-Security-Policy"
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None, f"{where}: neither script-src nor default-src"
    assert "'unsafe-inline'" not in scripts, where
    assert "'unsafe-eval'" not in scripts, where
    assert not [s for s in scripts if s in {"*", "http:", "https:", "data:"}], (where, scripts)
    assert csp.get("frame-ancestors") in (["'none'"], ["'self'"]), where
    assert csp.get("base-uri") in (["'none'"], ["'self'"]), where
    assert csp.get("object-src", csp.get("default-src")) in (["'none'"], ["'self'"]), where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("x-frame-options") == "DENY", where
    forms = csp.get("form-action", [])  # the dashboard's upgrade buttons post to Stripe
    assert forms, where
    assert all(f in {"'self'", "'none'"} or f.endswith(".stripe.com") for f in forms), where
    assert response.headers.get("referrer-policy") in {
        "no-referrer",
        "strict-origin-when-cross-origin",
        "same-origin",
        "strict-origin",
    }, where


def get_routes(app: FastAPI) -> set[str]:
    paths: set[str] = set()
    pending = list(app.router.routes)
    while pending:
        route = pending.pop()
        nested = getattr(getattr(route, "original_router", route), "routes", None)
        if nested is not None and not hasattr(route, "methods"):
            pending.extend(nested)
        elif "GET" in (getattr(route, "methods", None) or ()):
            paths.add(route.path)  # type: ignore[attr-defined]
    return {p for p in paths if not p.startswith(("/v1", "/static"))}


def test_every_html_route_is_walked(app: FastAPI) -> None:
    assert get_routes(app) - NOT_HTML == HTML_ROUTES


@pytest.fixture
async def web_user(app: FastAPI) -> AsyncIterator[WebUser]:
    ip = f"198.19.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=app, client=(ip, 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield await sign_up(client, f"h{secrets.token_hex(5)}")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
async def test_public_pages(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code in (200, 404, 410)
    assert_secure_html(response)


async def test_bio_page_and_template_previews(client: httpx.AsyncClient, web_user: WebUser) -> None:
    assert_secure_html(await client.get(f"/{web_user.username}"))
    for template in list(catalog().templates)[:40]:
        response = await client.get(f"/templates/{template.id}/preview")
        assert response.status_code == 200, template.id
        assert_secure_html(response)


@pytest.mark.parametrize("tab", TABS)
async def test_dashboard_tabs(web_user: WebUser, tab: str) -> None:
    response = await web_user.http.get(f"/profile?tab={tab}")
    assert response.status_code == 200
    assert_secure_html(response)


async def test_form_errors_and_refusals(client: httpx.AsyncClient, web_user: WebUser) -> None:
    bad_sign_in = await client.post(
        "/sign-in", data={"username": "nobody", "password": "x", "csrf_token": "forged"}
    )
    assert_secure_html(bad_sign_in)
    forged = await web_user.http.post("/profile/links", data={"title": "x", "csrf_token": "no"})
    assert forged.status_code in (400, 403)
    assert_secure_html(forged)
    invalid = await web_user.submit("/profile/links", {"title": "", "url": "javascript:alert(1)"})
    assert_secure_html(invalid)
