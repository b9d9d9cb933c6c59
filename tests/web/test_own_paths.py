"""The app's own one-segment pages are never read as a username by the public lane."""

from __future__ import annotations

from fastapi import FastAPI

from eziox.app import route_paths


def test_every_one_segment_page_is_taken(app: FastAPI) -> None:
    own = {p[1:] for p in route_paths(app) if p.count("/") == 1 and "{" not in p and p != "/"}
    # Pages of included routers are found too, not only the app's own few routes.
    assert {"sign-in", "sign-up", "api-docs", "profile", "forgot-password", "healthz"} <= own
    assert own <= app.public.taken  # type: ignore[attr-defined]

