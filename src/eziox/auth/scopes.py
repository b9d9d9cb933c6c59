"""The permissions an API key can hold: the one list every check and form reads."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    PROFILE_READ = "profile:read"
    PROFILE_WRITE = "profile:write"
    LINKS_READ = "links:read"
    LINKS_WRITE = "links:write"
    LINKS_DELETE = "links:delete"
    ANALYTICS_READ = "analytics:read"
    TEMPLATES_READ = "templates:read"
    TEMPLATES_APPLY = "templates:apply"
    WEBHOOKS_READ = "webhooks:read"
    WEBHOOKS_WRITE = "webhooks:write"


ALL_PERMISSIONS: frozenset[Permission] = frozenset(Permission)
READ_ONLY: frozenset[Permission] = frozenset(p for p in Permission if p.endswith(":read"))


def parse_permissions(values: list[str] | str) -> frozenset[Permission]:
    """Parse names (a list, or a comma/space separated string, or ``all``); unknown → ValueError."""
    if isinstance(values, str):
        values = [v for v in values.replace(",", " ").split() if v]
    if [v.strip().lower() for v in values] == ["all"]:
        return ALL_PERMISSIONS
    unknown = sorted({v for v in values if v not in Permission.__members__.values()})
    if unknown:
        known = ", ".join(p.value for p in Permission)
        raise ValueError(f"unknown permission(s): {', '.join(unknown)} (known: {known})")
    if not values:
        raise ValueError("at least one permission is required")
    return frozenset(Permission(v) for v in values)
