"""Profile request models (camelCase on the wire, unknown fields refused).

The response shape is built and declared in accounts/views.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from eziox.accounts.socials import SocialList
from eziox.kit.text import plain, plain_schema, shown_name, shown_name_schema
from eziox.kit.urls import ImageUrl
from eziox.templates.catalog import catalog
from eziox.templates.schemas import TEMPLATE_ID_PATTERN, DesignOverrides


def _known_template(template_id: str) -> str:
    if catalog().find(template_id) is None:
        raise ValueError(f"unknown template '{template_id}' (see GET /v1/templates)")
    return template_id


def _template_ids(schema: dict[str, Any]) -> None:
    schema["enum"] = [template.id for template in catalog().templates]


def _theme_schema() -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "description": "A template id"}
    _template_ids(schema)
    return schema


ThemeId = Annotated[
    str,
    Field(
        pattern=TEMPLATE_ID_PATTERN,
        description="A template id from GET /v1/templates",
        json_schema_extra=_template_ids,
    ),
    AfterValidator(_known_template),
]


class ProfileUpdate(BaseModel):
    """Fields to change; omitted fields stay as they are, ``null`` clears avatar, banner or design.

    ``design`` replaces the stored overrides as a whole (paid tiers); ``socials`` replaces the
    list of social profiles as a whole (``null`` or ``[]`` clears it).
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    # Omittable, not nullable (the service refuses null); the schema says exactly that.
    name: Annotated[
        Annotated[str, shown_name(100)] | None,
        WithJsonSchema(shown_name_schema(100)),
    ] = None
    bio: Annotated[
        Annotated[str, plain(500)] | None,
        WithJsonSchema(plain_schema(500)),
    ] = None
    avatar: ImageUrl | None = None
    banner: ImageUrl | None = None
    theme: Annotated[ThemeId | None, WithJsonSchema(_theme_schema())] = None
    design: DesignOverrides | None = None
    socials: SocialList | None = None
