"""Queue a mail in the caller's transaction: it exists if and only if the change does."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.kit.ids import new_id
from eziox.kit.time import utcnow
from eziox.mail.message import render
from eziox.models import OutgoingMail
from eziox.models.mail import MAIL_PENDING


async def queue_mail(
    session: AsyncSession, to: str, template: str, subject: str, **context: Any
) -> str:
    """Render ``template`` and add it to the outbox (sent after the commit); its id."""
    rendered = render(template, subject, **context)
    now = utcnow()
    mail = OutgoingMail(
        id=new_id("mail"),
        to_address=to,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        status=MAIL_PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(mail)
    await session.flush()
    return mail.id
