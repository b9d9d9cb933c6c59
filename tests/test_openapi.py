"""/openapi.json as generators read it: stable operation ids, one cleanly named schema per
model, no giant enums, a server, and examples that match their own schemas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import available_timezones

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from eziox.analytics.periods import parse_zone
from eziox.config import Settings
from tests.factories import Caller
from tests.test_errors import assert_envelope

# The published method names of every generated client: renaming a route function must not
# change them silently, so a new or renamed operation is added here on purpose.
OPERATION_IDS = {
    "getProfile", "updateProfile",
    "listLinks", "createLink", "getLink", "updateLink", "deleteLink", "reorderLinks",
    "listGroups", "createGroup", "updateGroup", "deleteGroup", "reorderGroups",
    "exportAccount", "importAccount",
    "getAnalytics", "getLinkAnalytics", "getBreakdown",
    "listTemplates", "getTemplate", "applyTemplate",
    "listWebhooks", "createWebhook", "getWebhook", "updateWebhook", "deleteWebhook",
    "rotateWebhookSecret", "testWebhook", "listWebhookDeliveries", "resendWebhookDelivery",
    "listDomains", "addDomain", "verifyDomain", "deleteDomain",
    "getUsage",
}  # fmt: skip
CAMEL_CASE = re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)*$")
# Everything a Python/JSON value inside an example may be, but not a keyword to descend into.
NOT_SCHEMAS = ("example", "examples", "default", "const", "enum")


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/v1"):
                yield method, path, operation


def test_every_operation_has_its_own_camel_case_id(document: dict[str, Any]) -> None:
    ids = [operation.get("operationId", "") for _, _, operation in _operations(document)]
    assert [i for i in ids if not CAMEL_CASE.match(i)] == []
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert set(ids) == OPERATION_IDS


def test_one_schema_per_model_with_a_clean_name(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    unclean = [n for n in schemas if "__" in n or n.endswith(("-Input", "-Output"))]
    assert unclean == []
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)


def test_servers_name_the_public_url(document: dict[str, Any], settings: Settings) -> None:
    assert [server["url"] for server in document["servers"]] == [settings.public_url.rstrip("/")]


def test_info_names_the_licence(document: dict[str, Any]) -> None:
    """redocly's recommended rules want it; the package is MIT (pyproject.toml)."""
    assert document["info"]["license"] == {"name": "MIT", "identifier": "MIT"}


def _zone_parameters(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        parameter
        for _, _, operation in _operations(document)
        for parameter in operation.get("parameters", ())
        if parameter["name"] == "tz"
    ]


def test_the_time_zone_is_a_formatted_string_not_an_enum(document: dict[str, Any]) -> None:
    parameters = _zone_parameters(document)
    assert len(parameters) == 4  # the series, a link's series, the breakdowns and usage
    for parameter in parameters:
        schema = parameter["schema"]
        assert schema["type"] == "string"
        assert schema["format"] == "iana-time-zone"
        assert "enum" not in schema
        assert "pattern" not in schema
        assert "Europe/Berlin" in parameter["description"]


def test_every_iana_zone_is_accepted_by_the_server() -> None:
    """The set tests/process/schemathesis_hooks.py draws `iana-time-zone` values from."""
    for name in available_timezones() - {"Factory", "localtime"}:
        assert parse_zone(name).key == name


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "europe/berlin", "/etc/passwd", "x" * 65])
async def test_an_unknown_zone_is_still_a_validation_error(caller: Caller, zone: str) -> None:
    response = await caller.get("/v1/analytics", params={"tz": zone})
    assert_envelope(response, 422, "VALIDATION_ERROR")
    assert [d["field"] for d in response.json()["error"]["details"]] == ["tz"]


def _examples(node: Any, where: str, in_schema: bool) -> Iterator[tuple[str, Any, Any]]:
    """(where, schema, example) for every example of the document: a schema's own `example`
    and `examples`, and those of parameters, headers and media types (against their schema)."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _examples(item, f"{where}/{index}", in_schema)
        return
    if not isinstance(node, dict):
        return
    if in_schema:
        if "example" in node:
            yield where, node, node["example"]
        for example in node.get("examples") or ():
            yield where, node, example
    elif isinstance(node.get("schema"), dict):
        if "example" in node:
            yield where, node["schema"], node["example"]
        for name, example in (node.get("examples") or {}).items():
            yield f"{where}/examples/{name}", node["schema"], example["value"]
    for key, value in node.items():
        if key not in NOT_SCHEMAS:
            child = in_schema or key == "schema" or where == "#/components/schemas"
            yield from _examples(value, f"{where}/{key}", child)


def test_every_example_matches_its_schema(document: dict[str, Any]) -> None:
    found = list(_examples(document, "#", in_schema=False))
    assert len(found) > 40, "the examples were not found"
    assert any(where == "#/components/schemas/Link" for where, _, _ in found)
    checker = FormatChecker()
    checker.checks("iana-time-zone", raises=ValueError)(parse_zone)
    wrong = []
    for where, schema, example in found:
        validator = Draft202012Validator(
            {**schema, "components": document["components"]}, format_checker=checker
        )
        wrong += [f"{where}: {error.message}" for error in validator.iter_errors(example)]
    assert wrong == []
