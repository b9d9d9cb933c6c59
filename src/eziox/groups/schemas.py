"""Group request models (camelCase on the wire, unknown fields refused).

The response shape is built and declared in groups/views.py.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from eziox.kit.numbers import Position
from eziox.kit.text import trimmed, trimmed_schema

Title = Annotated[str, trimmed(100)]


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


class GroupOrder(BaseModel):
    """The whole new order: every one of your group ids exactly once, first to last."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"example": {"ids": ["grp_2", "grp_1"]}}
    )

    ids: list[Annotated[str, Field(max_length=64)]] = Field(max_length=10_000)
