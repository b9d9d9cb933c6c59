"""A custom domain as the API shows it — the one place its wire shape is built.

The /v1/domains routes call `domain_view` and `domain_list_view`; `Domain` and `DomainList`
only declare the shapes for the OpenAPI document (tests/domains/test_views.py keeps them in
step).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, JsonValue

from eziox.domains.hostnames import record_name
from eziox.kit.time import rfc3339
from eziox.models import Domain as DomainRow


def domain_view(domain: DomainRow) -> dict[str, Any]:
    return {
        "id": domain.id,
        "hostname": domain.hostname,
        "status": domain.status,
        "verification": {
            "type": "TXT",
            "name": record_name(domain.hostname),
            "value": domain.token,
        },
        "verifiedAt": rfc3339(domain.verified_at) if domain.verified_at else None,
        "createdAt": rfc3339(domain.created_at),
    }


def domain_list_view(domains: Sequence[DomainRow]) -> dict[str, Any]:
    return {"domains": [domain_view(domain) for domain in domains], "total": len(domains)}


_EXAMPLE: dict[str, JsonValue] = {
    "id": "dom_123",
    "hostname": "links.example.com",
    "status": "pending",
    "verification": {
        "type": "TXT",
        "name": "_eziox.links.example.com",
        "value": "eziox-verify=6f1c0d7e2b4a4f3c9a8e5d2b1c0f9e8d",
    },
    "verifiedAt": None,
    "createdAt": "2026-01-01T12:00:00Z",
}


class DomainVerification(BaseModel):
    """The DNS record that proves the hostname is yours: set it, then call verify."""

    type: Literal["TXT"]
    name: str
    value: str


class Domain(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})

    id: str
    hostname: str
    status: Literal["pending", "verified"]
    verification: DomainVerification
    verifiedAt: str | None
    createdAt: str


class DomainList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"domains": [_EXAMPLE], "total": 1}})

    domains: list[Domain]
    total: int
