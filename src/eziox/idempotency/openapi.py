"""The Idempotency-Key header, Idempotent-Replayed and 409 on every /v1 POST of the document."""

from __future__ import annotations

from typing import Any

from eziox.idempotency.keys import HEADER, MAX_LENGTH, PATTERN

PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Makes the POST safe to retry: for 24 h the same key with the same request replays "
        "the first answer (with `Idempotent-Replayed: true`) instead of running again; the "
        "same key with another path or body, or while the first request still runs, "
        "answers 409. A UUID4 per operation is a good key."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": PATTERN},
}

REPLAYED: dict[str, Any] = {
    "description": "`true` when this is the stored answer to an earlier request with the key",
    "schema": {"type": "string", "enum": ["true"]},
}

CONFLICT: dict[str, Any] = {
    "description": (
        "Conflict with the current state, or the Idempotency-Key was used for another "
        "request or is still in progress"
    ),
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
}


def document_idempotency(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the header, the replay header and the 409 on every /v1 POST operation."""
    for path, operations in schema.get("paths", {}).items():
        operation = operations.get("post")
        if not path.startswith("/v1/") or operation is None:
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == HEADER for p in parameters):
            parameters.append(dict(PARAMETER))
        responses = operation.setdefault("responses", {})
        responses.setdefault("409", dict(CONFLICT))
        for status, response in responses.items():
            if status.startswith(("2", "4")) and status not in {"401", "403", "429"}:
                response.setdefault("headers", {})["Idempotent-Replayed"] = REPLAYED
    return schema
