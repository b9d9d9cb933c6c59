"""The portable document (version 1): what GET /v1/export answers and POST /v1/import takes.

Links sit inside their group (or in the top-level `links` when ungrouped), so a document can
never reference a group it does not contain. `order` is the account-wide link order.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from eziox.accounts.schemas import ThemeId
from eziox.accounts.socials import SocialList
from eziox.kit.numbers import whole_number
from eziox.kit.text import plain, shown_name
from eziox.kit.timestamps import Timestamp
from eziox.kit.urls import ImageUrl, LinkUrl
from eziox.links.schemas import Description, Title
from eziox.templates.schemas import DesignOverrides

MAX_LINKS = 1000
MAX_GROUPS = 100

Strict = ConfigDict(extra="forbid", strict=True)
DocId = Annotated[str, Field(max_length=32, description="Kept when it is one of your own")]
# JSON's 3.0 is the integer 3 (as JSON Schema says): accepted wherever an integer is.
Count = Annotated[
    int,
    BeforeValidator(whole_number),
    Field(ge=0, strict=False),
    WithJsonSchema({"type": "integer", "minimum": 0}),
]
Order = Annotated[
    int,
    BeforeValidator(whole_number),
    Field(ge=0, le=1_000_000, strict=False),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 1_000_000}),
]
Version = Annotated[
    int,
    BeforeValidator(whole_number),
    Field(ge=1, le=1, strict=False),
    WithJsonSchema({"type": "integer", "const": 1, "description": "Document format: 1"}),
]


class PortableLink(BaseModel):
    model_config = Strict

    id: DocId | None = None
    title: Title
    url: LinkUrl
    description: Description | None = None
    thumbnail: ImageUrl | None = None
    isActive: bool = True
    order: Order | None = Field(None, description="Account-wide order; missing: document order")
    startsAt: Timestamp | None = None
    endsAt: Timestamp | None = None
    sensitive: bool = False


class PortableGroup(BaseModel):
    model_config = Strict

    id: DocId | None = None
    title: Title
    links: Annotated[list[PortableLink], Field(max_length=MAX_LINKS)] = []


class PortableProfile(BaseModel):
    model_config = Strict

    username: Annotated[
        str | None, Field(max_length=30, description="For your records; import keeps yours")
    ] = None
    name: Annotated[str, shown_name(100)] = ""
    bio: Annotated[str, plain(500)] = ""
    avatar: ImageUrl | None = None
    banner: ImageUrl | None = None


class PortableDailyPoint(BaseModel):
    model_config = Strict

    date: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", max_length=10)]
    views: Count
    clicks: Count


class PortableAnalytics(BaseModel):
    """Daily account-wide rollups (UTC days with activity). Import ignores them: counts are
    measured by the server that served the page, never restored from a file."""

    model_config = Strict

    daily: Annotated[list[PortableDailyPoint], Field(max_length=100_000)] = []


class PortableDocument(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "example": {
                "version": 1,
                "exportedAt": "2026-01-01T12:00:00Z",
                "profile": {"username": "johndoe", "name": "John Doe", "bio": "Hi"},
                "socials": [{"platform": "github", "value": "johndoe"}],
                "theme": "eziox-default",
                "design": None,
                "groups": [
                    {
                        "id": "grp_123",
                        "title": "Music",
                        "links": [{"title": "Album", "url": "https://example.com/a", "order": 1}],
                    }
                ],
                "links": [{"title": "Website", "url": "https://example.com", "order": 0}],
                "analytics": {"daily": [{"date": "2026-01-01", "views": 3, "clicks": 1}]},
            }
        },
    )

    version: Version
    exportedAt: Timestamp | None = None
    profile: PortableProfile
    socials: SocialList = []
    theme: ThemeId
    design: DesignOverrides | None = None
    groups: Annotated[list[PortableGroup], Field(max_length=MAX_GROUPS)] = []
    links: Annotated[list[PortableLink], Field(max_length=MAX_LINKS)] = []
    analytics: PortableAnalytics | None = None


class ChangeCount(BaseModel):
    created: int
    updated: int
    deleted: int


class ImportReport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "dryRun": True,
                "profile": {"created": 0, "updated": 1, "deleted": 0},
                "socials": {"created": 1, "updated": 0, "deleted": 0},
                "groups": {"created": 1, "updated": 0, "deleted": 0},
                "links": {"created": 2, "updated": 0, "deleted": 3},
            }
        }
    )

    dryRun: bool
    profile: ChangeCount
    socials: ChangeCount
    groups: ChangeCount
    links: ChangeCount
