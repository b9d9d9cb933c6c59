"""Profile request and response models (camelCase on the wire, unknown fields refused)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from eziox.kit.urls import validate_image_url
from eziox.templates.catalog import catalog
from eziox.templates.schemas import TEMPLATE_ID_PATTERN, DesignOverrides


def _known_template(template_id: str) -> str:
    if catalog().find(template_id) is None:
        raise ValueError(f"unknown template '{template_id}' (see GET /v1/templates)")
    return template_id


ImageUrl = Annotated[str, AfterValidator(validate_image_url)]
ThemeId = Annotated[
    str,
    Field(pattern=TEMPLATE_ID_PATTERN, description="A template id from GET /v1/templates"),
    AfterValidator(_known_template),
]


class ProfileStats(BaseModel):
    views: int
    followers: int
    following: int


class Profile(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "usr_123",
                "username": "johndoe",
                "name": "John Doe",
                "bio": "Developer & Creator",
                "avatar": "https://example.com/avatar.png",
                "banner": "https://example.com/banner.png",
                "theme": "eziox-default",
                "design": None,
                "stats": {"views": 1234, "followers": 56, "following": 12},
                "links": 3,
                "createdAt": "2026-01-01T12:00:00Z",
            }
        }
    )

    id: str
    username: str
    name: str
    bio: str
    avatar: str | None
    banner: str | None
    theme: str
    design: DesignOverrides | None
    stats: ProfileStats
    links: int
    createdAt: str


class ProfileUpdate(BaseModel):
    """Fields to change; omitted fields stay as they are, ``null`` clears avatar, banner or design.

    ``design`` replaces the stored overrides as a whole (paid tiers).
    """

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=100)] | None = None
    bio: Annotated[str, Field(max_length=500)] | None = None
    avatar: ImageUrl | None = None
    banner: ImageUrl | None = None
    theme: ThemeId | None = None
    design: DesignOverrides | None = None
