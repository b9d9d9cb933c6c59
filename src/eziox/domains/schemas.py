"""Custom domain request models (unknown fields refused). The response shape is in views.py."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict

from eziox.kit.text import plain


class DomainCreate(BaseModel):
    """The hostname to serve your page on (international names may be given as they read)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"example": {"hostname": "links.example.com"}},
    )

    hostname: Annotated[str, plain(300, min_length=1)]
