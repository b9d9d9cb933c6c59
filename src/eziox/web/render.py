"""Jinja set-up and the HTML responses every server-rendered page shares (CSP, 404 page)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse

from eziox.templates.catalog import DEFAULT_TEMPLATE
from eziox.templates.schemas import Theme
from eziox.web.themes import css_variables, theme_tokens

templates = Environment(
    loader=PackageLoader("eziox.web", "templates"),
    autoescape=select_autoescape(["html"]),
    auto_reload=False,
)
templates.filters["sentence"] = lambda text: str(text)[:1].upper() + str(text)[1:]


def security_headers(style_hash: str | None) -> dict[str, str]:
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


def render_page(template: str, theme: Theme | None = None, **context: Any) -> tuple[str, str]:
    """(HTML, Content-Security-Policy hash of its inline theme CSS or '')."""
    # Markup: a <style> body is raw text, so HTML-escaping would corrupt the CSS (and its
    # hash). css_variables emits only validated tokens and our own constants, never a "<".
    theme_css = Markup(css_variables(theme)) if theme else None
    body = templates.get_template(template).render(theme_css=theme_css, **context)
    if not theme_css:
        return body, ""
    digest = hashlib.sha256(theme_css.encode()).digest()
    return body, "sha256-" + base64.b64encode(digest).decode()


def render_html(
    template: str, status: int = 200, theme: Theme | None = None, **context: Any
) -> HTMLResponse:
    """Render a page; the theme's CSS goes inline, allowed by its hash in the CSP."""
    body, style_hash = render_page(template, theme, **context)
    return HTMLResponse(body, status, headers=security_headers(style_hash or None))


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
