"""Record views and clicks at chosen moments, as a browser would make them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import time_machine
from fastapi import FastAPI
from sqlalchemy import ScalarSelect, func, select

from eziox.analytics.recorder import Visit
from eziox.models import CLICK, VIEW, Event, EventInbox
from tests.factories import state_of

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def visit(ip: str = "203.0.113.5", agent: str = CHROME, referer: str | None = None) -> Visit:
    return Visit(ip=ip, user_agent=agent, referer=referer, country_header=None, own_host=None)


async def record(
    app: FastAPI,
    account_id: str,
    *,
    at: datetime | None = None,
    link_id: str | None = None,
    times: int = 1,
    **visit_fields: str,
) -> None:
    kind = CLICK if link_id else VIEW
    recorder = state_of(app).recorder
    for _ in range(times):
        if at is None:
            await recorder.record(account_id, link_id, kind, visit(**visit_fields))
        else:
            with time_machine.travel(at, tick=False):
                await recorder.record(account_id, link_id, kind, visit(**visit_fields))


async def count_rows(app: FastAPI, model: type, account_id: str) -> int:
    async with state_of(app).db.session() as session:
        query = select(func.count()).select_from(model).where(model.account_id == account_id)  # type: ignore[attr-defined]
        return int(await session.scalar(query) or 0)


async def events_recorded(app: FastAPI, account_id: str) -> int:
    """Events of the account in the inbox or already rolled up out of it (the server's
    roll-up moves them every second): counted in one statement, so in one snapshot — two
    queries could count a batch the roll-up moves between them twice, or not at all."""

    def of(model: Any) -> ScalarSelect[int]:
        return select(func.count()).where(model.account_id == account_id).scalar_subquery()

    async with state_of(app).db.session() as session:
        return int(await session.scalar(select(of(EventInbox) + of(Event))) or 0)
