"""The dashboard's Webhooks tab, through forms as a browser sends them."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from eziox.accounts.service import set_tier
from eziox.state import AppState
from tests.dashboard.browser import WebUser, sign_up
from tests.factories import state_of
from tests.webhooks.receiver import Receiver

SECRET = re.compile(r'<code id="new-secret">(whsec_[^<]+)</code>')


@pytest.fixture
async def user(hook_app: FastAPI) -> AsyncIterator[WebUser]:
    ip = f"198.19.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=hook_app, client=(ip, 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield await sign_up(client, f"h{secrets.token_hex(5)}")


async def upgrade(app: FastAPI, user: WebUser) -> None:
    async with state_of(app).db.transaction() as session:
        await set_tier(session, user.username, "pro")


async def test_free_plan_sees_no_form_and_is_refused(user: WebUser, receiver: Receiver) -> None:
    page = await user.http.get("/profile?tab=webhooks")
    assert page.status_code == 200
    assert 'action="/profile/webhooks"' not in page.text
    assert "upgrade" in page.text
    response = await user.submit(
        "/profile/webhooks", {"url": receiver.url("/dash/free"), "event:link.created": "on"}
    )
    assert response.status_code == 403
    assert "Webhooks are not part of the Free plan; Pro includes 3." in response.text


async def test_manage_an_endpoint_from_the_dashboard(
    hook_app: FastAPI, hooks: AppState, user: WebUser, receiver: Receiver, hook_path: str
) -> None:
    await upgrade(hook_app, user)
    refused = await user.submit("/profile/webhooks", {"url": receiver.url(hook_path)})
    assert refused.status_code == 422
    assert "Choose at least one event" in refused.text

    created = await user.submit(
        "/profile/webhooks",
        {"url": receiver.url(hook_path), "description": "CRM", "event:link.created": "on"},
    )
    assert created.status_code == 201
    match = SECRET.search(created.text)
    assert match
    secret = match.group(1)
    page = await user.http.get("/profile?tab=webhooks")
    assert receiver.url(hook_path) in page.text
    assert secret not in page.text
    webhook_id = re.findall(r"/profile/webhooks/(whk_[A-Za-z0-9]+)/test", page.text)[0]

    tested = await user.submit(f"/profile/webhooks/{webhook_id}/test", {})
    assert tested.status_code == 303
    await hooks.webhooks.run_until_idle()
    [received] = receiver.at(hook_path)
    assert received.verify(secret)["type"] == "webhook.test"
    log = await user.http.get(tested.headers["location"])
    assert "Test event queued" in log.text
    assert "HTTP 200" in log.text
    assert "succeeded" in log.text
    delivery = re.findall(r"/deliveries/(dlv_[A-Za-z0-9]+)/resend", log.text)[0]
    resent = await user.submit(f"/profile/webhooks/{webhook_id}/deliveries/{delivery}/resend", {})
    assert resent.status_code == 303
    await hooks.webhooks.run_until_idle()
    assert [r.headers["webhook-id"] for r in receiver.at(hook_path)] == [
        received.headers["webhook-id"]
    ] * 2

    rotated = await user.submit(f"/profile/webhooks/{webhook_id}/rotate", {})
    assert rotated.status_code == 200
    new_match = SECRET.search(rotated.text)
    assert new_match
    assert new_match.group(1) != secret

    disabled = await user.submit(f"/profile/webhooks/{webhook_id}/toggle", {"enabled": "off"})
    assert disabled.status_code == 303
    page = await user.http.get("/profile?tab=webhooks")
    assert ">disabled<" in page.text
    assert f"/profile/webhooks/{webhook_id}/test" not in page.text

    deleted = await user.submit(f"/profile/webhooks/{webhook_id}/delete", {})
    assert deleted.status_code == 303
    assert receiver.url(hook_path) not in (await user.http.get("/profile?tab=webhooks")).text


async def test_actions_need_the_csrf_token(
    hook_app: FastAPI, user: WebUser, receiver: Receiver
) -> None:
    await upgrade(hook_app, user)
    response = await user.http.post(
        "/profile/webhooks", data={"url": receiver.url("/dash/x"), "event:link.created": "on"}
    )
    assert response.status_code == 403
    page = await user.http.get("/profile?tab=webhooks")
    assert receiver.url("/dash/x") not in page.text
