"""Group request and response models (camelCase on the wire, unknown fields refused)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, JsonValue, WithJsonSchema

from eziox.kit.numbers import Position
from eziox.kit.text import trimmed, trimmed_schema

Title = Annotated[str, trimmed(100)]

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


class GroupCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"example": {"title": "My music"}}
    )

    title: Title


class GroupUpdate(BaseModel):
    """Fields to change: a new title, or a new place among your groups."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"example": {"title": "Podcasts"}}
    )

    title: Annotated[Title | None, WithJsonSchema(trimmed_schema(100))] = None
    order: Position = None
