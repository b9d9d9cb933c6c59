"""Link request and response models (camelCase on the wire, unknown fields refused)."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
)

from eziox.kit.urls import validate_image_url, validate_link_url

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, Field(max_length=300)]
LinkUrl = Annotated[str, AfterValidator(validate_link_url)]
ImageUrl = Annotated[str, AfterValidator(validate_image_url)]

_EXAMPLE: dict[str, JsonValue] = {
    "id": "lnk_123",
    "title": "My Website",
    "url": "https://example.com",
    "description": "Optional description",
    "thumbnail": None,
    "clicks": 42,
    "isActive": True,
    "order": 0,
    "createdAt": "2026-01-01T12:00:00Z",
    "updatedAt": "2026-01-01T12:00:00Z",
}


class Link(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})

    id: str
    title: str
    url: str
    description: str | None
    thumbnail: str | None
    clicks: int
    isActive: bool
    order: int
    createdAt: str
    updatedAt: str


class LinkList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"links": [_EXAMPLE], "total": 1}})

    links: list[Link]
    total: int


class LinkCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "title": "New Link",
                "url": "https://example.com",
                "description": "Optional description",
                "thumbnail": "https://example.com/thumb.png",
                "isActive": True,
            }
        },
    )

    title: Title
    url: LinkUrl
    description: Description | None = None
    thumbnail: ImageUrl | None = None
    isActive: bool = True


class LinkUpdate(BaseModel):
    """Fields to change; ``description`` and ``thumbnail`` may be ``null`` to clear them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"isActive": False}})

    title: Title | None = None
    url: LinkUrl | None = None
    description: Description | None = None
    thumbnail: ImageUrl | None = None
    isActive: bool | None = None
    order: Annotated[int, Field(ge=0)] | None = None
