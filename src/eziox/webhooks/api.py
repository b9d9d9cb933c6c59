"""The /v1/webhooks routes (thin: validate, call the service, serialize once)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from eziox.auth.guard import WebhooksRead, WebhooksWrite
from eziox.deps import DbSession, app_state
from eziox.kit.responses import JSONBytes
from eziox.openapi import error_responses
from eziox.webhooks import service
from eziox.webhooks.schemas import (
    HTTPS_URL_PATTERN,
    WebhookDelivery,
    WebhookDeliveryList,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointList,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
    WebhookTestResult,
)

router = APIRouter(prefix="/v1/webhooks", tags=["Webhooks"])


def publish_url_policy(schema: dict[str, Any], *, allow_http: bool) -> dict[str, Any]:
    """Publish the URL pattern this server accepts: https only unless http is allowed."""
    if allow_http:
        return schema
    components = schema.get("components", {}).get("schemas", {})
    for name in ("WebhookEndpointCreate", "WebhookEndpointUpdate"):
        url = components.get(name, {}).get("properties", {}).get("url")
        if url is not None:
            url["pattern"] = HTTPS_URL_PATTERN
    return schema


def _keyring(request: Request) -> service.Keyring:
    return app_state(request).webhooks.keyring


Keyring = Annotated[service.Keyring, Depends(_keyring)]


def _with_secret(created: service.WithSecret, status: int = 200) -> Response:
    body = {**service.serialize(created.endpoint), "secret": created.secret}
    return JSONBytes(orjson.dumps(body), status_code=status)


@router.get("", response_model=WebhookEndpointList, responses=error_responses(401, 403, 429))
async def list_webhooks(principal: WebhooksRead, session: DbSession) -> Response:
    """Your webhook endpoints, oldest first."""
    endpoints = await service.list_endpoints(session, principal.account_id)
    return JSONBytes(orjson.dumps({"webhooks": endpoints, "total": len(endpoints)}))


@router.post(
    "",
    status_code=201,
    response_model=WebhookEndpointWithSecret,
    responses=error_responses(401, 403, 413, 415, 422, 429),
)
async def create_webhook(
    principal: WebhooksWrite, session: DbSession, keyring: Keyring, body: WebhookEndpointCreate
) -> Response:
    """Add an endpoint; the response holds its signing secret, shown this once.

    The URL must be https on a host that resolves to public addresses only. The number of
    endpoints depends on the plan (Free 0 · Pro 3 · Creator 10 · Lifetime 10).
    """
    created = await service.create_endpoint(session, principal.account_id, body, keyring)
    return _with_secret(created, 201)


@router.get(
    "/{webhook_id}", response_model=WebhookEndpoint, responses=error_responses(401, 403, 404, 429)
)
async def get_webhook(principal: WebhooksRead, session: DbSession, webhook_id: str) -> Response:
    """One of your endpoints (never its secret)."""
    endpoint = await service.get_endpoint(session, principal.account_id, webhook_id)
    return JSONBytes(orjson.dumps(service.serialize(endpoint)))


@router.patch(
    "/{webhook_id}",
    response_model=WebhookEndpoint,
    responses=error_responses(401, 403, 404, 413, 415, 422, 429),
)
async def update_webhook(
    principal: WebhooksWrite,
    session: DbSession,
    keyring: Keyring,
    webhook_id: str,
    body: WebhookEndpointUpdate,
) -> Response:
    """Change the URL, description, event types or enabled flag."""
    endpoint = await service.update_endpoint(
        session, principal.account_id, webhook_id, body, keyring
    )
    return JSONBytes(orjson.dumps(service.serialize(endpoint)))


@router.delete(
    "/{webhook_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404, 429),
)
async def delete_webhook(principal: WebhooksWrite, session: DbSession, webhook_id: str) -> Response:
    """Delete an endpoint with its delivery log; nothing more is sent to it."""
    await service.delete_endpoint(session, principal.account_id, webhook_id)
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=WebhookEndpointWithSecret,
    responses=error_responses(401, 403, 404, 429),
)
async def rotate_webhook_secret(
    principal: WebhooksWrite, session: DbSession, keyring: Keyring, webhook_id: str
) -> Response:
    """A new signing secret, shown this once; for 24 hours deliveries carry a signature
    made with the previous secret too, so receivers can switch without dropping events."""
    rotated = await service.rotate_secret(session, principal.account_id, webhook_id, keyring)
    return _with_secret(rotated)


_RESEND = "#/paths/~1v1~1webhooks~1{webhook_id}~1deliveries~1{delivery_id}~1resend/post"
_TEST_LINKS = {
    "202": {
        "description": "Successful Response",
        "links": {
            "ResendTheTestEvent": {
                "operationRef": _RESEND,
                "parameters": {
                    "webhook_id": "$request.path.webhook_id",
                    "delivery_id": "$response.body#/deliveryId",
                },
            }
        },
    }
}


@router.post(
    "/{webhook_id}/test",
    status_code=202,
    response_model=WebhookTestResult,
    responses=error_responses(401, 403, 404, 409, 429),
    openapi_extra={"responses": _TEST_LINKS},
)
async def test_webhook(principal: WebhooksWrite, session: DbSession, webhook_id: str) -> Response:
    """Queue a `webhook.test` event for this endpoint; follow it in the delivery log."""
    event_id, delivery_id = await service.send_test(session, principal.account_id, webhook_id)
    return JSONBytes(
        orjson.dumps({"eventId": event_id, "deliveryId": delivery_id}), status_code=202
    )


@router.get(
    "/{webhook_id}/deliveries",
    response_model=WebhookDeliveryList,
    responses=error_responses(401, 403, 404, 422, 429),
)
async def list_webhook_deliveries(
    principal: WebhooksRead,
    session: DbSession,
    webhook_id: str,
    limit: Annotated[int, Query(ge=1, le=100, description="Max results")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="Pagination offset")] = 0,
) -> Response:
    """The endpoint's delivery log, newest first: status, attempts, response code, latency
    and the first 1 KB of the last response."""
    deliveries, total = await service.list_deliveries(
        session, principal.account_id, webhook_id, limit=limit, offset=offset
    )
    return JSONBytes(orjson.dumps({"deliveries": deliveries, "total": total}))


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/resend",
    status_code=202,
    response_model=WebhookDelivery,
    responses=error_responses(401, 403, 404, 409, 429),
)
async def resend_webhook_delivery(
    principal: WebhooksWrite, session: DbSession, webhook_id: str, delivery_id: str
) -> Response:
    """Send that delivery's event again (same event id, so the same `webhook-id`)."""
    delivery = await service.resend(session, principal.account_id, webhook_id, delivery_id)
    return JSONBytes(orjson.dumps(delivery), status_code=202)
