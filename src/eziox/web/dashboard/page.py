"""GET /profile?tab=…: the dashboard page around whichever tab is asked for.

Each tab's module registers what the tab shows (and the notices its forms redirect with) with
`tab_view`; the package imports every tab module, so all of them are registered before the
first request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from eziox.auth.scopes import READ_ONLY, Permission
from eziox.web.app_responses import render_app, see_other
from eziox.web.sessions import SignedIn, current_user

router = APIRouter(prefix="/profile", include_in_schema=False)

TABS = ("profile", "links", "api", "webhooks", "analytics", "templates", "domains", "settings")
TAB_LABELS = {"api": "API keys", "templates": "Design"}

# Notices are codes, never text from the URL: a crafted link cannot put words on the page.
# One table for every tab's notices: any tab shows any code, as it always has.
NOTICES: dict[str, str] = {}

TabView = Callable[[Request, SignedIn], Awaitable[dict[str, Any]]]
_VIEWS: dict[str, TabView] = {}


def tab_view(tab: str, notices: dict[str, str]) -> Callable[[TabView], TabView]:
    """Register what `tab` shows, and the notices its forms redirect with."""
    if tab not in TABS or tab in _VIEWS:
        raise ValueError(f"not a tab, or one registered twice: {tab}")
    if taken := NOTICES.keys() & notices.keys():
        raise ValueError(f"notice codes already taken: {sorted(taken)}")

    def register(view: TabView) -> TabView:
        _VIEWS[tab] = view
        NOTICES.update(notices)
        return view

    return register


def sign_in_first(request: Request) -> Response:
    """To the sign-in page, which brings the browser back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"/sign-in?next={quote(target, safe='/')}")


async def render_tab(
    request: Request, user: SignedIn, tab: str, status: int = 200, **extra: Any
) -> Response:
    """The dashboard showing `tab`; `errors` and `values` in `extra` re-fill its forms."""
    data = await _VIEWS[tab](request, user)
    return render_app(
        request,
        "app/dashboard.html",
        user,
        status,
        tab=tab,
        tabs=TABS,
        tab_labels=TAB_LABELS,
        account=user.account,
        permissions=[p.value for p in Permission],
        read_only=sorted(p.value for p in READ_ONLY),
        notice=NOTICES.get(request.query_params.get("notice", "")),
        errors=extra.pop("errors", {}),
        values=extra.pop("values", {}),
        **data,
        **extra,
    )


@router.get("")
async def dashboard(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return sign_in_first(request)
    tab = request.query_params.get("tab", "profile")
    return await render_tab(request, user, tab if tab in TABS else "profile")
