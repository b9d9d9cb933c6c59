"""Delivery end to end: a real receiver verifies every signature with standardwebhooks."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from standardwebhooks.webhooks import WebhookVerificationError

from eziox.analytics.rollup import roll_up_all
from eziox.app import create_app
from eziox.config import Settings
from eziox.db import Database
from eziox.kit.time import utcnow
from eziox.links.schemas import LinkCreate
from eziox.links.service import create_link
from eziox.models import WebhookEvent
from eziox.state import AppState
from eziox.webhooks.delivery import MAX_ATTEMPTS, DeliveryWorker
from eziox.webhooks.events import EventType
from eziox.webhooks.outbox import write_event
from tests.factories import Caller, make_caller
from tests.webhooks.helpers import add_link, deliveries, endpoint
from tests.webhooks.receiver import Receiver, Reply


async def test_link_events_are_signed_and_carry_the_api_shape(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    hook = await endpoint(pro, receiver, hook_path, "link.created", "link.updated", "link.deleted")
    link = await add_link(pro)
    updated = (await pro.patch(f"/v1/links/{link['id']}", json={"title": "New"})).json()
    assert (await pro.delete(f"/v1/links/{link['id']}")).status_code == 204
    await hooks.webhooks.run_until_idle()

    got = receiver.at(hook_path)
    assert len(got) == 3
    events = [request.verify(hook["secret"]) for request in got]
    by_type = {event["type"]: event for event in events}
    assert set(by_type) == {"link.created", "link.updated", "link.deleted"}
    assert by_type["link.created"]["data"] == link
    assert by_type["link.updated"]["data"] == updated
    assert by_type["link.deleted"]["data"]["id"] == link["id"]
    for request, event in zip(got, events, strict=True):
        assert set(event) == {"id", "type", "createdAt", "data"}
        assert event["id"].startswith("evt_")
        assert request.headers["webhook-id"] == event["id"]
        assert event["createdAt"].endswith("Z")
        assert request.headers["content-type"] == "application/json"
    assert all(d["status"] == "succeeded" for d in await deliveries(pro, hook["id"]))


async def test_profile_and_template_events(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    hook = await endpoint(pro, receiver, hook_path, "profile.updated", "template.applied")
    profile = (await pro.patch("/v1/profile", json={"name": "Ada"})).json()
    templates = (await pro.get("/v1/templates")).json()["templates"]
    chosen = next(t for t in templates if not t["premium"] and t["id"] != profile["theme"])
    applied = (await pro.post(f"/v1/templates/{chosen['id']}/apply")).json()
    await hooks.webhooks.run_until_idle()

    events = [request.verify(hook["secret"]) for request in receiver.at(hook_path)]
    by_type = {event["type"]: event["data"] for event in events}  # sent concurrently
    assert len(events) == 2
    assert by_type["profile.updated"] == profile
    assert by_type["template.applied"] == applied
    assert applied["theme"] == chosen["id"]


async def test_only_enabled_subscribed_endpoints_get_events(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    profile_only = await endpoint(pro, receiver, hook_path + "/p", "profile.updated")
    disabled = await endpoint(pro, receiver, hook_path + "/d", "link.created", enabled=False)
    await add_link(pro)
    bad = await pro.post("/v1/links", json={"title": "", "url": "https://example.com"})
    assert bad.status_code == 422  # a refused change emits nothing either
    await hooks.webhooks.run_until_idle()
    assert receiver.at(hook_path + "/p") == []
    assert receiver.at(hook_path + "/d") == []
    assert await deliveries(pro, profile_only["id"]) == []
    assert await deliveries(pro, disabled["id"]) == []


async def test_retries_after_a_500_with_the_same_webhook_id(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    hook = await endpoint(pro, receiver, hook_path)
    receiver.plan(hook_path, Reply(500, body=b"boom"))
    await add_link(pro)
    await hooks.webhooks.run_until_idle()

    [log] = await deliveries(pro, hook["id"])
    assert log["status"] == "pending"
    assert (log["attempts"], log["responseStatus"], log["responseBody"]) == (1, 500, "boom")
    assert log["error"] == "the endpoint answered HTTP 500"
    assert log["nextAttemptAt"] is not None
    assert log["lastAttemptAt"] is not None

    await hooks.webhooks.run_until_idle(now=utcnow() + timedelta(seconds=10))
    first, second = receiver.at(hook_path)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    second.verify(hook["secret"])
    [log] = await deliveries(pro, hook["id"])
    assert (log["status"], log["attempts"], log["responseStatus"]) == ("succeeded", 2, 200)
    assert log["nextAttemptAt"] is None
    assert log["error"] is None


async def test_retries_after_a_timeout(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    hook = await endpoint(pro, receiver, hook_path)
    receiver.plan(hook_path, Reply(200, delay=2.0))  # the test app's timeout is 1 s
    await add_link(pro)
    await hooks.webhooks.run_until_idle()
    [log] = await deliveries(pro, hook["id"])
    assert (log["status"], log["attempts"], log["responseStatus"]) == ("pending", 1, None)
    assert log["error"] == "timed out after 1 s"
    assert 900 <= log["latencyMs"] < 2000

    await hooks.webhooks.run_until_idle(now=utcnow() + timedelta(seconds=10))
    [log] = await deliveries(pro, hook["id"])
    assert (log["status"], log["attempts"]) == ("succeeded", 2)


async def test_redirects_are_not_followed_and_bodies_are_cut_to_1_kb(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    moved = await endpoint(pro, receiver, hook_path + "/moved")
    chatty = await endpoint(pro, receiver, hook_path + "/chatty")
    receiver.plan(hook_path + "/moved", Reply(302, headers={"Location": hook_path + "/else"}))
    receiver.plan(hook_path + "/chatty", Reply(200, body=b"x" * 5000))
    await add_link(pro)
    await hooks.webhooks.run_until_idle()

    [log] = await deliveries(pro, moved["id"])
    assert (log["status"], log["responseStatus"]) == ("pending", 302)
    assert receiver.at(hook_path + "/else") == []
    [log] = await deliveries(pro, chatty["id"])
    assert log["status"] == "succeeded"
    assert log["responseBody"] == "x" * 1024
    assert isinstance(log["latencyMs"], int)


async def test_rotation_signs_with_both_secrets_for_a_day(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    hook = await endpoint(pro, receiver, hook_path)
    old = hook["secret"]
    new = (await pro.post(f"/v1/webhooks/{hook['id']}/rotate-secret")).json()["secret"]
    await add_link(pro, "one")
    await hooks.webhooks.run_until_idle()
    [during] = receiver.at(hook_path)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    during.verify(old)
    during.verify(new)

    await add_link(pro, "two")
    await hooks.webhooks.run_until_idle(now=utcnow() + timedelta(hours=25))
    after = receiver.at(hook_path)[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    after.verify(new)
    with pytest.raises(WebhookVerificationError):
        after.verify(old)


async def test_send_test_event_and_resend(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    hook = await endpoint(pro, receiver, hook_path)
    response = await pro.post(f"/v1/webhooks/{hook['id']}/test")
    assert response.status_code == 202, response.text
    queued = response.json()
    await hooks.webhooks.run_until_idle()
    [first] = receiver.at(hook_path)
    event = first.verify(hook["secret"])
    assert event["type"] == "webhook.test"
    assert event["id"] == queued["eventId"]

    resent = await pro.post(f"/v1/webhooks/{hook['id']}/deliveries/{queued['deliveryId']}/resend")
    assert resent.status_code == 202, resent.text
    assert resent.json()["status"] == "pending"
    assert resent.json()["eventId"] == queued["eventId"]
    await hooks.webhooks.run_until_idle()
    second = receiver.at(hook_path)[1]
    assert second.headers["webhook-id"] == queued["eventId"]
    log = await deliveries(pro, hook["id"])
    assert [d["status"] for d in log] == ["succeeded", "succeeded"]
    assert {d["eventType"] for d in log} == {"webhook.test"}

    missing = await pro.post(f"/v1/webhooks/{hook['id']}/deliveries/dlv_nope/resend")
    assert missing.status_code == 404
    await pro.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": False})
    refused = await pro.post(f"/v1/webhooks/{hook['id']}/test")
    assert refused.status_code == 409
    assert "disabled" in refused.json()["error"]["message"]


async def test_gives_up_after_a_day_and_disables_after_three_days(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    hook = await endpoint(pro, receiver, hook_path)
    receiver.plan(hook_path, *[Reply(503)] * (MAX_ATTEMPTS + 2))
    await add_link(pro)
    start = utcnow()
    for hours in range(0, 60, 3):  # about 28 h of retries (±20 % jitter), in 3 h steps
        await hooks.webhooks.run_until_idle(now=start + timedelta(hours=hours))
    [log] = await deliveries(pro, hook["id"])
    assert (log["status"], log["attempts"]) == ("failed", MAX_ATTEMPTS)
    assert log["nextAttemptAt"] is None
    assert (await pro.get(f"/v1/webhooks/{hook['id']}")).json()["enabled"] is True

    await pro.post(f"/v1/webhooks/{hook['id']}/test")
    await hooks.webhooks.run_until_idle(now=start + timedelta(days=3, minutes=1))
    shown = (await pro.get(f"/v1/webhooks/{hook['id']}")).json()
    assert shown["enabled"] is False
    assert "every delivery failed for 3 days" in shown["disabledReason"]
    assert "HTTP 503" in shown["disabledReason"]

    enabled = await pro.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": True})
    assert enabled.json()["enabled"] is True
    assert enabled.json()["disabledReason"] is None


async def test_delivery_time_check_refuses_private_addresses(
    pro: Caller, hooks: AppState, settings: Settings, receiver: Receiver, hook_path: str
) -> None:
    """As after DNS rebinding: the URL passed when saved, its address is refused at send."""
    hook = await endpoint(pro, receiver, hook_path)
    await add_link(pro)
    strict = DeliveryWorker(hooks.db, settings)  # the default policy: public addresses only
    try:
        await strict.run_until_idle()
    finally:
        await strict.stop()
    assert receiver.at(hook_path) == []
    [log] = await deliveries(pro, hook["id"])
    assert (log["status"], log["attempts"], log["responseStatus"]) == ("pending", 1, None)
    assert log["error"].startswith("refused: ")
    assert "must use https" in log["error"]


BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"}
CRAWLER = {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"}


async def roll_up_and_deliver(hooks: AppState) -> None:
    await roll_up_all(hooks.db)  # (the app's own roll-up may already have moved them)
    await hooks.webhooks.run_until_idle()


async def test_clicks_are_streamed_only_to_subscribers(
    hook_app: FastAPI,
    hook_client: httpx.AsyncClient,
    pro: Caller,
    hooks: AppState,
    receiver: Receiver,
    hook_path: str,
) -> None:
    hook = await endpoint(pro, receiver, hook_path, "link.clicked")
    link = await add_link(pro)
    quiet = await make_caller(hook_app, hook_client, tier="pro")
    await endpoint(quiet, receiver, hook_path + "/quiet", "link.created")
    quiet_link = await add_link(quiet)
    for target, agent in [(link, BROWSER), (link, CRAWLER), (quiet_link, BROWSER)]:
        response = await hook_client.get(f"/l/{target['id']}", headers=agent)
        assert response.status_code == 302
    await roll_up_and_deliver(hooks)

    [click] = receiver.at(hook_path)
    event = click.verify(hook["secret"])
    assert event["type"] == "link.clicked"
    assert event["data"]["linkId"] == link["id"]
    assert event["data"]["device"] == "desktop"
    assert "visitor" not in event["data"]
    assert len(receiver.at(hook_path + "/quiet")) == 1  # its link.created, no click


async def test_a_batch_of_views_and_bot_clicks_streams_no_click(
    hook_client: httpx.AsyncClient, pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    """The roll-up asks who streams clicks only for batches with human clicks: a batch of
    a view and a crawler's click sends nothing, the next human click is sent."""
    await endpoint(pro, receiver, hook_path, "link.clicked")
    link = await add_link(pro)
    assert (await hook_client.get(f"/{pro.account.username}", headers=BROWSER)).status_code == 200
    assert (await hook_client.get(f"/l/{link['id']}", headers=CRAWLER)).status_code == 302
    await roll_up_and_deliver(hooks)
    assert receiver.at(hook_path) == []
    assert (await hook_client.get(f"/l/{link['id']}", headers=BROWSER)).status_code == 302
    await roll_up_and_deliver(hooks)
    [click] = receiver.at(hook_path)
    assert click.event["data"]["linkId"] == link["id"]


