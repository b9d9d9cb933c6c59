"""What the dashboard's profile and links tabs show for groups and socials (no routes here)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts.socials import RULES, Platform
from eziox.groups.service import list_groups

SOCIAL_ROWS = 8  # blank rows the profile form offers
PLATFORMS = [(p.value, RULES[p].label, RULES[p].hint) for p in Platform]

NOTICES = {
    "group-added": "Group added.",
    "group-updated": "Group updated.",
    "group-deleted": "Group deleted. Its links are still on your page, ungrouped.",
    "socials-saved": "Social profiles saved.",
    "links-imported": "Links imported.",
}


async def tab_extras(session: AsyncSession, account_id: str) -> dict[str, Any]:
    """What the profile and links tabs show beyond the links themselves."""
    groups = await list_groups(session, account_id)
    return {
        "groups": [{"id": g.id, "title": g.title, "order": g.position} for g in groups],
        "platforms": PLATFORMS,
        "social_rows": SOCIAL_ROWS,
    }
