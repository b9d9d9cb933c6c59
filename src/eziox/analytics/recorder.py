"""Record one view or click, durably, before the response leaves (one small insert)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert

from eziox.analytics.classify import classify_agent, referrer_domain
from eziox.analytics.geo import country_from_header, country_of
from eziox.analytics.visitors import SaltBook, visitor_hash
from eziox.db import Database
from eziox.kit.epoch import day_of
from eziox.kit.time import utcnow
from eziox.models import CLICK, EventInbox
from eziox.ops import metrics


@dataclass(frozen=True, slots=True)
class Visit:
    """What the request tells us; the IP is used for the hash and country, then dropped."""

    ip: str
    user_agent: str
    referer: str | None
    country_header: str | None
    own_host: str | None


class Recorder:
    def __init__(self, db: Database, *, country_header: str | None) -> None:
        self.db = db
        self.country_header = country_header
        self.salts = SaltBook()

    async def record(self, account_id: str, link_id: str | None, kind: int, visit: Visit) -> None:
        agent = classify_agent(visit.user_agent[:512])
        now = utcnow()
        country = (
            country_from_header(visit.country_header)
            if self.country_header
            else country_of(visit.ip)
        )
        async with self.db.transaction() as session:
            salt = await self.salts.salt_for(session, day_of(now))
            await session.execute(
                insert(EventInbox).values(
                    account_id=account_id,
                    link_id=link_id,
                    kind=kind,
                    occurred_at=now,
                    visitor=visitor_hash(salt, visit.ip, visit.user_agent, account_id),
                    is_bot=agent.is_bot,
                    referrer=referrer_domain(visit.referer, visit.own_host),
                    device=agent.device,
                    browser=agent.browser,
                    os=agent.os,
                    country=country,
                )
            )
        metrics.EVENTS.labels("click" if kind == CLICK else "view").inc()