async def test_two_workers_never_send_the_same_attempt_twice(
    pro: Caller, hook_settings: Settings, receiver: Receiver, hook_path: str
) -> None:
    hook = await endpoint(pro, receiver, hook_path)
    receiver.plan(hook_path, *[Reply(delay=0.05)] * 24)  # slow enough for claims to overlap
    for n in range(24):
        await add_link(pro, f"l{n}")
    settings = hook_settings.model_copy(update={"webhook_batch_size": 4})
    databases = [Database(settings), Database(settings)]
    workers = [DeliveryWorker(db, settings) for db in databases]
    try:
        sent = await asyncio.gather(*(w.run_until_idle() for w in workers))
    finally:
        for worker, db in zip(workers, databases, strict=True):
            await worker.stop()
            await db.dispose()
    ids = [r.headers["webhook-id"] for r in receiver.at(hook_path)]
    assert len(ids) == 24 == len(set(ids))  # every event arrived, none twice
    # Each delivery was attempted once, and that attempt recorded (a send by a worker whose
    # claim was taken over would not be). The workers' own counts can be higher: they also
    # send whatever else is due, such as an earlier test's retry that fell due meanwhile.
    listed = await deliveries(pro, hook["id"])
    assert [(d["status"], d["attempts"]) for d in listed] == [("succeeded", 1)] * 24
    assert sum(sent) >= 24


