"""GET/PATCH /v1/profile: the seed's shape, partial updates, validation."""

from __future__ import annotations

import pytest

from tests.factories import Caller


async def test_profile_has_the_seed_shape(caller: Caller) -> None:
    response = await caller.get("/v1/profile")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    profile = response.json()
    assert set(profile) >= {"id", "username", "name", "bio", "avatar", "banner", "theme", "stats"}
    assert profile["id"] == caller.account.id
    assert profile["id"].startswith("usr_")
    assert profile["username"] == caller.account.username
    assert profile["theme"] == "eziox-default"
    assert profile["stats"] == {"views": 0, "followers": 0, "following": 0}
    assert profile["links"] == 0
    assert profile["createdAt"].endswith("Z")


async def test_link_count_follows_links(caller: Caller) -> None:
    for title in ("a", "b"):
        await caller.post("/v1/links", json={"title": title, "url": "https://example.com"})
    assert (await caller.get("/v1/profile")).json()["links"] == 2


async def test_partial_update(caller: Caller) -> None:
    response = await caller.patch(
        "/v1/profile",
        json={
            "name": "John Doe",
            "bio": "Developer & Creator",
            "avatar": "https://cdn.example/a.png",
            "banner": "https://cdn.example/b.png",
            "theme": "midnight",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "John Doe"
    again = await caller.patch("/v1/profile", json={"bio": "Only the bio", "avatar": None})
    profile = again.json()
    assert profile["bio"] == "Only the bio"
    assert profile["avatar"] is None
    assert profile["name"] == "John Doe"
    assert profile["banner"] == "https://cdn.example/b.png"
    assert profile["theme"] == "midnight"
    assert (await caller.get("/v1/profile")).json() == profile


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"bio": None}, "bio"),
        ({"theme": None}, "theme"),
        ({"name": "n" * 101}, "name"),
        ({"bio": "b" * 501}, "bio"),
        ({"avatar": "javascript:alert(1)"}, "avatar"),
        ({"banner": "data:image/png;base64,AAAA"}, "banner"),
        ({"theme": "Not A Slug!"}, "theme"),
        ({"username": "takeover"}, "username"),
        ({"tier": "lifetime"}, "tier"),
        ({"stats": {"views": 10}}, "stats"),
    ],
)
async def test_invalid_updates_change_nothing(
    caller: Caller, body: dict[str, object], field: str
) -> None:
    before = (await caller.get("/v1/profile")).json()
    response = await caller.patch("/v1/profile", json=body)
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]
    assert (await caller.get("/v1/profile")).json() == before


async def test_markup_is_stored_verbatim_and_returned_as_json(caller: Caller) -> None:
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    response = await caller.patch("/v1/profile", json={"name": payload[:100], "bio": payload})
    assert response.json()["bio"] == payload
    assert response.headers["content-type"] == "application/json"
