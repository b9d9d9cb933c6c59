"""A verified domain serves its account's page, redirects and QR code; nothing else."""

from __future__ import annotations

import asyncio
import io
import re
import time

import httpx
import segno
from fastapi import FastAPI

from eziox.accounts.service import set_tier
from eziox.app import create_app
from eziox.config import Settings
from tests.backends import Backend
from tests.domains.conftest import domain_settings
from tests.domains.dnsserver import LocalDns
from tests.domains.test_api import add, fresh_host, verified
from tests.factories import Caller, make_caller, state_of

CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)">')


async def on(
    http: httpx.AsyncClient,
    hostname: str,
    path: str,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    return await http.get(path, headers={"Host": hostname, **(headers or {})}, params=params)


async def creator_with_link(domain_app: FastAPI, http: httpx.AsyncClient) -> tuple[Caller, str]:
    caller = await make_caller(domain_app, http, tier="pro")
    link = await caller.post(
        "/v1/links", json={"title": "Shop", "url": "https://shop.example.org/"}
    )
    assert link.status_code == 201
    return caller, link.json()["id"]


async def test_the_page_redirects_and_qr_code_on_a_verified_domain(
    domain_app: FastAPI, http: httpx.AsyncClient, dns: LocalDns
) -> None:
    caller, link_id = await creator_with_link(domain_app, http)
    hostname = fresh_host()
    before = await on(http, hostname, "/")
    assert caller.account.username not in before.text  # not theirs yet: the normal site
    await verified(caller, dns, hostname)

    page = await on(http, hostname, "/")  # at once on this instance
    assert page.status_code == 200
    assert f"@{caller.account.username}" in page.text
    assert f'href="/l/{link_id}"' in page.text
    assert CANONICAL.search(page.text)[1] == f"https://{hostname}/"  # type: ignore[index]
    assert 'href="https://eziox.example/sign-in?next=' in page.text  # the site's, absolute
    assert (
        await on(http, hostname, "/", headers={"If-None-Match": page.headers["etag"]})
    ).status_code == 304

    # The site's own page of the account names the domain as where it lives.
    home = await http.get(f"/{caller.account.username}")
    assert CANONICAL.search(home.text)[1] == f"https://{hostname}/"  # type: ignore[index]

    redirect = await on(http, hostname, f"/l/{link_id}")
    assert redirect.status_code == 302
    assert redirect.headers["location"] == "https://shop.example.org/"

    qr = await on(http, hostname, "/qr.svg", params={"size": "3"})
    assert qr.status_code == 200
    assert qr.headers["content-type"].startswith("image/svg+xml")
    expected = io.BytesIO()
    segno.make(f"https://{hostname}/", error="m").save(expected, kind="svg", scale=3, border=4)
    assert qr.content == expected.getvalue()
    assert (await on(http, hostname, "/qr.png")).headers["content-type"] == "image/png"
    assert (await on(http, hostname, "/qr.svg", params={"size": "99"})).status_code == 422

    css = await on(http, hostname, "/static/bio.css")  # what the page needs to look right
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


async def test_nothing_else_of_the_site_is_served_on_a_domain(
    domain_app: FastAPI, http: httpx.AsyncClient, dns: LocalDns
) -> None:
    caller, _ = await creator_with_link(domain_app, http)
    other, other_link = await creator_with_link(domain_app, http)
    hostname = fresh_host()
    await verified(caller, dns, hostname)
    assert (await on(http, hostname, f"/l/{other_link}")).status_code == 404  # not theirs
    assert (await on(http, hostname, f"/{other.account.username}")).status_code == 404
    assert (await on(http, hostname, "/sign-in")).status_code == 404
    # The API answers on any name its clients use (a key decides whose data it is).
    v1 = await http.get("/v1/profile", headers={"Host": hostname, **other.auth()})
    assert v1.status_code == 200
    assert v1.json()["username"] == other.account.username
    posted = await http.post("/", headers={"Host": hostname})
    assert posted.status_code == 405
    assert posted.headers["allow"] == "GET, HEAD"
    head = await http.head("/", headers={"Host": hostname})
    assert head.status_code == 200
    assert head.content == b""


async def test_unknown_hosts_get_the_normal_site(
    domain_app: FastAPI, http: httpx.AsyncClient
) -> None:
    caller, link_id = await creator_with_link(domain_app, http)
    for host in ("unknown.example.net", "203.0.113.7:8000", "localhost:8000", "eziox.example"):
        page = await on(http, host, f"/{caller.account.username}")
        assert page.status_code == 200, host
        assert (await on(http, host, f"/l/{link_id}")).status_code == 302


async def test_deleting_the_domain_stops_serving_it_on_the_next_request(
    domain_app: FastAPI, http: httpx.AsyncClient, dns: LocalDns
) -> None:
    caller, link_id = await creator_with_link(domain_app, http)
    hostname = fresh_host()
    domain = await verified(caller, dns, hostname)
    assert (await on(http, hostname, f"/l/{link_id}")).status_code == 302
    assert (await http.get("/tls/allowed", params={"domain": hostname})).status_code == 200
    assert (await caller.delete(f"/v1/domains/{domain['id']}")).status_code == 204
    page = await on(http, hostname, "/")
    assert f"@{caller.account.username}" not in page.text
    assert (await http.get("/tls/allowed", params={"domain": hostname})).status_code == 404
    home = await http.get(f"/{caller.account.username}")
    canonical = CANONICAL.search(home.text)[1]  # type: ignore[index]
    assert canonical == f"https://eziox.example/{caller.account.username}"


async def test_tls_is_allowed_only_for_verified_domains(
    domain_app: FastAPI, http: httpx.AsyncClient, dns: LocalDns
) -> None:
    caller = await make_caller(domain_app, http, tier="creator")
    pending, good = fresh_host(), fresh_host()
    assert (await add(caller, pending)).status_code == 201
    await verified(caller, dns, good)
    for domain, status in (
        (good, 200),
        (good.upper() + ".", 200),
        (pending, 404),
        ("never.example.com", 404),
        ("", 404),
        ("eziox.example", 404),
    ):
        answer = await http.get("/tls/allowed", params={"domain": domain})
        assert answer.status_code == status, domain
    assert (await http.get("/tls/allowed")).status_code == 404


async def test_another_instance_serves_and_stops_serving_within_a_second(
    settings: Settings,
    backend: Backend,
    dns: LocalDns,
    domain_app: FastAPI,
    http: httpx.AsyncClient,
    tmp_path: object,
) -> None:
    other_app = create_app(domain_settings(backend, settings.data_dir, dns), migrate_on_start=False)
    async with other_app.router.lifespan_context(other_app):
        transport = httpx.ASGITransport(app=other_app, client=("198.51.100.4", 40000))
        async with httpx.AsyncClient(
            transport=transport, base_url="https://eziox.example"
        ) as other:
            caller, _ = await creator_with_link(domain_app, http)
            hostname = fresh_host()
            mark = f"@{caller.account.username}"
            assert mark not in (await on(other, hostname, "/")).text  # remembered as unknown
            domain = await verified(caller, dns, hostname)
            assert await shows_within(other, hostname, lambda text: mark in text) < 1.5
            assert (await caller.delete(f"/v1/domains/{domain['id']}")).status_code == 204
            assert await shows_within(other, hostname, lambda text: mark not in text) < 1.5


async def shows_within(http: httpx.AsyncClient, hostname: str, check: object) -> float:
    """Seconds until the domain's page passes ``check`` (polled; fails after 30 s)."""
    started = time.monotonic()
    while time.monotonic() - started < 30:
        if check((await on(http, hostname, "/")).text):  # type: ignore[operator]
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"{hostname} never changed on the other instance")


