"""Webhook endpoint and delivery models (camelCase on the wire, unknown fields refused)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, WithJsonSchema

from eziox.kit.text import plain
from eziox.kit.urls import HTTP_URL_PATTERN, IMAGE_URL_SCHEMA, ImageUrl
from eziox.webhooks.events import SUBSCRIBABLE, EventType

# Published as https-only unless the server allows http (see api.publish_url_policy).
HTTPS_URL_PATTERN = HTTP_URL_PATTERN.replace("[Ss]?://", "[Ss]://", 1)
assert HTTPS_URL_PATTERN != HTTP_URL_PATTERN
_URL_SCHEMA = {
    **IMAGE_URL_SCHEMA,
    "description": (
        "Where events are POSTed: https, on a host with public addresses only (403 otherwise)"
    ),
    "example": "https://example.com/webhooks/eziox",
}
EndpointUrl = Annotated[ImageUrl, WithJsonSchema(_URL_SCHEMA)]
Description = Annotated[str, plain(300)]
Subscribable = Literal[
    "link.created",
    "link.updated",
    "link.deleted",
    "profile.updated",
    "template.applied",
    "link.clicked",
]
assert set(Subscribable.__args__) == {t.value for t in SUBSCRIBABLE}  # type: ignore[attr-defined]
EventTypes = Annotated[list[Subscribable], Field(min_length=1, max_length=len(SUBSCRIBABLE))]

_ENDPOINT_EXAMPLE: dict[str, JsonValue] = {
    "id": "whk_4Jf8sLr2QpX9aVn6TcYb",
    "url": "https://example.com/webhooks/eziox",
    "description": "Sync links to my CRM",
    "eventTypes": ["link.created", "link.updated", "link.deleted"],
    "enabled": True,
    "disabledReason": None,
    "createdAt": "2026-01-01T12:00:00Z",
    "updatedAt": "2026-01-01T12:00:00Z",
}


class WebhookEndpoint(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _ENDPOINT_EXAMPLE})

    id: str
    url: str
    description: str | None
    eventTypes: list[EventType]
    enabled: bool
    disabledReason: str | None = Field(description="Why delivery stopped, when it did")
    createdAt: str
    updatedAt: str


class WebhookEndpointWithSecret(WebhookEndpoint):
    """Returned on create and on rotate only: the signing secret is never shown again."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {**_ENDPOINT_EXAMPLE, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
        }
    )

    secret: str = Field(description="whsec_… — verify signatures with it (Standard Webhooks)")


class WebhookEndpointList(BaseModel):
    webhooks: list[WebhookEndpoint]
    total: int


class WebhookEndpointCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "example": {
                "url": "https://example.com/webhooks/eziox",
                "description": "Sync links to my CRM",
                "eventTypes": ["link.created", "link.updated"],
            }
        },
    )

    url: EndpointUrl
    description: Description | None = None
    eventTypes: EventTypes
    enabled: bool = True


class WebhookEndpointUpdate(BaseModel):
    """Fields to change; ``description`` may be ``null`` to clear it.

    Enabling an endpoint that was disabled after failing clears ``disabledReason``.
    """

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"example": {"enabled": False}}
    )

    url: Annotated[EndpointUrl | None, WithJsonSchema(_URL_SCHEMA)] = None
    description: Description | None = None
    eventTypes: Annotated[
        EventTypes | None,
        WithJsonSchema(
            {
                "type": "array",
                "items": {"type": "string", "enum": [t.value for t in SUBSCRIBABLE]},
                "minItems": 1,
                "maxItems": len(SUBSCRIBABLE),
            }
        ),
    ] = None
    enabled: Annotated[bool | None, WithJsonSchema({"type": "boolean"})] = None


DeliveryStatus = Literal["pending", "succeeded", "failed"]


class WebhookDelivery(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "dlv_8Hq2LmZr5TyWcX1bNvEa",
                "eventId": "evt_2Kd9PqLs7RtYvB3nMxCa",
                "eventType": "link.created",
                "status": "succeeded",
                "attempts": 1,
                "responseStatus": 200,
                "latencyMs": 84,
                "responseBody": "ok",
                "error": None,
                "createdAt": "2026-01-01T12:00:00Z",
                "lastAttemptAt": "2026-01-01T12:00:01Z",
                "nextAttemptAt": None,
            }
        }
    )

    id: str
    eventId: str
    eventType: str
    status: DeliveryStatus
    attempts: int
    responseStatus: int | None
    latencyMs: int | None
    responseBody: str | None = Field(description="The first 1 KB of the last response")
    error: str | None = Field(description="Why the last attempt failed, when no response said")
    createdAt: str
    lastAttemptAt: str | None
    nextAttemptAt: str | None


class WebhookDeliveryList(BaseModel):
    deliveries: list[WebhookDelivery]
    total: int


class WebhookTestResult(BaseModel):
    """The test event queued for this endpoint; its delivery shows in the log."""

    eventId: str
    deliveryId: str
