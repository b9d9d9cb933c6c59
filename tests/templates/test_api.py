"""GET /v1/templates, GET /v1/templates/{id}, POST /v1/templates/{id}/apply."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from eziox.auth.scopes import Permission
from eziox.templates.catalog import catalog
from eziox.templates.schemas import CATEGORIES
from tests.factories import Caller, make_account, make_caller, make_key

TEMPLATE_KEYS = {"id", "name", "description", "category", "premium", "theme"}
THEME_KEYS = {"colors", "fonts", "cardStyle", "borderRadius", "background", "buttonHover"}
COLOR_KEYS = {"background", "surface", "text", "muted", "accent", "accentText"}
PREMIUM_MESSAGE = "The 'Neon Arcade' template is part of Pro, Creator and Lifetime."


@pytest.fixture
async def pro(app: FastAPI, client: httpx.AsyncClient) -> Caller:
    return await make_caller(app, client, tier="pro")


async def test_list_has_every_template_in_the_wire_shape(caller: Caller) -> None:
    response = await caller.get("/v1/templates")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"templates", "total"}
    assert body["total"] == len(body["templates"]) == len(catalog().templates) >= 30
    for template in body["templates"]:
        assert set(template) == TEMPLATE_KEYS
        assert set(template["theme"]) == THEME_KEYS
        assert set(template["theme"]["colors"]) == COLOR_KEYS
        assert set(template["theme"]["fonts"]) == {"display", "body"}
    assert body["templates"][0]["id"] == "eziox-default"


@pytest.mark.parametrize("spelling", ["Gamer", "gamer", "GAMER", " vtuber "])
async def test_category_filter_ignores_case(caller: Caller, spelling: str) -> None:
    body = (await caller.get("/v1/templates", params={"category": spelling})).json()
    wanted = spelling.strip().lower()
    assert body["total"] == len(body["templates"]) >= 3
    assert {t["category"].lower() for t in body["templates"]} == {wanted}


async def test_every_category_has_at_least_three(caller: Caller) -> None:
    for category in CATEGORIES:
        body = (await caller.get("/v1/templates", params={"category": category})).json()
        assert body["total"] >= 3, category


async def test_unknown_category_is_a_validation_error_naming_the_known_ones(
    caller: Caller,
) -> None:
    response = await caller.get("/v1/templates", params={"category": "Cooking"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][0]["field"] == "category"
    assert "Cooking" in error["message"]
    for category in CATEGORIES:
        assert category in error["message"]


async def test_get_one(caller: Caller) -> None:
    response = await caller.get("/v1/templates/neon-arcade")
    assert response.status_code == 200
    template = response.json()
    assert template["id"] == "neon-arcade"
    assert template["name"] == "Neon Arcade"
    assert template["category"] == "Gamer"
    assert template["premium"] is True
    assert template["theme"]["colors"]["background"] == "#0b0620"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/templates/no-such-template"), ("POST", "/v1/templates/nope/apply")],
)
async def test_unknown_id_is_a_404_envelope(caller: Caller, method: str, path: str) -> None:
    response = await caller.request(method, path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert set(response.json()) == {"error"}


async def _links(caller: Caller) -> list[dict[str, object]]:
    links: list[dict[str, object]] = (await caller.get("/v1/links")).json()["links"]
    return links


async def test_apply_sets_the_theme_and_never_touches_links(caller: Caller) -> None:
    for title in ("first", "second"):
        await caller.post("/v1/links", json={"title": title, "url": "https://example.com"})
    await caller.patch("/v1/profile", json={"name": "Kept", "bio": "Kept too"})
    before_links = await _links(caller)
    before = (await caller.get("/v1/profile")).json()

    response = await caller.post("/v1/templates/terminal/apply")
    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["theme"] == "terminal"
    assert profile["design"] is None
    assert {k: v for k, v in profile.items() if k != "theme"} == {
        k: v for k, v in before.items() if k != "theme"
    }
    assert await _links(caller) == before_links
    assert (await caller.get("/v1/profile")).json() == profile


async def test_apply_clears_design_overrides(pro: Caller) -> None:
    await pro.patch("/v1/profile", json={"design": {"colors": {"accent": "#123456"}}})
    profile = (await pro.post("/v1/templates/sakura/apply")).json()
    assert profile["theme"] == "sakura"
    assert profile["design"] is None


async def test_premium_template_on_free_is_forbidden_naming_the_tiers(caller: Caller) -> None:
    response = await caller.post("/v1/templates/neon-arcade/apply")
    assert response.status_code == 403
    assert response.json()["error"] == {"code": "FORBIDDEN", "message": PREMIUM_MESSAGE}
    assert (await caller.get("/v1/profile")).json()["theme"] == "eziox-default"


@pytest.mark.parametrize("tier", ["pro", "creator", "lifetime"])
async def test_premium_template_on_paid_tiers(
    app: FastAPI, client: httpx.AsyncClient, tier: str
) -> None:
    paid = await make_caller(app, client, tier=tier)
    response = await paid.post("/v1/templates/neon-arcade/apply")
    assert response.status_code == 200, response.text
    assert response.json()["theme"] == "neon-arcade"


ROUTES = [
    ("GET", "/v1/templates", Permission.TEMPLATES_READ),
    ("GET", "/v1/templates/sakura", Permission.TEMPLATES_READ),
    ("POST", "/v1/templates/sakura/apply", Permission.TEMPLATES_APPLY),
]


@pytest.mark.parametrize(("method", "path", "needed"), ROUTES)
async def test_routes_need_their_permission(
    app: FastAPI, client: httpx.AsyncClient, method: str, path: str, needed: Permission
) -> None:
    account = await make_account(app, tier="creator")  # room for two more keys
    others = ",".join(p.value for p in Permission if p != needed)
    lacking = {"Authorization": f"Bearer {await make_key(app, account.id, others)}"}
    refused = await client.request(method, path, headers=lacking)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FORBIDDEN"
    assert needed.value in refused.json()["error"]["message"]

    only = {"Authorization": f"Bearer {await make_key(app, account.id, needed.value)}"}
    assert (await client.request(method, path, headers=only)).status_code == 200


async def test_read_only_key_cannot_apply(app: FastAPI, client: httpx.AsyncClient) -> None:
    reader = await make_caller(app, client, permissions="templates:read,profile:read")
    response = await reader.post("/v1/templates/sakura/apply")
    assert response.status_code == 403
    assert "templates:apply" in response.json()["error"]["message"]
    assert (await reader.get("/v1/profile")).json()["theme"] == "eziox-default"


async def test_no_key_is_unauthorized(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/templates")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
