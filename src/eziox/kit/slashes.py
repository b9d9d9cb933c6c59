"""Trailing-slash redirects with a relative Location.

Starlette answers `/profile/` with a 307 to the other spelling, but builds an absolute
Location from the request's Host header, so a forged Host (or a cache keyed without it) sends
the visitor to another site. Same rule here, with a path-only Location: the browser stays on
the host it asked, whatever the header said.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

# Characters a path may carry unencoded (RFC 3986 pchar and "/"); everything else is escaped.
_PATH_SAFE = "/:@!$&'()*+,;="


def relative_slash_redirects(router: Router) -> None:
    """Replace the router's slash redirect by `SlashRedirect` (only when no route matched)."""
    router.redirect_slashes = False
    router.default = SlashRedirect(router, router.default)


class SlashRedirect:
    """The router's fallback: a 307 to the path with its trailing slash toggled when that
    path has a route, else the original fallback (the 404)."""

    def __init__(self, router: Router, fallback: ASGIApp) -> None:
        self.router = router
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        location = self._location(scope) if scope["type"] == "http" else None
        if location is None:
            await self.fallback(scope, receive, send)
            return
        await RedirectResponse(location, 307)(scope, receive, send)

    def _location(self, scope: Scope) -> str | None:
        path: str = scope["path"]
        if path == "/":
            return None
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        # "//host" would be a protocol-relative URL: another site. No route serves it anyway.
        if not other or other.startswith("//") or not self._served(scope, other):
            return None
        query = scope.get("query_string", b"").decode("latin-1")
        return quote(other, safe=_PATH_SAFE) + (f"?{query}" if query else "")

    def _served(self, scope: Scope, path: str) -> bool:
        toggled = {**scope, "path": path}
        return any(route.matches(toggled)[0] is not Match.NONE for route in self.router.routes)