async def test_a_tier_without_domains_stops_serving_them_and_an_upgrade_brings_them_back(
    domain_app: FastAPI, http: httpx.AsyncClient, dns: LocalDns
) -> None:
    caller = await make_caller(domain_app, http, tier="creator")
    first, second = fresh_host(), fresh_host()
    await verified(caller, dns, first)
    await verified(caller, dns, second)
    mark = f"@{caller.account.username}"

    async def served() -> list[bool]:
        pages = [await on(http, host, "/") for host in (first, second)]
        allowed = [await http.get("/tls/allowed", params={"domain": h}) for h in (first, second)]
        assert [p.status_code == 200 and mark in p.text for p in pages] == [
            a.status_code == 200 for a in allowed
        ]  # Caddy may get a certificate for exactly what is served
        return [mark in page.text for page in pages]

    async def tier(name: str) -> None:
        async with state_of(domain_app).db.transaction() as session:
            await set_tier(session, caller.account.username, name)

    assert await served() == [True, True]
    await tier("pro")  # one domain: the first verified stays
    assert await served() == [True, False]
    await tier("free")
    assert await served() == [False, False]
    home = await http.get(f"/{caller.account.username}")
    assert CANONICAL.search(home.text)[1] == f"https://eziox.example/{caller.account.username}"  # type: ignore[index]
    assert [d["status"] for d in (await caller.get("/v1/domains")).json()["domains"]] == [
        "verified",
        "verified",
    ]  # kept, not deleted: an upgrade brings them back
    await tier("lifetime")
    assert await served() == [True, True]
