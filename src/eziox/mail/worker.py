"""The mail worker: claim due mails with a lease, send them, record the outcomes.

The same shape as the webhook deliveries (eziox.webhooks.delivery): claims are short
transactions (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the single writer lock), the SMTP
conversations happen with no transaction open, and an outcome is written only while the
claim token still matches. A worker killed mid-send leaves its mails claimed until the
lease ends; they are then sent again (at least once, never silently lost).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.config import Settings
from eziox.db import Database
from eziox.kit import backoff
from eziox.kit.polling import PollingWorker
from eziox.kit.time import utcnow
from eziox.mail.message import Rendered, build_message
from eziox.mail.sender import Outcome, send_smtp, write_to_log
from eziox.models import OutgoingMail
from eziox.models.mail import MAIL_FAILED, MAIL_PENDING, MAIL_SENT

log = logging.getLogger("eziox.mail")

# Seconds before each retry: about 7 hours in all with the default 8 attempts.
BACKOFF = (30, 120, 600, 1800, 3600, 7200, 14400)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: str
    token: str
    to: str
    rendered: Rendered


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        OutgoingMail.status == MAIL_PENDING,
        OutgoingMail.next_attempt_at <= now,
        or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now),
    )


async def claim(session: AsyncSession, *, now: datetime, limit: int, lease: float) -> list[Claimed]:
    """Claim up to ``limit`` due mails for ``lease`` seconds."""
    query = (
        select(OutgoingMail)
        .where(_due(now))
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    mails = list((await session.scalars(query)).all())
    if not mails:
        return []
    token = secrets.token_hex(16)
    await session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id.in_([m.id for m in mails]))
        .values(claimed_until=now + timedelta(seconds=lease), claim_token=token)
    )
    return [
        Claimed(m.id, token, m.to_address, Rendered(m.subject, m.text_body, m.html_body))
        for m in mails
    ]


async def record(
    session: AsyncSession,
    results: Sequence[tuple[Claimed, Outcome]],
    *,
    now: datetime,
    max_attempts: int,
) -> None:
    """Write each outcome if its claim still holds: sent, retry later, or failed."""
    for claimed, outcome in results:
        mail = await session.get(OutgoingMail, claimed.id, with_for_update=True)
        if mail is None or mail.claim_token != claimed.token:
            continue  # the lease ran out and another worker took it over
        mail.attempts += 1
        mail.claimed_until = None
        mail.claim_token = None
        mail.error = outcome.error
        if outcome.ok:
            mail.status, mail.sent_at = MAIL_SENT, now
            mail.text_body = mail.html_body = ""  # no reset link stays in the table
        elif outcome.permanent or mail.attempts >= max_attempts:
            mail.status = MAIL_FAILED
            log.error("mail %s to %s failed for good: %s", mail.id, mail.to_address, mail.error)
        else:
            mail.next_attempt_at = now + timedelta(
                seconds=backoff.retry_delay(BACKOFF, mail.attempts)
            )
    await session.flush()


class MailWorker(PollingWorker):
    """Sends due mails every ``poll_interval`` seconds (inside `serve` or `eziox worker`)."""

    name = "eziox-mail"
    log = log

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__()
        self.db = db
        self.smtp = settings.smtp
        self.ca_file = settings.smtp_ca_file
        self.sender = settings.sender
        self.timeout = settings.mail_timeout
        self.lease = settings.mail_lease
        self.batch_size = settings.mail_batch_size
        self.poll_interval = settings.mail_poll_interval
        self.max_attempts = settings.mail_max_attempts

    async def _pending(self, now: datetime) -> bool:
        """A cheap read first, so an idle server never takes SQLite's write lock."""
        async with self.db.session() as session:
            return (
                await session.scalar(select(OutgoingMail.id).where(_due(now)).limit(1)) is not None
            )

    async def send(self, claimed: Claimed) -> Outcome:
        message = build_message(self.sender, claimed.to, claimed.rendered)
        if self.smtp is None:
            return write_to_log(message)
        return await send_smtp(self.smtp, message, self.timeout, self.ca_file)

    async def run_once(self, now: datetime | None = None) -> int:
        """Claim one batch, send it (no transaction open meanwhile), record the outcomes."""
        explicit = now is not None
        now = now or utcnow()
        if not await self._pending(now):
            return 0
        async with self.db.transaction() as session:
            batch = await claim(session, now=now, limit=self.batch_size, lease=self.lease)
        if not batch:
            return 0
        outcomes = await asyncio.gather(*(self.send(c) for c in batch))
        async with self.db.transaction() as session:
            await record(
                session,
                list(zip(batch, outcomes, strict=True)),
                now=now if explicit else utcnow(),
                max_attempts=self.max_attempts,
            )
        return len(batch)
