"""The upgrade flow: the official stripe client talks to a local stand-in for Stripe's API.

Stripe's servers are out of reach here, so a tiny HTTP server on 127.0.0.1 plays their part:
it records what the library sent and answers like Stripe does.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI

from eziox.app import create_app
from eziox.config import Settings
from tests.dashboard.browser import WebUser, sign_up


class FakeStripe(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[str, dict[str, list[str]], str]]] = []
    hold: ClassVar[threading.Event | None] = None  # when set: answer only once it is released
    arrived: ClassVar[threading.Event] = threading.Event()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if FakeStripe.hold is not None:
            FakeStripe.arrived.set()
            FakeStripe.hold.wait(30)
        FakeStripe.calls.append((self.path, parse_qs(body), self.headers.get("Authorization", "")))
        kind = "checkout" if "checkout" in self.path else "billing_portal"
        answer = {
            "id": f"{kind}_sess_1",
            "object": f"{kind}.session",
            "url": f"https://{'checkout' if kind == 'checkout' else 'billing'}.stripe.com/s/test_1",
        }
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_: Any) -> None:
        return


@pytest.fixture(scope="module")
def fake_stripe() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeStripe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
async def billing_app(settings: Settings, fake_stripe: str) -> AsyncIterator[FastAPI]:
    configured = settings.model_copy(
        update={
            "stripe_secret_key": "sk_test_local",
            "stripe_webhook_secret": "whsec_local",
            "stripe_price_pro": "price_pro",
            "stripe_price_creator": "price_creator",
            "stripe_price_lifetime": "price_life",
            "stripe_api_base": fake_stripe,
        }
    )
    app = create_app(configured, migrate_on_start=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def user(billing_app: FastAPI) -> AsyncIterator[WebUser]:
    transport = httpx.ASGITransport(app=billing_app, client=("198.51.100.77", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield await sign_up(client, f"b{secrets.token_hex(5)}")


async def test_checkout_session_for_a_subscription(user: WebUser) -> None:
    FakeStripe.calls.clear()
    page = await user.http.get("/profile?tab=settings")
    assert "Continue to checkout" in page.text
    response = await user.submit("/profile/billing/checkout", {"tier": "pro"})
    assert response.status_code == 303
    assert response.headers["location"] == "https://checkout.stripe.com/s/test_1"
    path, sent, auth = FakeStripe.calls[-1]
    assert path == "/v1/checkout/sessions"
    assert auth == "Bearer sk_test_local"
    assert sent["mode"] == ["subscription"]
    assert sent["line_items[0][price]"] == ["price_pro"]
    assert sent["client_reference_id"] == [sent["metadata[account_id]"][0]]
    assert sent["subscription_data[metadata][account_id]"] == sent["metadata[account_id]"]
    assert sent["customer_email"] == [f"{user.username}@example.com"]


async def test_checkout_for_lifetime_is_a_one_time_payment(user: WebUser) -> None:
    FakeStripe.calls.clear()
    await user.submit("/profile/billing/checkout", {"tier": "lifetime"})
    _, sent, _ = FakeStripe.calls[-1]
    assert sent["mode"] == ["payment"]
    assert sent["metadata[price_id]"] == ["price_life"]
    assert "subscription_data[metadata][account_id]" not in sent


@pytest.mark.parametrize("tier", ["free", "platinum", ""])
async def test_checkout_refuses_unknown_tiers(user: WebUser, tier: str) -> None:
    FakeStripe.calls.clear()
    response = await user.submit("/profile/billing/checkout", {"tier": tier})
    assert response.status_code == 422
    assert FakeStripe.calls == []


async def test_portal_needs_a_customer_first(user: WebUser) -> None:
    response = await user.submit("/profile/billing/portal", {})
    assert response.status_code == 400
    assert "no subscription to manage" in response.text


async def test_portal_after_checkout_completed(billing_app: FastAPI, user: WebUser) -> None:
    from sqlalchemy import select

    from eziox.models import Account
    from tests.billing.test_stripe_webhook import event, signed
    from tests.factories import state_of

    async with state_of(billing_app).db.session() as session:
        account_id = await session.scalar(
            select(Account.id).where(Account.username == user.username)
        )
    payload = event(
        "checkout.session.completed",
        {
            "client_reference_id": account_id,
            "customer": f"cus_{user.username}",
            "mode": "subscription",
        },
    )
    bound = await user.http.post(
        "/webhooks/stripe", content=payload, headers=signed(payload, secret="whsec_local")
    )
    assert bound.status_code == 200
    FakeStripe.calls.clear()
    response = await user.submit("/profile/billing/portal", {})
    assert response.headers["location"] == "https://billing.stripe.com/s/test_1"
    path, sent, _ = FakeStripe.calls[-1]
    assert path == "/v1/billing_portal/sessions"
    assert sent["customer"] == [f"cus_{user.username}"]
    checkout = await user.submit("/profile/billing/checkout", {"tier": "creator"})
    assert checkout.status_code == 303
    assert FakeStripe.calls[-1][1]["customer"] == [f"cus_{user.username}"]


async def test_nobody_waits_for_the_database_while_stripe_answers(
    billing_app: FastAPI, user: WebUser
) -> None:
    FakeStripe.arrived.clear()
    hold = FakeStripe.hold = threading.Event()
    transport = httpx.ASGITransport(app=billing_app, client=("198.51.100.78", 1))
    try:
        checkout = asyncio.create_task(user.submit("/profile/billing/checkout", {"tier": "pro"}))
        assert await asyncio.to_thread(FakeStripe.arrived.wait, 15)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            await asyncio.wait_for(sign_up(other, f"b{secrets.token_hex(5)}"), 15)
    finally:
        FakeStripe.hold = None
        hold.set()
    assert (await asyncio.wait_for(checkout, 15)).status_code == 303
