"""PATCH /v1/profile theme and design overrides, and what the bio page shows."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from eziox.accounts.service import set_tier
from eziox.models import Account
from tests.factories import Caller, make_caller, state_of

DESIGN_MESSAGE = "Custom designs (design overrides) are part of Pro, Creator and Lifetime."


@pytest.fixture
async def pro(app: FastAPI, client: httpx.AsyncClient) -> Caller:
    return await make_caller(app, client, tier="pro")


async def page_style(client: httpx.AsyncClient, username: str) -> str:
    response = await client.get(f"/{username}")
    assert response.status_code == 200
    found = re.search(r"<style>(.*?)</style>", response.text, re.S)
    assert found is not None
    return found.group(1)


async def test_theme_must_be_a_catalog_id(caller: Caller) -> None:
    response = await caller.patch("/v1/profile", json={"theme": "does-not-exist"})
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "theme"
    assert "does-not-exist" in detail["message"]


async def test_free_theme_on_free_tier(caller: Caller) -> None:
    response = await caller.patch("/v1/profile", json={"theme": "paper"})
    assert response.status_code == 200
    assert response.json()["theme"] == "paper"


async def test_premium_theme_on_free_is_forbidden_and_changes_nothing(caller: Caller) -> None:
    before = (await caller.get("/v1/profile")).json()
    response = await caller.patch("/v1/profile", json={"theme": "gold-leaf", "bio": "new"})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "The 'Gold Leaf' template is part of Pro, Creator and Lifetime."
    )
    assert (await caller.get("/v1/profile")).json() == before


async def test_premium_theme_on_pro(pro: Caller) -> None:
    response = await pro.patch("/v1/profile", json={"theme": "gold-leaf"})
    assert response.status_code == 200
    assert response.json()["theme"] == "gold-leaf"


async def test_design_on_free_is_forbidden_naming_the_tiers(caller: Caller) -> None:
    response = await caller.patch("/v1/profile", json={"design": {"cardStyle": "glass"}})
    assert response.status_code == 403
    assert response.json()["error"] == {"code": "FORBIDDEN", "message": DESIGN_MESSAGE}
    assert (await caller.get("/v1/profile")).json()["design"] is None


@pytest.mark.parametrize("design", [None, {}, {"colors": {}}])
async def test_clearing_or_empty_design_is_fine_on_free(
    caller: Caller, design: dict[str, object] | None
) -> None:
    response = await caller.patch("/v1/profile", json={"design": design})
    assert response.status_code == 200
    assert response.json()["design"] is None


async def test_design_on_pro_is_stored_as_given_and_cleared_by_null(pro: Caller) -> None:
    design = {
        "colors": {"accent": "#0E7490", "accentText": "#ffffff"},
        "fonts": {"display": "slab"},
        "cardStyle": "outline",
        "borderRadius": "pill",
        "background": "pattern",
        "buttonHover": "fill",
    }
    response = await pro.patch("/v1/profile", json={"design": design})
    assert response.status_code == 200, response.text
    stored = response.json()["design"]
    assert stored == {**design, "colors": {"accent": "#0e7490", "accentText": "#ffffff"}}
    assert (await pro.get("/v1/profile")).json()["design"] == stored

    replaced = await pro.patch("/v1/profile", json={"design": {"cardStyle": "glass"}})
    assert replaced.json()["design"] == {"cardStyle": "glass"}  # replaced as a whole
    assert (await pro.patch("/v1/profile", json={"bio": "x"})).json()["design"] == {
        "cardStyle": "glass"
    }
    cleared = await pro.patch("/v1/profile", json={"design": None})
    assert cleared.json()["design"] is None


@pytest.mark.parametrize(
    ("design", "field"),
    [
        ({"colors": {"accent": "red"}}, "design.colors.accent"),
        ({"colors": {"accent": "#fff"}}, "design.colors.accent"),
        ({"colors": {"text": "#12345g"}}, "design.colors.text"),
        ({"colors": {"accent": "#000000;}body{x:y"}}, "design.colors.accent"),
        ({"colors": {"link": "#000000"}}, "design.colors.link"),
        ({"fonts": {"body": "Comic Sans"}}, "design.fonts.body"),
        ({"cardStyle": "shiny"}, "design.cardStyle"),
        ({"borderRadius": "round"}, "design.borderRadius"),
        ({"background": "video"}, "design.background"),
        ({"buttonHover": "wobble"}, "design.buttonHover"),
        ({"sparkle": True}, "design.sparkle"),
        ("dark", "design"),
    ],
)
async def test_invalid_designs_are_named_and_change_nothing(
    pro: Caller, design: object, field: str
) -> None:
    before = (await pro.get("/v1/profile")).json()
    response = await pro.patch("/v1/profile", json={"design": design})
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]
    assert (await pro.get("/v1/profile")).json() == before


async def test_bio_page_uses_the_applied_template(pro: Caller, client: httpx.AsyncClient) -> None:
    assert (await pro.post("/v1/templates/neon-arcade/apply")).status_code == 200
    style = await page_style(client, pro.account.username)
    assert "--bg:#0b0620;" in style
    assert "--accent:#f472b6;" in style
    assert "--text:#f5f3ff;" in style


async def test_bio_page_merges_design_overrides(pro: Caller, client: httpx.AsyncClient) -> None:
    await pro.post("/v1/templates/sakura/apply")
    design = {"colors": {"accent": "#0e7490"}, "fonts": {"display": "mono"}, "cardStyle": "glass"}
    await pro.patch("/v1/profile", json={"design": design})
    style = await page_style(client, pro.account.username)
    assert "--accent:#0e7490;" in style
    assert "--bg:#fff1f5;" in style  # sakura's own background stays
    assert "--font-display:ui-monospace" in style
    assert "--card-blur:blur(10px);" in style


async def test_after_a_downgrade_the_page_shows_what_the_tier_includes(
    app: FastAPI, pro: Caller, client: httpx.AsyncClient
) -> None:
    await pro.post("/v1/templates/neon-arcade/apply")
    await pro.patch("/v1/profile", json={"design": {"colors": {"accent": "#0e7490"}}})
    async with state_of(app).db.transaction() as session:
        await set_tier(session, pro.account.username, "free")
    style = await page_style(client, pro.account.username)
    assert "--bg:#f5f3ff;" in style  # the default template
    assert "#0e7490" not in style
    profile = (await pro.get("/v1/profile")).json()
    assert profile["theme"] == "neon-arcade"  # kept, and back on upgrade
    assert profile["design"] == {"colors": {"accent": "#0e7490"}}


@pytest.mark.parametrize(
    "stored",
    [{"colors": {"accent": "red;}"}}, {"sparkle": {"a": 1}}, {"colors": "dark"}],
)
async def test_a_corrupt_stored_design_is_ignored_on_the_page(
    app: FastAPI, pro: Caller, client: httpx.AsyncClient, stored: dict[str, object]
) -> None:
    async with state_of(app).db.transaction() as session:
        account = await session.get(Account, pro.account.id)
        assert account is not None
        account.design = stored
    style = await page_style(client, pro.account.username)
    assert "--accent:#5b21b6;" in style  # the template's own tokens, nothing injected
    assert "red" not in style
