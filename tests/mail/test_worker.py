"""The mail outbox against a real SMTP server: both parts arrive; a refusal (451) is retried
and delivered once; a server that is down is tried again later; a 5xx fails at once; with
no SMTP configured, the whole mail is in the log."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from eziox.config import Settings
from eziox.kit.time import utcnow
from eziox.mail import queue_mail
from eziox.mail.worker import BACKOFF, MailWorker, claim
from eziox.models import OutgoingMail
from eziox.models.mail import MAIL_FAILED, MAIL_PENDING, MAIL_SENT
from tests.factories import state_of
from tests.mail.smtp import Inbox, parts, smtp_server
from tests.process.servers import free_port


def address() -> str:
    return f"m{secrets.token_hex(5)}@example.com"


def worker(app: FastAPI, settings: Settings, port: int | None, **extra: object) -> MailWorker:
    url = f"smtp://127.0.0.1:{port}" if port else None
    changed = settings.model_copy(update={"smtp_url": url, "mail_timeout": 5.0, **extra})
    return MailWorker(state_of(app).db, changed)


async def queue(app: FastAPI, to: str, name: str = "<b>Ann & Bob</b>") -> str:
    async with state_of(app).db.transaction() as session:
        return await queue_mail(
            session,
            to,
            "password_reset",
            "Reset your Eziox password",
            username=name,
            link="http://testserver/reset-password/tok",
            minutes=60,
        )


async def row(app: FastAPI, mail_id: str) -> OutgoingMail:
    async with state_of(app).db.session() as session:
        mail = await session.get(OutgoingMail, mail_id)
    assert mail is not None
    return mail


async def test_a_mail_arrives_with_a_text_and_an_html_part(
    app: FastAPI, settings: Settings
) -> None:
    to, port = address(), free_port()
    mail_id = await queue(app, to)
    with smtp_server(port) as inbox:
        await worker(app, settings, port).run_until_idle()
    [message] = inbox.to(to)
    assert message["Subject"] == "Reset your Eziox password"
    assert message["From"] == "Eziox <no-reply@localhost>"
    assert message["Message-ID"]
    text, html = parts(message)
    assert "http://testserver/reset-password/tok" in text
    assert "<b>Ann & Bob</b>" in text  # plain text is not escaped
    assert "&lt;b&gt;Ann &amp; Bob&lt;/b&gt;" in html  # HTML is autoescaped
    assert '<a href="http://testserver/reset-password/tok">' in html
    sent = await row(app, mail_id)
    assert (sent.status, sent.attempts, sent.error) == (MAIL_SENT, 1, None)
    assert sent.text_body == sent.html_body == ""  # the link does not stay stored


async def test_a_refusal_is_retried_and_the_mail_delivered_once(
    app: FastAPI, settings: Settings
) -> None:
    to, port = address(), free_port()
    mail_id = await queue(app, to)
    mailer = worker(app, settings, port)
    with smtp_server(port, Inbox(refuse_first="451 4.3.0 Try again later")) as inbox:
        await mailer.run_until_idle()
        waiting = await row(app, mail_id)
        assert (waiting.status, waiting.attempts) == (MAIL_PENDING, 1)
        assert waiting.error is not None
        assert "451" in waiting.error
        delay = waiting.next_attempt_at - utcnow()
        assert timedelta(seconds=BACKOFF[0] * 0.7) < delay < timedelta(seconds=BACKOFF[0] * 1.3)
        await mailer.run_until_idle()  # not due yet: nothing is sent
        assert inbox.to(to) == []
        await mailer.run_until_idle(utcnow() + timedelta(seconds=BACKOFF[0] * 2))
    assert len(inbox.to(to)) == 1
    assert inbox.refused.count(to) == 1
    done = await row(app, mail_id)
    assert (done.status, done.attempts, done.error) == (MAIL_SENT, 2, None)


async def test_a_server_that_is_down_is_tried_again_later(app: FastAPI, settings: Settings) -> None:
    to, port = address(), free_port()
    mail_id = await queue(app, to)
    mailer = worker(app, settings, port)
    await mailer.run_until_idle()  # nothing listens on the port
    waiting = await row(app, mail_id)
    assert (waiting.status, waiting.attempts) == (MAIL_PENDING, 1)
    assert waiting.error is not None
    assert "connect" in waiting.error.lower()
    with smtp_server(port) as inbox:
        later = utcnow() + timedelta(hours=1)
        await mailer.run_until_idle(later)
    assert len(inbox.to(to)) == 1
    assert (await row(app, mail_id)).status == MAIL_SENT


async def test_a_permanent_refusal_fails_at_once(app: FastAPI, settings: Settings) -> None:
    to, port = address(), free_port()
    mail_id = await queue(app, to)
    with smtp_server(port, Inbox(refuse_always="550 5.1.1 No such user")):
        await worker(app, settings, port).run_until_idle()
    failed = await row(app, mail_id)
    assert (failed.status, failed.attempts) == (MAIL_FAILED, 1)
    assert failed.error is not None
    assert "550" in failed.error


async def test_attempts_stop_after_the_maximum(app: FastAPI, settings: Settings) -> None:
    to, port = address(), free_port()
    mail_id = await queue(app, to)
    mailer = worker(app, settings, port, mail_max_attempts=3)
    moment = utcnow()
    for _ in range(3):  # nothing listens on the port
        await mailer.run_until_idle(moment)
        moment += timedelta(days=1)
    failed = await row(app, mail_id)
    assert (failed.status, failed.attempts) == (MAIL_FAILED, 3)
    await mailer.run_until_idle(moment)
    assert (await row(app, mail_id)).attempts == 3


async def test_a_claim_whose_worker_died_is_sent_after_the_lease(
    app: FastAPI, settings: Settings
) -> None:
    to, port = address(), free_port()
    mail_id = await queue(app, to)
    mailer = worker(app, settings, port)
    now = utcnow()
    async with state_of(app).db.transaction() as session:  # claimed, then the worker "dies"
        claimed = await claim(session, now=now, limit=1000, lease=mailer.lease)
    assert mail_id in {c.id for c in claimed}
    with smtp_server(port) as inbox:
        await mailer.run_until_idle(now)  # still leased: not sent
        assert inbox.to(to) == []
        await mailer.run_until_idle(now + timedelta(seconds=mailer.lease + 1))
    assert len(inbox.to(to)) == 1


async def test_without_smtp_the_whole_mail_is_in_the_log(
    app: FastAPI, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    to = address()
    mail_id = await queue(app, to, name="ann")
    with caplog.at_level(logging.WARNING, logger="eziox.mail"):
        await worker(app, settings, None).run_until_idle()
    logged = [r.getMessage() for r in caplog.records if r.name == "eziox.mail"]
    [entry] = [m for m in logged if f"To: {to}" in m]
    assert "EZIOX_SMTP_URL is not set" in entry
    assert "Subject: Reset your Eziox password" in entry
    assert "http://testserver/reset-password/tok" in entry
    assert "Hello ann," in entry
    assert (await row(app, mail_id)).status == MAIL_SENT


async def test_a_mail_exists_only_if_its_change_was_committed(app: FastAPI) -> None:
    to = address()

    async def queue_then_fail() -> None:
        async with state_of(app).db.transaction() as session:
            await queue_mail(session, to, "password_reset", "x", username="a", link="l", minutes=1)
            raise RuntimeError("the request failed after queueing")

    with pytest.raises(RuntimeError):
        await queue_then_fail()
    async with state_of(app).db.session() as session:
        found = await session.scalar(select(OutgoingMail.id).where(OutgoingMail.to_address == to))
    assert found is None
