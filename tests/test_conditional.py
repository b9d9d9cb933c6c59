"""Conditional /v1 requests: ETag on GETs, If-None-Match → 304 (not counted), If-Match → 412."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from eziox.conditional import etag_of, none_match, strong_match
from tests.factories import Caller, make_key
from tests.links.factories import new_link
from tests.web.visits import CHROME, browse

pytestmark = pytest.mark.usefixtures("one_hash_for_the_shared_password")

TAG = re.compile(r'^"[0-9a-f]{32}"$')


def test_tag_comparisons() -> None:
    tag = etag_of(b"{}")
    assert TAG.match(tag.decode())
    assert none_match(tag, tag)
    assert none_match(b"W/" + tag, tag)  # If-None-Match compares weakly
    assert none_match(b'"other", ' + tag, tag)
    assert none_match(b"*", tag)
    assert not none_match(b"garbage", tag)
    assert not none_match(b"", tag)
    assert strong_match(tag, tag)
    assert strong_match(b'"a",' + tag, tag)
    assert not strong_match(b"W/" + tag, tag)  # If-Match compares strongly
    assert not strong_match(b"garbage", tag)


async def test_every_v1_get_answers_with_an_etag(app: FastAPI, caller: Caller) -> None:
    link = await new_link(caller, "Tagged")
    templates = (await caller.get("/v1/templates")).json()["templates"]
    known = {"link_id": str(link["id"]), "template_id": str(templates[0]["id"])}
    answered = []
    gets = [path for path, ops in app.openapi()["paths"].items() if "get" in ops]
    for route in (path for path in gets if path.startswith("/v1")):
        path = re.sub(r"\{(\w+)\}", lambda m: known.get(m.group(1), "missing"), route)
        response = await caller.get(path)
        if response.status_code != 200:
            assert "{" in route, (route, response.status_code)  # a missing id
            continue
        assert TAG.match(response.headers["etag"]), route
        assert response.headers["etag"] == etag_of(response.content).decode(), route
        answered.append(route)
    assert {"/v1/links", "/v1/links/{link_id}", "/v1/profile", "/v1/groups"} <= set(answered)


@pytest.mark.parametrize("path", ["/v1/links", "/v1/profile", "/v1/groups"])
async def test_a_current_tag_answers_304_without_body_and_is_not_counted(
    caller: Caller, path: str
) -> None:
    await new_link(caller, "Cached")
    first = await caller.get(path)
    tag = first.headers["etag"]
    for sent in (tag, f"W/{tag}", f'"nope", {tag}', "*"):
        before = int((await caller.get(path)).headers["x-ratelimit-remaining"])
        answer = await caller.get(path, headers={"If-None-Match": sent})
        assert answer.status_code == 304, sent
        assert answer.content == b""
        assert answer.headers["etag"] == tag
        assert "content-type" not in answer.headers
        assert int(answer.headers.get("content-length", "0")) == 0
        assert int(answer.headers["x-ratelimit-remaining"]) == before  # the 304 was free
        after = await caller.get(path)
        assert int(after.headers["x-ratelimit-remaining"]) == before - 1


async def test_a_stale_or_garbage_tag_answers_200(caller: Caller) -> None:
    for sent in ('"0123456789abcdef0123456789abcdef"', "garbage", "W/", ","):
        answer = await caller.get("/v1/links", headers={"If-None-Match": sent})
        assert answer.status_code == 200, sent
        assert answer.headers["etag"]


async def test_the_links_tag_changes_with_a_change_and_with_a_click(
    client: httpx.AsyncClient, caller: Caller
) -> None:
    link = await new_link(caller, "Clicked")
    tag = (await caller.get("/v1/links")).headers["etag"]
    assert (await caller.get("/v1/links")).headers["etag"] == tag  # replayed, same tag
    assert (await browse(client, f"/l/{link['id']}", CHROME)).status_code == 302
    clicked = await caller.get("/v1/links", headers={"If-None-Match": tag})
    assert clicked.status_code == 200
    assert clicked.json()["links"][0]["clicks"] == 1
    assert clicked.headers["etag"] != tag
    await caller.patch(f"/v1/links/{link['id']}", json={"title": "Renamed"})
    renamed = await caller.get("/v1/links", headers={"If-None-Match": clicked.headers["etag"]})
    assert renamed.status_code == 200
    assert renamed.headers["etag"] != clicked.headers["etag"]


async def test_if_match_guards_patch_and_delete_of_a_link(caller: Caller) -> None:
    link = await new_link(caller, "Guarded")
    url = f"/v1/links/{link['id']}"
    tag = (await caller.get(url)).headers["etag"]
    changed = await caller.patch(url, json={"title": "Changed"}, headers={"If-Match": tag})
    assert changed.status_code == 200, changed.text
    for stale in (tag, "garbage", f"W/{tag}"):
        refused = await caller.patch(url, json={"title": "Lost"}, headers={"If-Match": stale})
        assert refused.status_code == 412, stale
        assert refused.json()["error"]["code"] == "PRECONDITION_FAILED"
        assert "changed" in refused.json()["error"]["message"]
        assert "x-ratelimit-remaining" in refused.headers
        gone = await caller.delete(url, headers={"If-Match": stale})
        assert gone.status_code == 412
    current = await caller.get(url)
    assert current.json()["title"] == "Changed"
    assert current.headers["etag"] == etag_of(changed.content).decode()  # same representation
    deleted = await caller.delete(url, headers={"If-Match": current.headers["etag"]})
    assert deleted.status_code == 204
    assert (await caller.delete(url, headers={"If-Match": "*"})).status_code == 404


async def test_if_match_on_the_profile_and_star(caller: Caller) -> None:
    tag = (await caller.get("/v1/profile")).headers["etag"]
    stale = '"0123456789abcdef0123456789abcdef"'
    refused = await caller.patch("/v1/profile", json={"bio": "Lost"}, headers={"If-Match": stale})
    assert refused.status_code == 412
    assert (await caller.get("/v1/profile")).headers["etag"] == tag  # nothing changed
    star = await caller.patch("/v1/profile", json={"bio": "Star"}, headers={"If-Match": "*"})
    assert star.status_code == 200
    assert (await caller.get("/v1/profile")).headers["etag"] != tag


async def test_permission_is_checked_before_the_precondition(app: FastAPI, caller: Caller) -> None:
    link = await new_link(caller, "Mine")
    reader = await make_key(app, caller.account.id, "links:read")
    refused = await caller.patch(
        f"/v1/links/{link['id']}",
        json={"title": "No"},
        headers={**caller.auth(reader), "If-Match": "garbage"},
    )
    assert refused.status_code == 403


async def test_the_request_s_own_refusals_come_before_the_precondition(caller: Caller) -> None:
    link = await new_link(caller, "Checked")
    url = f"/v1/links/{link['id']}"
    invalid = await caller.patch(url, json={"title": ""}, headers={"If-Match": "garbage"})
    assert invalid.status_code == 422
    missing = await caller.patch(
        "/v1/links/lnk_missing", json={"title": "X"}, headers={"If-Match": "garbage"}
    )
    assert missing.status_code == 404


async def test_groups_have_no_get_by_id_so_only_star_matches(caller: Caller) -> None:
    made = await caller.post("/v1/groups", json={"title": "G"})
    url = f"/v1/groups/{made.json()['id']}"
    tagged = await caller.patch(url, json={"title": "H"}, headers={"If-Match": '"abc"'})
    assert tagged.status_code == 412
    star = await caller.patch(url, json={"title": "H"}, headers={"If-Match": "*"})
    assert star.status_code == 200
