"""The Profile tab: name, bio, pictures and social profiles, through the service behind
PATCH /v1/profile; beside the forms, a preview of the page with its links."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts.schemas import ProfileUpdate
from eziox.accounts.service import update_profile
from eziox.accounts.socials import RULES, Platform
from eziox.deps import app_state
from eziox.web.dashboard.forms import form_action, optional_text, validated
from eziox.web.dashboard.links import links_and_groups
from eziox.web.dashboard.page import tab_view
from eziox.web.sessions import SignedIn

router = APIRouter(prefix="/profile", include_in_schema=False)
TAB = "profile"
SOCIAL_ROWS = 8  # blank rows the profile form offers
PLATFORMS = [(p.value, RULES[p].label, RULES[p].hint) for p in Platform]

NOTICES = {
    "profile-saved": "Profile saved.",
    "socials-saved": "Social profiles saved.",
}


@tab_view(TAB, NOTICES)
async def profile_tab(request: Request, user: SignedIn) -> dict[str, Any]:
    async with app_state(request).db.session() as session:
        shown = await links_and_groups(session, user.account.id)
    return {**shown, "platforms": PLATFORMS, "social_rows": SOCIAL_ROWS}


@form_action(router, "/update", tab=TAB)
async def save_profile(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
    update = validated(
        ProfileUpdate,
        {
            "name": form.get("name", "").strip(),
            "bio": form.get("bio", "").strip(),
            "avatar": optional_text(form.get("avatar")),
            "banner": optional_text(form.get("banner")),
        },
    )
    await update_profile(session, user.account.id, update)
    return "profile-saved"


@form_action(router, "/socials", tab=TAB)
async def save_socials(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
    entries = []
    for index in range(SOCIAL_ROWS * 3):
        value = form.get(f"social_value_{index}", "").strip()
        if value:
            entries.append({"platform": form.get(f"social_platform_{index}", ""), "value": value})
    update = validated(ProfileUpdate, {"socials": entries})
    await update_profile(session, user.account.id, update)
    return "socials-saved"
