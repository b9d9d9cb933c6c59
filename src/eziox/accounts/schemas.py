"""Profile request and response models (camelCase on the wire, unknown fields refused)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from eziox.kit.urls import validate_image_url

ImageUrl = Annotated[str, AfterValidator(validate_image_url)]
ThemeId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


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
    stats: ProfileStats
    links: int
    createdAt: str


class ProfileUpdate(BaseModel):
    """Fields to change; omitted fields stay as they are, ``null`` clears avatar or banner."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=100)] | None = None
    bio: Annotated[str, Field(max_length=500)] | None = None
    avatar: ImageUrl | None = None
    banner: ImageUrl | None = None
    theme: ThemeId | None = None
