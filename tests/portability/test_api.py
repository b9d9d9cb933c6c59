"""GET /v1/export and POST /v1/import: round trip, dry run, atomicity, permissions, tiers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from eziox.accounts.service import set_tier
from eziox.portability.schemas import (
    PortableDocument,
    PortableGroup,
    PortableLink,
    PortableProfile,
)
from tests.factories import Caller, make_caller, make_key, state_of
from tests.groups.factories import new_group
from tests.links.factories import new_link

pytestmark = pytest.mark.usefixtures("one_hash_for_the_shared_password")

SOCIALS = [{"platform": "github", "value": "octo"}, {"platform": "email", "value": "a@b.co"}]


async def populate(caller: Caller) -> None:
    await caller.patch(
        "/v1/profile",
        json={"name": "Ada", "bio": "Hello", "avatar": "https://e.com/a.png", "socials": SOCIALS},
    )
    music = await new_group(caller, "Music")
    shop = await new_group(caller, "Shop")
    await new_link(caller, "Site", description="Home")
    await new_link(caller, "Song", groupId=music["id"], sensitive=True)
    await new_link(
        caller,
        "Sale",
        groupId=shop["id"],
        startsAt="2030-01-01T00:00:00Z",
        endsAt="2030-02-01T00:00:00Z",
    )
    await new_link(caller, "Hidden", isActive=False)
    await new_link(caller, "Album", groupId=music["id"], thumbnail="https://e.com/t.png")


async def snapshot(caller: Caller) -> dict[str, Any]:
    """What the account looks like through the API, without ids, timestamps and counters."""
    profile = (await caller.get("/v1/profile")).json()
    groups = (await caller.get("/v1/groups")).json()["groups"]
    titles = {g["id"]: g["title"] for g in groups}
    links = (await caller.get("/v1/links", params={"limit": 100})).json()["links"]
    keep = (
        "title",
        "url",
        "description",
        "thumbnail",
        "isActive",
        "order",
        "startsAt",
        "endsAt",
        "status",
        "sensitive",
    )
    return {
        "profile": {
            k: profile[k] for k in ("name", "bio", "avatar", "banner", "theme", "design", "socials")
        },
        "groups": [(g["title"], g["order"]) for g in groups],
        "links": [{**{k: lk[k] for k in keep}, "group": titles.get(lk["groupId"])} for lk in links],
    }


async def test_export_document(caller: Caller) -> None:
    await populate(caller)
    response = await caller.get("/v1/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    doc = response.json()
    assert doc["version"] == 1
    assert doc["exportedAt"].endswith("Z")
    assert doc["profile"]["username"] == caller.account.username
    assert doc["socials"] == SOCIALS
    assert [g["title"] for g in doc["groups"]] == ["Music", "Shop"]
    assert [lk["title"] for lk in doc["groups"][0]["links"]] == ["Song", "Album"]
    assert [lk["title"] for lk in doc["links"]] == ["Site", "Hidden"]
    sale = doc["groups"][1]["links"][0]
    assert (sale["startsAt"], sale["endsAt"]) == ("2030-01-01T00:00:00Z", "2030-02-01T00:00:00Z")
    assert doc["analytics"] == {"daily": []}


async def test_the_export_has_the_documents_fields_in_order(caller: Caller) -> None:
    await populate(caller)
    doc = (await caller.get("/v1/export")).json()

    assert list(doc) == list(PortableDocument.model_fields)
    assert list(doc["profile"]) == list(PortableProfile.model_fields)
    assert all(list(g) == list(PortableGroup.model_fields) for g in doc["groups"])
    links = [*doc["links"], *(lk for g in doc["groups"] for lk in g["links"])]
    assert len(links) == 5
    assert all(list(lk) == list(PortableLink.model_fields) for lk in links)


async def test_round_trip_into_a_fresh_account(app: FastAPI, client: httpx.AsyncClient) -> None:
    original = await make_caller(app, client)
    await populate(original)
    doc = (await original.get("/v1/export")).json()
    fresh = await make_caller(app, client)
    await new_link(fresh, "Old")  # replaced by the import
    response = await fresh.post("/v1/import", json=doc)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dryRun"] is False
    assert report["links"] == {"created": 5, "updated": 0, "deleted": 1}
    assert report["groups"] == {"created": 2, "updated": 0, "deleted": 0}
    assert report["socials"] == {"created": 2, "updated": 0, "deleted": 0}
    assert await snapshot(fresh) == await snapshot(original)
    # The other account's ids were not taken over: the original still owns its own.
    original_ids = {lk["id"] for lk in (await original.get("/v1/links")).json()["links"]}
    fresh_ids = {lk["id"] for lk in (await fresh.get("/v1/links")).json()["links"]}
    assert not original_ids & fresh_ids


async def test_reimporting_your_own_export_changes_nothing(caller: Caller) -> None:
    await populate(caller)
    before = await snapshot(caller)
    ids = [lk["id"] for lk in (await caller.get("/v1/links")).json()["links"]]
    doc = (await caller.get("/v1/export")).json()
    report = (await caller.post("/v1/import", json=doc)).json()
    zero = {"created": 0, "updated": 0, "deleted": 0}
    assert report == {
        "dryRun": False,
        "profile": zero,
        "socials": zero,
        "groups": zero,
        "links": zero,
    }
    assert await snapshot(caller) == before
    assert [lk["id"] for lk in (await caller.get("/v1/links")).json()["links"]] == ids


async def test_dry_run_reports_and_changes_nothing(caller: Caller) -> None:
    await populate(caller)
    before = await snapshot(caller)
    doc = (await caller.get("/v1/export")).json()
    doc["profile"]["name"] = "Changed"
    doc["links"] = [{"title": "Only", "url": "https://only.example"}]
    doc["groups"] = doc["groups"][:1]
    doc["groups"][0]["links"][0]["title"] = "Song (edit)"
    response = await caller.post("/v1/import", params={"dryRun": "true"}, json=doc)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dryRun"] is True
    assert report["profile"]["updated"] == 1
    assert report["groups"] == {"created": 0, "updated": 0, "deleted": 1}
    assert report["links"] == {"created": 1, "updated": 2, "deleted": 3}
    assert await snapshot(caller) == before
    applied = await caller.post("/v1/import", params={"dryRun": "false"}, json=doc)
    assert {k: v for k, v in applied.json().items() if k != "dryRun"} == {
        k: v for k, v in report.items() if k != "dryRun"
    }
    after = await snapshot(caller)
    assert [lk["title"] for lk in after["links"]] == [
        "Song (edit)",
        "Album",
        "Only",
    ]  # no order: last
    assert after["profile"]["name"] == "Changed"


async def test_a_broken_document_changes_nothing(caller: Caller) -> None:
    await populate(caller)
    before = await snapshot(caller)
    good = (await caller.get("/v1/export")).json()
    broken_docs: list[tuple[int, Any]] = []
    for path, value in [
        (("version",), 2),
        (("theme",), "no-such-theme"),
        (("socials",), [{"platform": "github", "value": "-bad"}]),
        (("profile", "avatar"), "javascript:alert(1)"),
        (("profile", "unknown"), 1),
    ]:
        doc = {**good, "profile": dict(good["profile"])}
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        broken_docs.append((422, doc))
    late_bad = {**good, "links": [*good["links"], {"title": "x", "url": "data:text/html,hi"}]}
    broken_docs.append((422, late_bad))
    reversed_window = {
        **good,
        "links": [
            {"title": "Ok", "url": "https://ok.example"},
            {
                "title": "W",
                "url": "https://w.example",
                "startsAt": "2030-02-01T00:00:00Z",
                "endsAt": "2030-01-01T00:00:00Z",
            },
        ],
    }
    broken_docs.append((409, reversed_window))
    broken_docs.append((422, {"version": 1}))
    broken_docs.append((422, [good]))
    for status, doc in broken_docs:
        response = await caller.post("/v1/import", json=doc)
        assert response.status_code == status, (doc, response.text)
        if status == 422:
            assert response.json()["error"]["details"]
    assert await snapshot(caller) == before


async def test_import_respects_the_tier(app: FastAPI, client: httpx.AsyncClient) -> None:
    pro = await make_caller(app, client, tier="pro")
    design = {"colors": {"accent": "#0e7490"}}
    assert (await pro.patch("/v1/profile", json={"design": design})).status_code == 200
    doc = (await pro.get("/v1/export")).json()
    free = await make_caller(app, client)
    before = await snapshot(free)
    response = await free.post("/v1/import", json=doc)
    assert response.status_code == 403
    assert await snapshot(free) == before
    # After a downgrade, re-importing your own export keeps what you have; changing it is refused.
    async with state_of(app).db.transaction() as session:
        await set_tier(session, pro.account.username, "free")
    assert (await pro.post("/v1/import", json=doc)).status_code == 200
    changed = {**doc, "design": {"colors": {"accent": "#123456"}}}
    assert (await pro.post("/v1/import", json=changed)).status_code == 403
    assert (await pro.get("/v1/profile")).json()["design"] == design


async def test_permissions(app: FastAPI, client: httpx.AsyncClient) -> None:
    caller = await make_caller(app, client, tier="creator")
    doc = (await caller.get("/v1/export")).json()
    cases = {
        "profile:read,links:read": ("GET", "analytics:read"),
        "profile:read,analytics:read": ("GET", "links:read"),
        "links:read,analytics:read": ("GET", "profile:read"),
        "profile:write,links:delete": ("POST", "links:write"),
        "links:write,links:delete,profile:read": ("POST", "profile:write"),
        "profile:write,links:write": ("POST", "links:delete"),  # an import can delete links
    }
    for permissions, (method, missing) in cases.items():
        key = await make_key(app, caller.account.id, permissions)
        if method == "GET":
            response = await caller.get("/v1/export", headers=caller.auth(key))
        else:
            response = await caller.post("/v1/import", json=doc, headers=caller.auth(key))
        assert response.status_code == 403, permissions
        assert missing in response.json()["error"]["message"]
    writer = await make_key(app, caller.account.id, "profile:write,links:write,links:delete")
    response = await caller.post("/v1/import", json=doc, headers=caller.auth(writer))
    assert response.status_code == 200
