"""POST /webhooks/stripe with payloads signed here exactly as Stripe signs them (no network)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from eziox.app import create_app
from eziox.config import Settings
from eziox.models import Account, BillingCustomer
from tests.factories import make_account, make_key, state_of

SECRET = "whsec_test_" + "x" * 24
PRICES = {"pro": "price_pro_test", "creator": "price_creator_test", "lifetime": "price_life_test"}


@pytest.fixture(scope="module")
async def billing_app(settings: Settings) -> AsyncIterator[FastAPI]:
    configured = settings.model_copy(
        update={
            "stripe_webhook_secret": SECRET,
            "stripe_price_pro": PRICES["pro"],
            "stripe_price_creator": PRICES["creator"],
            "stripe_price_lifetime": PRICES["lifetime"],
        }
    )
    app = create_app(configured, migrate_on_start=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def stripe_client(billing_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=billing_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def signed(payload: bytes, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={t},v1={mac}", "Content-Type": "application/json"}


def event(kind: str, obj: dict[str, Any], created: int | None = None) -> bytes:
    return orjson.dumps(
        {
            "id": f"evt_{secrets.token_hex(8)}",
            "object": "event",
            "type": kind,
            "created": created if created is not None else int(time.time()),
            "data": {"object": obj},
        }
    )


def subscription(customer: str, status: str, price: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "sub_" + customer,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "items": {"data": [{"price": {"id": price}}]},
        **extra,
    }


async def send(client: httpx.AsyncClient, payload: bytes, **kwargs: Any) -> httpx.Response:
    return await client.post("/webhooks/stripe", content=payload, headers=signed(payload, **kwargs))


async def tier_of(app: FastAPI, account_id: str) -> str:
    async with state_of(app).db.session() as session:
        return str(await session.scalar(select(Account.tier).where(Account.id == account_id)))


async def checkout(client: httpx.AsyncClient, account_id: str, customer: str, **extra: Any) -> None:
    obj = {
        "object": "checkout.session",
        "client_reference_id": account_id,
        "customer": customer,
        "mode": "subscription",
        **extra,
    }
    response = await send(client, event("checkout.session.completed", obj))
    assert response.status_code == 200, response.text


async def test_subscription_sets_tier_and_the_next_request_sees_it(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    account = await make_account(billing_app)
    key = await make_key(billing_app, account.id)
    api = {"Authorization": f"Bearer {key}"}
    first = await stripe_client.get("/v1/profile", headers=api)
    assert first.headers["x-ratelimit-limit"] == "1000"
    await checkout(stripe_client, account.id, "cus_a1")
    response = await send(
        stripe_client,
        event("customer.subscription.created", subscription("cus_a1", "active", PRICES["pro"])),
    )
    assert response.json()["received"] is True
    assert await tier_of(billing_app, account.id) == "pro"
    assert (await stripe_client.get("/v1/profile", headers=api)).headers[
        "x-ratelimit-limit"
    ] == "5000"
    await send(
        stripe_client,
        event("customer.subscription.updated", subscription("cus_a1", "active", PRICES["creator"])),
    )
    assert await tier_of(billing_app, account.id) == "creator"
    await send(
        stripe_client,
        event(
            "customer.subscription.deleted", subscription("cus_a1", "canceled", PRICES["creator"])
        ),
    )
    assert await tier_of(billing_app, account.id) == "free"
    assert (await stripe_client.get("/v1/profile", headers=api)).headers[
        "x-ratelimit-limit"
    ] == "1000"


@pytest.mark.parametrize("status", ["canceled", "unpaid", "incomplete_expired"])
async def test_ended_subscriptions_drop_to_free(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient, status: str
) -> None:
    account = await make_account(billing_app, tier="pro")
    customer = f"cus_{secrets.token_hex(4)}"
    await checkout(stripe_client, account.id, customer)
    await send(
        stripe_client,
        event("customer.subscription.updated", subscription(customer, status, PRICES["pro"])),
    )
    assert await tier_of(billing_app, account.id) == "free"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Stripe-Signature": "garbage"},
        {"Stripe-Signature": "t=1,v1=00"},
    ],
)
async def test_bad_or_missing_signature_changes_nothing(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    account = await make_account(billing_app)
    payload = event(
        "checkout.session.completed",
        {
            "client_reference_id": account.id,
            "customer": "cus_x",
            "mode": "payment",
            "payment_status": "paid",
            "metadata": {"price_id": PRICES["lifetime"]},
        },
    )
    response = await stripe_client.post("/webhooks/stripe", content=payload, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"
    assert await tier_of(billing_app, account.id) == "free"


async def test_wrong_secret_and_stale_timestamp_are_refused(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    account = await make_account(billing_app)
    payload = event(
        "checkout.session.completed",
        {
            "client_reference_id": account.id,
            "customer": "cus_stale",
            "mode": "payment",
            "payment_status": "paid",
            "metadata": {"price_id": PRICES["lifetime"]},
        },
    )
    wrong = await stripe_client.post(
        "/webhooks/stripe", content=payload, headers=signed(payload, secret="whsec_other")
    )
    stale = await send(stripe_client, payload, timestamp=int(time.time()) - 3600)
    assert wrong.status_code == stale.status_code == 400
    assert await tier_of(billing_app, account.id) == "free"
    fresh = await send(stripe_client, payload)
    assert fresh.status_code == 200
    assert await tier_of(billing_app, account.id) == "lifetime"


async def test_duplicate_event_is_applied_once(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    account = await make_account(billing_app)
    await checkout(stripe_client, account.id, "cus_dup")
    payload = event(
        "customer.subscription.created", subscription("cus_dup", "active", PRICES["pro"])
    )
    assert (await send(stripe_client, payload)).status_code == 200
    # The operator moves the account by hand; a replay of the old event must not undo it.
    from eziox.accounts.service import set_tier

    async with state_of(billing_app).db.transaction() as session:
        await set_tier(session, account.username, "creator")
    replay = await send(stripe_client, payload)
    assert replay.status_code == 200
    assert "duplicate" in replay.json()["outcome"]
    assert await tier_of(billing_app, account.id) == "creator"


async def test_out_of_order_updates_keep_the_newest_state(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    account = await make_account(billing_app)
    await checkout(stripe_client, account.id, "cus_ooo")
    now = int(time.time())
    newer = event(
        "customer.subscription.updated", subscription("cus_ooo", "canceled", PRICES["pro"]), now
    )
    older = event(
        "customer.subscription.updated", subscription("cus_ooo", "active", PRICES["pro"]), now - 60
    )
    await send(stripe_client, newer)
    response = await send(stripe_client, older)
    assert "older" in response.json()["outcome"]
    assert await tier_of(billing_app, account.id) == "free"


async def test_lifetime_is_never_downgraded_by_subscriptions(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    account = await make_account(billing_app)
    await checkout(
        stripe_client,
        account.id,
        "cus_life",
        mode="payment",
        payment_status="paid",
        metadata={"price_id": PRICES["lifetime"]},
    )
    assert await tier_of(billing_app, account.id) == "lifetime"
    for kind, status in [
        ("customer.subscription.updated", "active"),
        ("customer.subscription.deleted", "canceled"),
    ]:
        await send(stripe_client, event(kind, subscription("cus_life", status, PRICES["pro"])))
    assert await tier_of(billing_app, account.id) == "lifetime"


async def test_unpaid_checkout_grants_nothing(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    account = await make_account(billing_app)
    await checkout(
        stripe_client,
        account.id,
        "cus_unpaid",
        mode="payment",
        payment_status="unpaid",
        metadata={"price_id": PRICES["lifetime"]},
    )
    assert await tier_of(billing_app, account.id) == "free"


async def test_payment_failure_is_recorded_and_tier_kept(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    account = await make_account(billing_app)
    await checkout(stripe_client, account.id, "cus_fail")
    await send(
        stripe_client,
        event("customer.subscription.created", subscription("cus_fail", "active", PRICES["pro"])),
    )
    await send(
        stripe_client,
        event("invoice.payment_failed", {"object": "invoice", "customer": "cus_fail"}),
    )
    await send(
        stripe_client,
        event("customer.subscription.updated", subscription("cus_fail", "past_due", PRICES["pro"])),
    )
    assert await tier_of(billing_app, account.id) == "pro"
    async with state_of(billing_app).db.session() as session:
        row = await session.scalar(
            select(BillingCustomer).where(BillingCustomer.account_id == account.id)
        )
    assert row is not None
    assert row.payment_failed_at is not None
    assert row.subscription_status == "past_due"


async def test_subscription_before_checkout_binds_through_metadata(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    account = await make_account(billing_app)
    sub = subscription(
        "cus_early", "active", PRICES["creator"], metadata={"account_id": account.id}
    )
    await send(stripe_client, event("customer.subscription.created", sub))
    assert await tier_of(billing_app, account.id) == "creator"


async def test_unknown_types_and_customers_are_acknowledged(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    unknown_type = await send(stripe_client, event("charge.refunded", {"object": "charge"}))
    assert unknown_type.status_code == 200
    assert "ignored" in unknown_type.json()["outcome"]
    stranger = await send(
        stripe_client,
        event("customer.subscription.updated", subscription("cus_nobody", "active", PRICES["pro"])),
    )
    assert stranger.status_code == 200
    assert "unknown customer" in stranger.json()["outcome"]


async def test_signed_garbage_is_refused(stripe_client: httpx.AsyncClient) -> None:
    for payload in (b"not json", b"[1, 2]", b'{"id": "evt_1"}'):
        assert (await send(stripe_client, payload)).status_code == 400


async def test_not_configured_says_how(client: httpx.AsyncClient) -> None:
    payload = event("charge.refunded", {})
    response = await client.post("/webhooks/stripe", content=payload, headers=signed(payload))
    assert response.status_code == 400
    assert "EZIOX_STRIPE_WEBHOOK_SECRET" in response.json()["error"]["message"]


async def test_timestamps_in_the_future_get_the_same_tolerance(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    account = await make_account(billing_app)
    obj = {
        "client_reference_id": account.id,
        "customer": "cus_future",
        "mode": "payment",
        "payment_status": "paid",
        "metadata": {"price_id": PRICES["lifetime"]},
    }
    payload = event("checkout.session.completed", obj)
    ahead = await send(stripe_client, payload, timestamp=int(time.time()) + 3600)
    assert ahead.status_code == 400
    assert "future" in ahead.json()["error"]["message"]
    assert await tier_of(billing_app, account.id) == "free"
    # A clock a minute fast is within the tolerance (300 s), as a minute slow is.
    assert (await send(stripe_client, payload, timestamp=int(time.time()) + 60)).status_code == 200
    assert await tier_of(billing_app, account.id) == "lifetime"


def lifetime_checkout(account_id: str) -> dict[str, Any]:
    return {
        "client_reference_id": account_id,
        "customer": f"cus_{secrets.token_hex(4)}",
        "mode": "payment",
        "payment_status": "paid",
        "metadata": {"price_id": PRICES["lifetime"]},
    }


# (field path in the message, how the event is spoiled): each spoils a lifetime checkout.
MALFORMED: list[tuple[str, Any]] = [
    ("created", lambda e: e.update(created="yesterday")),
    ("created", lambda e: e.update(created=2**63)),
    ("id", lambda e: e.update(id=12345)),
    ("id", lambda e: e.update(id="evt_\x00nul")),
    ("type", lambda e: e.update(type=["checkout.session.completed"])),
    ("data", lambda e: e.update(data="nothing")),
    ("data.object", lambda e: e["data"].update(object=["x"])),
    ("data.object.client_reference_id", lambda e: e["data"]["object"].update(
        client_reference_id={"id": "usr_x"})),
    ("data.object.customer", lambda e: e["data"]["object"].update(customer=42)),
    ("data.object.customer", lambda e: e["data"]["object"].update(customer="cus_\x00")),
    ("data.object.metadata", lambda e: e["data"]["object"].update(metadata="lifetime")),
    ("data.object.metadata.price_id", lambda e: e["data"]["object"].update(
        metadata={"price_id": 7})),
    ("data.object.mode", lambda e: e["data"]["object"].update(mode={"payment": True})),
]  # fmt: skip


@pytest.mark.parametrize(("field", "spoil"), MALFORMED, ids=[f for f, _ in MALFORMED])
async def test_signed_events_with_malformed_fields_are_400_and_change_nothing(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient, field: str, spoil: Any
) -> None:
    account = await make_account(billing_app)
    good = orjson.loads(event("checkout.session.completed", lifetime_checkout(account.id)))
    bad = orjson.loads(orjson.dumps(good))
    spoil(bad)
    response = await send(stripe_client, orjson.dumps(bad))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "BAD_REQUEST"
    assert error["message"].startswith(f"Malformed Stripe event: {field}:"), error
    assert await tier_of(billing_app, account.id) == "free"
    async with state_of(billing_app).db.session() as session:
        query = select(BillingCustomer).where(BillingCustomer.account_id == account.id)
        assert await session.scalar(query) is None
    # The event id was not remembered: Stripe's corrected retry still applies.
    assert (await send(stripe_client, orjson.dumps(good))).status_code == 200
    assert await tier_of(billing_app, account.id) == "lifetime"


SUBSCRIPTION_MALFORMED: list[tuple[str, Any]] = [
    ("data.object.items", {"items": "price_pro"}),
    ("data.object.items.data", {"items": {"data": {"price": "x"}}}),
    ("data.object.items.data.0.price", {"items": {"data": [{"price": "price_pro_test"}]}}),
    ("data.object.items.data.0.price.id", {"items": {"data": [{"price": {"id": ["x"]}}]}}),
    ("data.object.status", {"status": ["active"]}),
    ("data.object.status", {"status": "a" * 40}),
    ("data.object.id", {"id": {"sub": 1}}),
    ("data.object.metadata.account_id", {"metadata": {"account_id": None}}),
]


@pytest.mark.parametrize(
    ("field", "spoiled"), SUBSCRIPTION_MALFORMED, ids=[f for f, _ in SUBSCRIPTION_MALFORMED]
)
async def test_malformed_subscriptions_are_400_and_keep_the_tier(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient, field: str, spoiled: dict[str, Any]
) -> None:
    account = await make_account(billing_app)
    customer = f"cus_{secrets.token_hex(4)}"
    await checkout(stripe_client, account.id, customer)
    sub = {**subscription(customer, "active", PRICES["pro"]), **spoiled}
    response = await send(stripe_client, event("customer.subscription.created", sub))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(f"Malformed Stripe event: {field}:")
    assert await tier_of(billing_app, account.id) == "free"
    async with state_of(billing_app).db.session() as session:
        row = await session.scalar(
            select(BillingCustomer).where(BillingCustomer.account_id == account.id)
        )
    assert row is not None
    assert (row.subscription_id, row.subscription_status, row.state_at) == (None, None, 0)


async def test_malformed_invoice_is_400(
    billing_app: FastAPI, stripe_client: httpx.AsyncClient
) -> None:
    payload = event("invoice.payment_failed", {"object": "invoice", "customer": ["cus_x"]})
    response = await send(stripe_client, payload)
    assert response.status_code == 400
    assert "data.object.customer" in response.json()["error"]["message"]