async def test_the_server_runs_a_worker_of_its_own(
    pro: Caller, hook_settings: Settings, receiver: Receiver, hook_path: str
) -> None:
    await endpoint(pro, receiver, hook_path)
    await add_link(pro)
    settings = hook_settings.model_copy(
        update={"webhook_worker": True, "webhook_poll_interval": 0.05}
    )
    application = create_app(settings, migrate_on_start=False)
    async with application.router.lifespan_context(application):
        deadline = time.monotonic() + 60  # generous: a busy machine is slow, not broken
        while not receiver.at(hook_path) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    assert len(receiver.at(hook_path)) == 1


async def test_an_event_exists_only_if_its_change_was_committed(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    await endpoint(pro, receiver, hook_path)

    async def change_then_fail() -> None:
        async with hooks.db.transaction() as session:
            await create_link(session, pro.account.id, LinkCreate(title="x", url="https://x.io"))
            raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        await change_then_fail()
    async with hooks.db.session() as session:
        count = await session.scalar(
            select(func.count()).where(WebhookEvent.account_id == pro.account.id)
        )
    assert count == 0
    assert (await pro.get("/v1/links")).json()["total"] == 0


async def test_a_disabled_endpoint_keeps_its_queue_until_enabled(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    hook = await endpoint(pro, receiver, hook_path)
    await pro.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": False})
    async with hooks.db.transaction() as session:  # as if queued just before disabling
        await write_event(
            session, pro.account.id, EventType.LINK_CREATED, {"id": "x"}, [hook["id"]]
        )
    await hooks.webhooks.run_until_idle()
    assert receiver.at(hook_path) == []
    await pro.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": True})
    await hooks.webhooks.run_until_idle()
    assert len(receiver.at(hook_path)) == 1


async def test_an_import_sends_the_events_its_changes_would(
    pro: Caller, hooks: AppState, receiver: Receiver, hook_path: str
) -> None:
    kept = await add_link(pro, "Kept")
    dropped = await add_link(pro, "Dropped")
    document = (await pro.get("/v1/export")).json()
    document["profile"]["name"] = "Imported"
    document["links"] = [
        {**item, "title": "Kept, renamed"}
        for item in document["links"]
        if item.get("id") == kept["id"]
    ] + [{"title": "Brand new", "url": "https://new.example/"}]
    hook = await endpoint(
        pro, receiver, hook_path, "link.created", "link.updated", "link.deleted", "profile.updated"
    )
    dry = await pro.post("/v1/import?dryRun=true", json=document)
    assert dry.status_code == 200, dry.text
    await hooks.webhooks.run_until_idle()
    assert receiver.at(hook_path) == []  # a dry run changes nothing, so it tells no one
    assert (await pro.post("/v1/import", json=document)).status_code == 200
    await hooks.webhooks.run_until_idle()
    events = [request.verify(hook["secret"]) for request in receiver.at(hook_path)]
    seen = sorted((e["type"], e["data"].get("title") or e["data"].get("name")) for e in events)
    assert seen == [
        ("link.created", "Brand new"),
        ("link.deleted", "Dropped"),
        ("link.updated", "Kept, renamed"),
        ("profile.updated", "Imported"),
    ]
    assert next(e for e in events if e["type"] == "link.deleted")["data"]["id"] == dropped["id"]
