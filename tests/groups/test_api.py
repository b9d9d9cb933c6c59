"""/v1/groups and links' groupId: order, validation, permissions, tenant isolation."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Caller, make_caller, make_key
from tests.groups.factories import new_group
from tests.links.factories import new_link

pytestmark = pytest.mark.usefixtures("one_hash_for_the_shared_password")

GROUP_FIELDS = {"id", "title", "order", "createdAt", "updatedAt"}


async def group_titles(caller: Caller) -> list[tuple[str, int]]:
    body = (await caller.get("/v1/groups")).json()
    assert body["total"] == len(body["groups"])
    return [(g["title"], g["order"]) for g in body["groups"]]


async def test_create_list_rename_move_delete(caller: Caller) -> None:
    music = await new_group(caller, "Music")
    assert set(music) == GROUP_FIELDS
    assert str(music["id"]).startswith("grp_")
    assert music["order"] == 0
    await new_group(caller, "Videos")
    shop = await new_group(caller, "Shop")
    assert await group_titles(caller) == [("Music", 0), ("Videos", 1), ("Shop", 2)]

    moved = await caller.patch(f"/v1/groups/{shop['id']}", json={"order": 0, "title": "Store"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["title"] == "Store"
    assert await group_titles(caller) == [("Store", 0), ("Music", 1), ("Videos", 2)]

    assert (await caller.delete(f"/v1/groups/{music['id']}")).status_code == 204
    assert await group_titles(caller) == [("Store", 0), ("Videos", 1)]


async def test_deleting_a_group_keeps_its_links_ungrouped(caller: Caller) -> None:
    group = await new_group(caller, "Temporary")
    link = await new_link(caller, "Kept", groupId=group["id"])
    assert link["groupId"] == group["id"]
    assert (await caller.delete(f"/v1/groups/{group['id']}")).status_code == 204
    after = (await caller.get(f"/v1/links/{link['id']}")).json()
    assert after["groupId"] is None
    assert after["title"] == "Kept"


async def test_link_group_can_be_changed_and_cleared(caller: Caller) -> None:
    first, second = await new_group(caller, "A"), await new_group(caller, "B")
    link = await new_link(caller, "L", groupId=first["id"])
    moved = await caller.patch(f"/v1/links/{link['id']}", json={"groupId": second["id"]})
    assert moved.json()["groupId"] == second["id"]
    cleared = await caller.patch(f"/v1/links/{link['id']}", json={"groupId": None})
    assert cleared.json()["groupId"] is None


async def test_bad_input_is_refused(caller: Caller) -> None:
    for body in (
        {},
        {"title": ""},
        {"title": " padded "},
        {"title": "x" * 101},
        {"title": 5},
        {"title": "ok", "extra": 1},
        {"title": "nul\u0000"},
    ):
        response = await caller.post("/v1/groups", json=body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    group = await new_group(caller, "G")
    for body in ({"title": None}, {"order": None}, {"order": -1}, {"order": 1.5}):
        response = await caller.patch(f"/v1/groups/{group['id']}", json=body)
        assert response.status_code == 422, body
    assert await group_titles(caller) == [("G", 0)]


async def test_other_accounts_groups_are_invisible(
    app: FastAPI, client: httpx.AsyncClient, caller: Caller
) -> None:
    other = await make_caller(app, client)
    theirs = await new_group(other, "Theirs")
    assert (
        await caller.patch(f"/v1/groups/{theirs['id']}", json={"title": "x"})
    ).status_code == 404
    assert (await caller.delete(f"/v1/groups/{theirs['id']}")).status_code == 404
    assert (await caller.get("/v1/groups")).json() == {"groups": [], "total": 0}
    # Assigning another account's group answers as a missing one (409: the link is there, the
    # reference is what conflicts) and creates nothing.
    refused = await caller.post(
        "/v1/links", json={"title": "t", "url": "https://e.com", "groupId": theirs["id"]}
    )
    assert refused.status_code == 409
    assert "no such group" in refused.json()["error"]["message"]
    missing = await caller.post(
        "/v1/links", json={"title": "t", "url": "https://e.com", "groupId": "grp_nope"}
    )
    assert missing.json() == refused.json()
    assert (await caller.get("/v1/links")).json()["total"] == 0
    mine = await new_link(caller, "Mine")
    patched = await caller.patch(f"/v1/links/{mine['id']}", json={"groupId": theirs["id"]})
    assert patched.status_code == 409
    assert (await caller.get(f"/v1/links/{mine['id']}")).json()["groupId"] is None
    assert await group_titles(other) == [("Theirs", 0)]


async def test_permissions(app: FastAPI, client: httpx.AsyncClient) -> None:
    caller = await make_caller(app, client, tier="creator")
    group = await new_group(caller, "G")
    read_only = await make_key(app, caller.account.id, "links:read")
    no_links = await make_key(app, caller.account.id, "profile:read")
    writer = await make_key(app, caller.account.id, "links:read,links:write")
    assert (await caller.get("/v1/groups", headers=caller.auth(no_links))).status_code == 403
    assert (await caller.get("/v1/groups", headers=caller.auth(read_only))).status_code == 200
    denied = await caller.post("/v1/groups", json={"title": "x"}, headers=caller.auth(read_only))
    assert denied.status_code == 403
    assert "links:write" in denied.json()["error"]["message"]
    patch = await caller.patch(
        f"/v1/groups/{group['id']}", json={"title": "y"}, headers=caller.auth(read_only)
    )
    assert patch.status_code == 403
    delete = await caller.delete(f"/v1/groups/{group['id']}", headers=caller.auth(writer))
    assert delete.status_code == 403
    assert "links:delete" in delete.json()["error"]["message"]
    assert await group_titles(caller) == [("G", 0)]
