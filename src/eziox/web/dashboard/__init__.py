"""The dashboard at /profile?tab=…: one module per tab (what it shows and its forms), every
form calling the same services as the API; `page` draws the page, `forms` runs the forms."""

from __future__ import annotations

from fastapi import APIRouter

from eziox.web.dashboard import (
    analytics,
    api_keys,
    domains,
    links,
    page,
    profile,
    settings,
    templates,
    webhooks,
)

router = APIRouter()
router.include_router(page.router)
router.include_router(profile.router)
router.include_router(links.router)
router.include_router(api_keys.router)
router.include_router(webhooks.router)
router.include_router(analytics.router)
router.include_router(templates.router)
router.include_router(domains.router)
router.include_router(settings.router)
