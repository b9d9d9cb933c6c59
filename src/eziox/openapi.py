"""OpenAPI pieces shared by the /v1 routers: the error envelope and the rate-limit headers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi.openapi.utils import get_fields_from_routes
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from starlette.routing import BaseRoute

from eziox.idempotency.openapi import document_idempotency


def operation_id(route: APIRoute) -> str:
    """The published `operationId`: the route function's name in camelCase (`list_links` →
    `listLinks`), so generated clients get one stable method name per route."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


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
    412: "If-Match does not hold the resource's current ETag: nothing was changed",
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

_ETAG = {
    "ETag": {
        "description": "Strong tag of this exact body; send it back in If-None-Match or If-Match",
        "schema": {"type": "string"},
    }
}


def _condition(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


def _add_conditions(method: str, operation: dict[str, Any], responses: dict[str, Any]) -> None:
    """Conditional requests (eziox.conditional): ETag/If-None-Match/304 on GETs, If-Match/412
    on PATCH and DELETE."""
    parameters = operation.setdefault("parameters", [])
    if method == "get":
        parameters.append(_condition(
            "If-None-Match",
            "ETags you hold (`*`, a list, `W/` allowed): 304 with no body if one is current",
        ))  # fmt: skip
        if "200" in responses:
            responses["200"].setdefault("headers", {}).update(_ETAG)
        responses["304"] = {
            "description": "Not modified: your ETag is current",
            "headers": {**_ETAG},
        }
    elif method in ("patch", "delete"):
        parameters.append(_condition(
            "If-Match",
            "The ETag the GET of this resource gave you (or `*`): 412 if it changed since",
        ))  # fmt: skip
        responses["412"] = {
            "description": _DESCRIPTIONS[412],
            "content": {"application/json": {"schema": _ENVELOPE_REF}},
        }


def finish_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Make the document say what the server does on every /v1 operation.

    Every authenticated response carries X-RateLimit-* (all but 401); request validation
    answers the envelope, not FastAPI's default `{"detail": …}` (which is removed).
    """
    document_idempotency(schema)
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/v1"):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            _add_conditions(method, operation, responses)
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


def restore_examples(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """Give each component schema its model's example as declared, nulls included.

    FastAPI encodes the document with `exclude_none`, which also drops every null inside an
    example: the example of a required nullable field (a link's `thumbnail`) then lacks it
    and no longer matches its own schema.
    """
    components = schema.get("components", {}).get("schemas", {})
    for model in _models(routes):
        declared = model.model_json_schema(mode="validation")
        for name, definition in {model.__name__: declared, **declared.get("$defs", {})}.items():
            if "example" in definition and name in components:
                components[name]["example"] = definition["example"]
    return schema


def _models(routes: Sequence[BaseRoute]) -> Iterator[type[BaseModel]]:
    """The models the document's bodies and responses are made of (nested ones included in
    their JSON schemas' `$defs`)."""
    seen: set[type[BaseModel]] = set()
    for field in get_fields_from_routes(routes):
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel) and model not in seen:
            seen.add(model)
            yield model


def _path_parameter(path: str) -> str:
    """The one ``{name}`` in ``path``."""
    return path[path.index("{") + 1 : path.index("}")]
