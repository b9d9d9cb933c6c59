"""Titles and names must show something and cannot reorder what is shown: text made only of
invisible characters, and bidi overrides or isolates, get a 422 naming the field and change
nothing — through the API, the import and the dashboard. The published patterns and the
server accept exactly the same set."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from eziox.kit.text import NAME_PATTERN, TRIMMED_PATTERN, shown_name, trimmed
from tests.dashboard.browser import WebUser, sign_up
from tests.factories import Caller

INVISIBLE = [
    "\u200b\u200b\u200b",  # zero-width spaces
    "\u200d",  # zero-width joiner
    "\u2060\ufeff",  # word joiner, BOM
    "\u00ad",  # soft hyphen
    "\u200e\u200f",  # direction marks alone
    "\u3164\u3164",  # Hangul fillers
    "\u2800",  # braille blank
    " \u200b ",
]
OVERRIDES = ["\u202egnp.exe", "Pay\u202eme", "name\u2066x\u2069", "\u202bembedded\u202c"]
FINE = [
    "My site",
    "\u200f\u05e9\u05dc\u05d5\u05dd",  # RLM, then Hebrew
    "\u2764\ufe0f Love",  # ends in a variation selector
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 Family",  # joined emoji
    "\u0645\u0631\u062d\u0628\u0627",  # Arabic
    "a\u00adb",
    "\u200bLeading",
]


def field_of(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    assert body["code"] == "VALIDATION_ERROR"
    [detail] = body["details"]
    assert "invisible" in detail["message"]
    return str(detail["field"])


@pytest.mark.parametrize("title", INVISIBLE + OVERRIDES)
async def test_link_titles_that_show_nothing_or_reorder_are_refused(
    caller: Caller, title: str
) -> None:
    created = await caller.post("/v1/links", json={"title": title, "url": "https://a.example"})
    assert field_of(created) == "title"
    assert (await caller.get("/v1/links")).json()["total"] == 0
    link = await caller.post("/v1/links", json={"title": "Kept", "url": "https://a.example"})
    link_id = link.json()["id"]
    assert field_of(await caller.patch(f"/v1/links/{link_id}", json={"title": title})) == "title"
    assert (await caller.get(f"/v1/links/{link_id}")).json()["title"] == "Kept"


@pytest.mark.parametrize("title", INVISIBLE[:3] + OVERRIDES[:1])
async def test_group_titles_and_imports_are_held_to_the_same_rule(
    caller: Caller, title: str
) -> None:
    assert field_of(await caller.post("/v1/groups", json={"title": title})) == "title"
    assert (await caller.get("/v1/groups")).json()["groups"] == []
    doc = (await caller.get("/v1/export")).json()
    doc["links"] = [{"title": title, "url": "https://a.example"}]
    response = await caller.post("/v1/import", json=doc)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"].endswith("title")
    assert (await caller.get("/v1/links")).json()["total"] == 0


@pytest.mark.parametrize("title", FINE)
async def test_other_scripts_marks_and_emoji_are_welcome(caller: Caller, title: str) -> None:
    created = await caller.post("/v1/links", json={"title": title, "url": "https://a.example"})
    assert created.status_code == 201, created.text
    assert created.json()["title"] == title
    named = await caller.patch("/v1/profile", json={"name": title})
    assert named.status_code == 200, named.text
    assert named.json()["name"] == title


@pytest.mark.parametrize("name", [*INVISIBLE, *OVERRIDES, "   "])
async def test_profile_names_that_show_nothing_or_reorder_are_refused(
    caller: Caller, name: str
) -> None:
    await caller.patch("/v1/profile", json={"name": "Before"})
    assert field_of(await caller.patch("/v1/profile", json={"name": name})) == "name"
    assert (await caller.get("/v1/profile")).json()["name"] == "Before"


async def test_an_empty_name_stays_allowed(caller: Caller) -> None:
    response = await caller.patch("/v1/profile", json={"name": ""})
    assert response.status_code == 200
    assert response.json()["name"] == ""


async def test_the_dashboard_says_which_field(app: FastAPI) -> None:
    ip = f"198.23.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=app, client=(ip, 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        user: WebUser = await sign_up(http, f"t{secrets.token_hex(5)}")
        refused = await user.submit(
            "/profile/links", {"title": "\u200b\u200b", "url": "https://zw.example"}
        )
        assert refused.status_code == 422
        assert 'id="e-title"' in refused.text
        assert "zw.example" not in (await http.get("/profile?tab=links")).text


async def test_published_patterns_are_the_servers(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert schemas["LinkCreate"]["properties"]["title"]["pattern"] == TRIMMED_PATTERN
    assert schemas["ProfileUpdate"]["properties"]["name"]["pattern"] == NAME_PATTERN


# Letters, spaces, controls, invisible characters and overrides, mixed.
_ALPHABET = (
    "a\u00e9 \u05e9\t\n\x00\x1b\x85\u00a0\u200b\u200d\u200e\u200f"
    "\u202a\u202e\u2066\u2069\u2060\u3164\ufe0f\ufeff\u2764"
)
_TITLE = TypeAdapter(Annotated[str, trimmed(100)])
_NAME = TypeAdapter(Annotated[str, shown_name(100)])


def _accepts(adapter: TypeAdapter[Any], text: str) -> bool:
    try:
        adapter.validate_python(text)
    except ValidationError:
        return False
    return True


@given(st.text(alphabet=_ALPHABET, max_size=8))
def test_server_and_published_pattern_agree(text: str) -> None:
    # The server validates with Rust's regex (pydantic); schemathesis reads the published
    # pattern with Python's re (fullmatch: JSON Schema's `$` is the end, not a final newline).
    for pattern, adapter in ((TRIMMED_PATTERN, _TITLE), (NAME_PATTERN, _NAME)):
        expected = re.fullmatch(pattern, text) is not None
        assert _accepts(adapter, text) == expected, (pattern, text)
