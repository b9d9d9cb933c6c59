"""OpenAPI pieces shared by the /v1 routers: the error envelope and the rate-limit headers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    message: str
    retryAfter: int | None = None
    details: list[ErrorDetail] | None = None


class ErrorEnvelope(BaseModel):
    """Every error response: `{"error": {"code", "message", ...}}`."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "error": {
                    "code": "RATE_LIMIT_EXCEEDED",
                    "message": "Too many requests. Please try again later.",
                    "retryAfter": 3600,
                }
            }
        }
    )

    error: ErrorBody


_DESCRIPTIONS = {
    401: "Invalid or missing API key",
    403: "The key lacks the permission this endpoint needs",
    404: "Resource not found",
    409: "Conflict with the current state",
    413: "Request body too large",
    415: "Request body is not JSON",
    422: "Validation error",
    429: "Too many requests",
    503: "Temporarily unavailable: retry after `Retry-After` seconds",
}

RATE_LIMIT_HEADERS: dict[str, Any] = {
    "X-RateLimit-Limit": {
        "description": "Requests allowed per hour",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in this window",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Reset": {
        "description": "Unix time (seconds) when the window resets",
        "schema": {"type": "integer"},
    },
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry for a route: the envelope under each error status."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorEnvelope, "description": _DESCRIPTIONS[status]}
        if status == 429:
            entry["headers"] = {
                **RATE_LIMIT_HEADERS,
                "Retry-After": {
                    "description": "Seconds until reset",
                    "schema": {"type": "integer"},
                },
            }
        if status == 503:
            entry["headers"] = {
                "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
            }
        responses[status] = entry
    return responses


_ENVELOPE_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}


def finish_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Make the document say what the server does on every /v1 operation.

    Every authenticated response carries X-RateLimit-* (all but 401); request validation
    answers the envelope, not FastAPI's default `{"detail": …}` (which is removed).
    """
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/v1"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = {
                    "description": _DESCRIPTIONS[422],
                    "content": {"application/json": {"schema": _ENVELOPE_REF}},
                }
            for status, response in responses.items():
                if status != "401":
                    response.setdefault("headers", {}).update(RATE_LIMIT_HEADERS)
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    _add_links(schema)
    return schema


# OpenAPI links: what a created link's `id` can be used for next (clients and schemathesis'
# stateful tests follow them: create → read → update → analytics → delete).
_LINKS = {
    ("/v1/links", "post", "201"): [
        ("GetLink", "/v1/links/{link_id}", "get"),
        ("UpdateLink", "/v1/links/{link_id}", "patch"),
        ("DeleteLink", "/v1/links/{link_id}", "delete"),
        ("GetLinkAnalytics", "/v1/analytics/links/{link_id}", "get"),
    ],
    ("/v1/domains", "post", "201"): [
        ("VerifyDomain", "/v1/domains/{domain_id}/verify", "post"),
        ("DeleteDomain", "/v1/domains/{domain_id}", "delete"),
    ],
}


def _add_links(schema: dict[str, Any]) -> None:
    paths = schema.get("paths", {})
    for (path, method, status), targets in _LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        links = response.setdefault("links", {})
        for name, target, target_method in targets:
            operation = paths.get(target, {}).get(target_method)
            if operation is None or "operationId" not in operation:
                continue
            links[name] = {
                "operationId": operation["operationId"],
                "parameters": {_path_parameter(target): "$response.body#/id"},
            }


def _path_parameter(path: str) -> str:
    """The one ``{name}`` in ``path``."""
    return path[path.index("{") + 1 : path.index("}")]
