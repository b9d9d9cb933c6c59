"""A group as the API shows it — the one place its wire shape is built.

The /v1/groups routes call `group_view` and `group_list_view`; `Group` and `GroupList` only
declare the shapes for the OpenAPI document, and tests/groups/test_views.py keeps each view
and its model in step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue

from eziox.kit.time import rfc3339
from eziox.models import LinkGroup


def group_view(group: LinkGroup) -> dict[str, Any]:
    """A group as the API shows it."""
    return {
        "id": group.id,
        "title": group.title,
        "order": group.position,
        "createdAt": rfc3339(group.created_at),
        "updatedAt": rfc3339(group.updated_at),
    }


def group_list_view(groups: Sequence[LinkGroup]) -> dict[str, Any]:
    """Every group, in order, as GET /v1/groups shows them."""
    return {"groups": [group_view(group) for group in groups], "total": len(groups)}


_EXAMPLE: dict[str, JsonValue] = {
    "id": "grp_123",
    "title": "My music",
    "order": 0,
    "createdAt": "2026-01-01T12:00:00Z",
    "updatedAt": "2026-01-01T12:00:00Z",
}


class Group(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})

    id: str
    title: str
    order: int
    createdAt: str
    updatedAt: str


class GroupList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"groups": [_EXAMPLE], "total": 1}})

    groups: list[Group]
    total: int
