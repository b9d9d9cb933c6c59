"""GET /api-docs: Swagger UI served from our own static files, reading /openapi.json."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from starlette.responses import HTMLResponse, Response

from eziox.errors import NotFound

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Eziox API documentation</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="stylesheet" href="/static/api-docs.css">
</head>
<body>
<header class="docs-bar"><a href="/">Eziox</a> · API v1 ·
<a href="/openapi.json">openapi.json</a> ·
Guides: <a href="/docs/quickstart.md">quickstart</a>,
<a href="/docs/keys-and-permissions.md">keys</a>,
<a href="/docs/rate-limits.md">rate limits</a>, <a href="/docs/errors.md">errors</a>,
<a href="/docs/idempotency.md">idempotent retries</a>,
<a href="/docs/pagination.md">pagination</a>, <a href="/docs/analytics.md">analytics</a>,
<a href="/docs/sdk-and-cli.md">SDK and CLI</a>,
<a href="/docs/webhooks.md">webhooks</a>,
<a href="/docs/links-plus.md">groups, schedules, export</a>,
<a href="/docs/custom-domains.md">custom domains</a>,
<a href="/docs/operations.md">operations</a>, <a href="/docs/security.md">security</a></header>
<main id="swagger-ui"><noscript>This page needs JavaScript; the raw document is at
<a href="/openapi.json">/openapi.json</a>.</noscript></main>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@router.get("/api-docs")
async def api_docs() -> HTMLResponse:
    """Interactive documentation; "Authorize" takes an `ezx_…` key and sends it as Bearer."""
    return HTMLResponse(
        PAGE,
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "DENY",
            "Cache-Control": "public, max-age=300",
        },
    )


# The Markdown guides of the repository's docs/ folder: web/guides is a link to it in the source
# tree, and a wheel holds a copy of its files (package data), so the guides ship with the server.
DOCS_DIR = Path(__file__).resolve().parent / "guides"
_GUIDE = re.compile(r"^[a-z0-9-]{1,64}\.md$")


@router.get("/docs/{name}")
async def guide(name: str) -> Response:
    """One Markdown guide from docs/, as text."""
    path = DOCS_DIR / name
    if not _GUIDE.match(name) or not path.is_file():
        raise NotFound("No such guide.")
    return Response(
        path.read_text(encoding="utf-8"),
        media_type="text/markdown; charset=utf-8",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"},
    )
