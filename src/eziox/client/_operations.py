"""Every API call the SDK makes, described once for both clients (see _core.Operation)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from eziox.client._core import Operation, invalid_response, json_body
from eziox.client.models import (
    Analytics,
    Breakdown,
    Link,
    LinkAnalytics,
    LinkPage,
    LinkUpdate,
    Profile,
    ProfileUpdate,
    Template,
    Usage,
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
_TEMPLATES = TypeAdapter(list[Template])


def _path(*segments: str) -> str:
    # Ids are encoded whole: "../profile" must stay one segment, never reach another route.
    return "/v1/" + "/".join(quote(segment, safe="") for segment in segments)


def _query(**values: str | int | bool | None) -> dict[str, str]:
    query: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            query[name] = "true" if value else "false"
        elif value is not None:
            query[name] = str(value)
    return query


def _wire(fields: Mapping[str, Any]) -> dict[str, Any]:
    """snake_case keyword arguments as the API's camelCase JSON fields."""
    return {to_camel(name): value for name, value in fields.items()}


def _validate(response: httpx.Response, parse: Callable[[Any], T], data: Any) -> T:
    try:
        return parse(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise invalid_response(response, f"{where}: {first['msg']}") from None


def _model(model: type[M]) -> Callable[[httpx.Response], M]:
    def parse(response: httpx.Response) -> M:
        return _validate(response, model.model_validate, json_body(response))

    return parse


def _no_content(_: httpx.Response) -> None:
    return None


def _text(response: httpx.Response) -> str:
    return response.text


# Profile


def get_profile() -> Operation[Profile]:
    return Operation("GET", _path("profile"), _model(Profile))


def update_profile(fields: ProfileUpdate) -> Operation[Profile]:
    return Operation("PATCH", _path("profile"), _model(Profile), body=_wire(fields))


# Links


def list_links(*, limit: int, offset: int, active: bool | None) -> Operation[LinkPage]:
    def parse(response: httpx.Response) -> LinkPage:
        data = json_body(response)
        if not isinstance(data, dict):
            raise invalid_response(response, "expected a JSON object")
        return _validate(
            response, LinkPage.model_validate, {**data, "offset": offset, "limit": limit}
        )

    query = _query(limit=limit, offset=offset, active=active)
    return Operation("GET", _path("links"), parse, params=query)


def get_link(link_id: str) -> Operation[Link]:
    return Operation("GET", _path("links", link_id), _model(Link))


def create_link(
    *, title: str, url: str, description: str | None, thumbnail: str | None, is_active: bool
) -> Operation[Link]:
    body: dict[str, Any] = {"title": title, "url": url, "isActive": is_active}
    if description is not None:
        body["description"] = description
    if thumbnail is not None:
        body["thumbnail"] = thumbnail
    return Operation("POST", _path("links"), _model(Link), body=body)


def update_link(link_id: str, fields: LinkUpdate) -> Operation[Link]:
    return Operation("PATCH", _path("links", link_id), _model(Link), body=_wire(fields))


def delete_link(link_id: str) -> Operation[None]:
    return Operation("DELETE", _path("links", link_id), _no_content)


# Analytics


def get_analytics(*, period: str, metric: str, tz: str) -> Operation[Analytics]:
    query = _query(period=period, metric=metric, tz=tz)
    return Operation("GET", _path("analytics"), _model(Analytics), params=query)


def analytics_csv(*, period: str, metric: str, tz: str) -> Operation[str]:
    query = _query(period=period, metric=metric, tz=tz, format="csv")
    return Operation("GET", _path("analytics"), _text, params=query)


def link_analytics(link_id: str, *, period: str, tz: str) -> Operation[LinkAnalytics]:
    query = _query(period=period, tz=tz)
    return Operation(
        "GET", _path("analytics", "links", link_id), _model(LinkAnalytics), params=query
    )


def breakdown(dimension: str, *, period: str, limit: int, tz: str) -> Operation[Breakdown]:
    query = _query(period=period, limit=limit, tz=tz)
    return Operation("GET", _path("analytics", dimension), _model(Breakdown), params=query)


# Templates


def list_templates(category: str | None) -> Operation[list[Template]]:
    def parse(response: httpx.Response) -> list[Template]:
        data = json_body(response)
        if not isinstance(data, dict):
            raise invalid_response(response, "expected a JSON object")
        return _validate(response, _TEMPLATES.validate_python, data.get("templates"))

    return Operation("GET", _path("templates"), parse, params=_query(category=category))


def get_template(template_id: str) -> Operation[Template]:
    return Operation("GET", _path("templates", template_id), _model(Template))


def apply_template(template_id: str) -> Operation[Profile]:
    return Operation("POST", _path("templates", template_id, "apply"), _model(Profile))


# Usage


def get_usage(*, days: int, tz: str) -> Operation[Usage]:
    return Operation("GET", _path("usage"), _model(Usage), params=_query(days=days, tz=tz))
