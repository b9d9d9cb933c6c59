"""/v1/domains: claim a hostname within the tier's count, prove it through DNS, release it."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from eziox.domains.views import Domain
from tests.domains.dnsserver import LocalDns
from tests.factories import Caller, make_caller, make_key


def fresh_host() -> str:
    return f"links-{secrets.token_hex(4)}.example.com"


async def add(caller: Caller, hostname: str) -> httpx.Response:
    return await caller.post("/v1/domains", json={"hostname": hostname})


async def listed(caller: Caller) -> list[dict[str, Any]]:
    answer = await caller.get("/v1/domains")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    assert body["total"] == len(body["domains"])
    return list(body["domains"])


async def verified(caller: Caller, dns: LocalDns, hostname: str) -> dict[str, Any]:
    created = (await add(caller, hostname)).json()
    dns.set_txt(created["verification"]["name"], created["verification"]["value"])
    answer = await caller.post(f"/v1/domains/{created['id']}/verify")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_claim_is_pending_with_the_record_to_set(
    domain_app: FastAPI, http: httpx.AsyncClient
) -> None:
    caller = await make_caller(domain_app, http, tier="pro")
    hostname = fresh_host()
    answer = await add(caller, hostname.upper())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["id"].startswith("dom_")
    assert body["hostname"] == hostname
    assert body["status"] == "pending"
    assert body["verifiedAt"] is None
    assert body["verification"]["type"] == "TXT"
    assert body["verification"]["name"] == f"_eziox.{hostname}"
    assert body["verification"]["value"].startswith("eziox-verify=")
    assert list(body) == list(Domain.model_fields)
    assert await listed(caller) == [body]


async def test_tiers_bound_the_count(domain_app: FastAPI, http: httpx.AsyncClient) -> None:
    free = await make_caller(domain_app, http, tier="free")
    answer = await add(free, fresh_host())
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == (
        "Custom domains are not part of the Free plan; Pro includes 1."
    )
    assert await listed(free) == []

    pro = await make_caller(domain_app, http, tier="pro")
    assert (await add(pro, fresh_host())).status_code == 201
    answer = await add(pro, fresh_host())
    assert answer.status_code == 403
    assert "includes 1 custom domain(s), all in use; Creator includes 5" in answer.text
    assert len(await listed(pro)) == 1

    creator = await make_caller(domain_app, http, tier="creator")
    for _ in range(5):
        assert (await add(creator, fresh_host())).status_code == 201
    assert (await add(creator, fresh_host())).status_code == 403
    assert len(await listed(creator)) == 5


@pytest.mark.parametrize(
    ("hostname", "status", "said"),
    [
        ("203.0.113.7", 422, "must be a domain name such as"),
        ("co.uk", 409, "public suffix"),
        ("github.io", 409, "public suffix"),
        ("https://links.example.com/", 422, "must be a domain name such as"),
        ("links.example.com.", 422, "must be a domain name such as"),
        ("bücher.example.de", 422, "xn-- form"),
        ("eziox.example", 409, "own address"),
        ("me.eziox.example", 409, "own address"),
    ],
)
async def test_bad_hostnames_are_refused_and_change_nothing(
    domain_app: FastAPI, http: httpx.AsyncClient, hostname: str, status: int, said: str
) -> None:
    caller = await make_caller(domain_app, http, tier="creator")
    answer = await add(caller, hostname)
    assert answer.status_code == status, answer.text
    assert said in answer.json()["error"]["message"]
    assert await listed(caller) == []


async def test_bodies_that_are_not_a_hostname_are_422(
    domain_app: FastAPI, http: httpx.AsyncClient
) -> None:
    caller = await make_caller(domain_app, http, tier="pro")
    for body in ({}, {"hostname": 5}, {"hostname": ""}, {"hostname": "a.example.com", "x": 1}):
        answer = await caller.post("/v1/domains", json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await listed(caller) == []


async def test_a_hostname_is_claimed_once_per_account_and_held_by_one(
    domain_app: FastAPI, http: httpx.AsyncClient, dns: LocalDns
) -> None:
    first = await make_caller(domain_app, http, tier="creator")
    second = await make_caller(domain_app, http, tier="creator")
    hostname = fresh_host()
    mine = (await add(first, hostname)).json()
    answer = await add(first, hostname)
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == f"{hostname} is already one of your domains."
    # Pending claims never block the real owner: the second account may claim it too...
    theirs = (await add(second, hostname)).json()
    dns.set_txt(f"_eziox.{hostname}", mine["verification"]["value"])
    assert (await first.post(f"/v1/domains/{mine['id']}/verify")).status_code == 200
    # ...but once it is verified, nobody else can verify or claim it.
    dns.set_txt(f"_eziox.{hostname}", theirs["verification"]["value"])
    answer = await second.post(f"/v1/domains/{theirs['id']}/verify")
    assert answer.status_code == 409
    assert "in use by another Eziox account" in answer.json()["error"]["message"]
    third = await make_caller(domain_app, http, tier="creator")
    assert (await add(third, hostname)).status_code == 409
    assert [d["status"] for d in await listed(second)] == ["pending"]


async def test_verify_says_what_dns_holds_until_the_record_matches(
    domain_app: FastAPI, http: httpx.AsyncClient, dns: LocalDns
) -> None:
    caller = await make_caller(domain_app, http, tier="pro")
    hostname = fresh_host()
    created = (await add(caller, hostname)).json()
    url, name = f"/v1/domains/{created['id']}/verify", f"_eziox.{hostname}"

    answer = await caller.post(url)
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == (
        f"No TXT record found at {name}: add one with the value "
        f"{created['verification']['value']}, then retry."
    )
    dns.set_txt(name, "google-site-verification=abc", "eziox-verify=not-this-one")
    answer = await caller.post(url)
    assert answer.status_code == 409
    message = answer.json()["error"]["message"]
    assert "'google-site-verification=abc', 'eziox-verify=not-this-one'" in message
    assert (await listed(caller))[0]["status"] == "pending"

    dns.set_txt(name, "v=spf1 -all", created["verification"]["value"])
    answer = await caller.post(url)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "verified"
    assert body["verifiedAt"] is not None
    # Verified stays verified: a second call answers the same without asking DNS again.
    dns.clear(name)
    assert (await caller.post(url)).json() == body


async def test_an_unreachable_resolver_is_503_not_a_verdict(
    domain_app: FastAPI, http: httpx.AsyncClient, dns: LocalDns
) -> None:
    caller = await make_caller(domain_app, http, tier="pro")
    created = (await add(caller, fresh_host())).json()
    settings = domain_app.state.eziox.settings
    with pytest.MonkeyPatch.context() as patch:
        # A port nobody listens on: the resolver refuses or times out.
        patch.setattr(type(settings), "nameservers", property(lambda _: [("127.0.0.1", 9)]))
        answer = await caller.post(f"/v1/domains/{created['id']}/verify")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "60"
    assert "did not get an answer" in answer.json()["error"]["message"]
    assert (await listed(caller))[0]["status"] == "pending"


async def test_delete_releases_the_hostname(
    domain_app: FastAPI, http: httpx.AsyncClient, dns: LocalDns
) -> None:
    caller = await make_caller(domain_app, http, tier="pro")
    hostname = fresh_host()
    domain = await verified(caller, dns, hostname)
    assert (await caller.delete(f"/v1/domains/{domain['id']}")).status_code == 204
    assert await listed(caller) == []
    assert (await caller.delete(f"/v1/domains/{domain['id']}")).status_code == 404
    other = await make_caller(domain_app, http, tier="pro")
    assert (await add(other, hostname)).status_code == 201  # free to claim again


async def test_permissions_and_tenants(domain_app: FastAPI, http: httpx.AsyncClient) -> None:
    owner = await make_caller(domain_app, http, tier="pro")
    created = (await add(owner, fresh_host())).json()
    reader = await make_key(domain_app, owner.account.id, "profile:read")
    assert (await owner.get("/v1/domains", headers=owner.auth(reader))).status_code == 200
    for method, url in (
        ("POST", "/v1/domains"),
        ("POST", f"/v1/domains/{created['id']}/verify"),
        ("DELETE", f"/v1/domains/{created['id']}"),
    ):
        answer = await owner.request(
            method, url, headers=owner.auth(reader), json={"hostname": "a.example.com"}
        )
        assert answer.status_code == 403
        assert "profile:write" in answer.json()["error"]["message"]
    links_only = await make_key(domain_app, owner.account.id, "links:read")
    assert (await owner.get("/v1/domains", headers=owner.auth(links_only))).status_code == 403
    stranger = await make_caller(domain_app, http, tier="pro")
    assert await listed(stranger) == []
    assert (await stranger.post(f"/v1/domains/{created['id']}/verify")).status_code == 404
    assert (await stranger.delete(f"/v1/domains/{created['id']}")).status_code == 404
    assert len(await listed(owner)) == 1
