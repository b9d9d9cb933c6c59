"""Realistic demo analytics (`eziox dev seed-analytics`): many referrers, devices, countries,
some bots — written straight to the archive and the rollups in large batches."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.analytics.rollup import apply, tally_where
from eziox.db import Database
from eziox.kit.time import utcnow
from eziox.models import CLICK, EVENTS, VIEW, Link

# Share of traffic by value (weights, not percentages).
REFERRERS: dict[str | None, int] = {
    None: 30,
    "instagram.com": 22,
    "tiktok.com": 14,
    "youtube.com": 9,
    "t.co": 6,
    "google.com": 5,
    "reddit.com": 3,
    "facebook.com": 3,
    "linkedin.com": 2,
    "twitch.tv": 2,
    "discord.com": 2,
    "github.com": 1,
    "news.ycombinator.com": 1,
}
AGENTS: dict[tuple[str, str, str], int] = {  # (device, browser, os)
    ("mobile", "Mobile Safari", "iOS"): 34,
    ("mobile", "Chrome Mobile", "Android"): 28,
    ("desktop", "Chrome", "Windows"): 14,
    ("desktop", "Safari", "Mac OS X"): 7,
    ("desktop", "Firefox", "Windows"): 3,
    ("desktop", "Edge", "Windows"): 4,
    ("tablet", "Mobile Safari", "iOS"): 3,
    ("mobile", "Samsung Internet", "Android"): 4,
    ("desktop", "Chrome", "Linux"): 2,
    ("desktop", "Firefox", "Linux"): 1,
}
COUNTRIES: dict[str | None, int] = {
    "US": 30,
    "GB": 9,
    "DE": 8,
    "BR": 7,
    "IN": 7,
    "FR": 5,
    "CA": 5,
    "JP": 4,
    "MX": 4,
    "ES": 3,
    "IT": 3,
    "AU": 3,
    "NL": 2,
    "PL": 2,
    "SE": 1,
    None: 7,
}
BOT_SHARE = 0.06
CLICK_SHARE = 0.4


def make_events(
    account_id: str, link_ids: list[str], count: int, days: int, rng: random.Random, now: datetime
) -> list[dict[str, object]]:
    visitors = [rng.randbytes(16) for _ in range(max(1, count // 3))]
    span = days * 86400
    rows: list[dict[str, object]] = []
    picks = zip(
        rng.choices(list(REFERRERS), list(REFERRERS.values()), k=count),
        rng.choices(list(AGENTS), list(AGENTS.values()), k=count),
        rng.choices(list(COUNTRIES), list(COUNTRIES.values()), k=count),
        strict=True,
    )
    for referrer, agent, country in picks:
        is_bot = rng.random() < BOT_SHARE
        clicked = bool(link_ids) and rng.random() < CLICK_SHARE
        device, browser, os_name = agent
        # Recent days are busier: a triangular spread toward now.
        age = span * (1 - rng.triangular(0, 1, 1))
        rows.append(
            {
                "account_id": account_id,
                "link_id": rng.choice(link_ids) if clicked else None,
                "kind": CLICK if clicked else VIEW,
                "occurred_at": now - timedelta(seconds=age),
                "visitor": rng.choice(visitors),
                "is_bot": is_bot,
                "referrer": referrer,
                "device": "bot" if is_bot else device,
                "browser": "Bot" if is_bot else browser,
                "os": "Other" if is_bot else os_name,
                "country": country,
            }
        )
    return rows


async def seed_events(
    db: Database,
    account_id: str,
    *,
    count: int,
    days: int,
    batch: int = 20_000,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``count`` events spread over ``days`` days ending now; return how many."""
    rng = random.Random(seed)
    now = utcnow()
    async with db.session() as session:
        link_ids = list(await session.scalars(select(Link.id).where(Link.account_id == account_id)))
    written = 0
    while written < count:
        size = min(batch, count - written)
        rows = make_events(account_id, link_ids, size, days, rng, now)
        async with db.transaction() as session:
            await _write(session, rows)
        written += size
        if progress:
            progress(size)
    return written


async def _write(session: AsyncSession, rows: list[dict[str, object]]) -> None:
    await session.run_sync(lambda sync: _archive_and_count(sync.connection(), rows))


def _archive_and_count(connection: Connection, rows: list[dict[str, object]]) -> None:
    """Archive a batch and add it to the rollups, counted by the database as the roll-up does
    (the seed is the only writer of its transaction: the batch is every id past the last)."""
    before = connection.scalar(select(func.coalesce(func.max(EVENTS.c.id), 0)))
    connection.execute(insert(EVENTS), rows)
    apply(connection, tally_where(connection, EVENTS, EVENTS.c.id > before))
