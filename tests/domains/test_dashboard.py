"""The dashboard's Domains tab, through forms as a browser sends them."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from eziox.accounts.service import set_tier
from tests.dashboard.browser import WebUser, sign_up
from tests.domains.dnsserver import LocalDns
from tests.domains.test_api import fresh_host
from tests.factories import state_of

RECORD = re.compile(r"<code>(_eziox\.[^<]+)</code><br><code>(eziox-verify=[0-9a-f]+)</code>")
VERIFY = re.compile(r'action="(/profile/domains/dom_\w+/verify)"')
DELETE = re.compile(r'action="(/profile/domains/dom_\w+/delete)"')


@pytest.fixture
async def user(domain_app: FastAPI) -> AsyncIterator[WebUser]:
    ip = f"198.18.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=domain_app, client=(ip, 5555))
    async with httpx.AsyncClient(transport=transport, base_url="https://eziox.example") as client:
        yield await sign_up(client, f"d{secrets.token_hex(5)}")


async def test_free_plan_sees_no_form_and_is_refused(user: WebUser) -> None:
    page = await user.http.get("/profile?tab=domains")
    assert page.status_code == 200
    assert 'action="/profile/domains"' not in page.text
    assert "upgrade" in page.text
    refused = await user.submit("/profile/domains", {"hostname": fresh_host()})
    assert refused.status_code == 403
    assert "Custom domains are not part of the Free plan; Pro includes 1." in refused.text


async def test_add_verify_and_remove_a_domain(
    domain_app: FastAPI, user: WebUser, dns: LocalDns
) -> None:
    async with state_of(domain_app).db.transaction() as session:
        await set_tier(session, user.username, "pro")
    bad = await user.submit("/profile/domains", {"hostname": "https://co.uk/"})
    assert bad.status_code == 422
    assert "bare hostname" in bad.text
    assert 'value="https://co.uk/"' in bad.text  # what was typed stays in the form
    suffix = await user.submit("/profile/domains", {"hostname": "co.uk"})
    assert suffix.status_code == 409
    assert "is a public suffix" in suffix.text

    hostname = fresh_host()
    added = await user.submit("/profile/domains", {"hostname": hostname})
    assert added.status_code == 303
    page = (await user.http.get(added.headers["location"])).text
    assert "Set its DNS record, then verify it." in page
    name, value = RECORD.search(page).groups()  # type: ignore[union-attr]
    assert name == f"_eziox.{hostname}"

    verify = VERIFY.search(page)[1]  # type: ignore[index]
    not_yet = await user.submit(verify, {})
    assert not_yet.status_code == 409
    assert f"No TXT record found at {name}" in not_yet.text

    dns.set_txt(name, value)
    done = await user.submit(verify, {})
    assert done.status_code == 303
    page = (await user.http.get(done.headers["location"])).text
    assert "your page is served there now" in page
    assert "verified" in page
    served = await user.http.get("/", headers={"Host": hostname})
    assert f"@{user.username}" in served.text

    removed = await user.submit(DELETE.search(page)[1], {})  # type: ignore[index]
    assert removed.status_code == 303
    assert hostname not in (await user.http.get(removed.headers["location"])).text
    assert f"@{user.username}" not in (await user.http.get("/", headers={"Host": hostname})).text
