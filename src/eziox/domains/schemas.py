"""Custom domain request models (unknown fields refused). The response shape is in views.py."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from eziox.domains.hostnames import MAX_LENGTH
from eziox.kit.urls import HOSTNAME_PATTERN


class DomainCreate(BaseModel):
    """The hostname to serve your page on: ASCII, international names in their xn-- form
    (the dashboard converts them)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"example": {"hostname": "links.example.com"}},
    )

    hostname: Annotated[str, StringConstraints(max_length=MAX_LENGTH, pattern=HOSTNAME_PATTERN)]
