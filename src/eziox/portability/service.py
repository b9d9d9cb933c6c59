"""Export an account to a portable document, and import one: dry-run or all at once.

Import replaces the account's profile fields, socials, design, groups and links with the
document's. Links and groups whose `id` is one of the account's own are updated in place
(their analytics stay attached); the others are created with new ids; the account's links and
groups missing from the document are deleted. Everything is checked before anything is
written, and the request's one transaction makes it all or nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts import socials
from eziox.accounts.repository import AccountRepository
from eziox.accounts.views import show_profile
from eziox.analytics.repository import AnalyticsRepository
from eziox.errors import Conflict, NotFound
from eziox.groups.repository import GroupRepository
from eziox.kit.epoch import date_of
from eziox.kit.ids import new_id, new_link_id
from eziox.kit.time import rfc3339, utcnow
from eziox.links.repository import LinkRepository
from eziox.links.service import check_schedule
from eziox.links.views import link_view, show_link
from eziox.models import Account, Link, LinkGroup
from eziox.portability.schemas import PortableDocument, PortableLink
from eziox.templates import service as templates
from eziox.webhooks.events import EventType
from eziox.webhooks.outbox import subscribers, write_event

VERSION = 1
_PROFILE_FIELDS = ("name", "bio", "avatar", "banner")
_LINK_FIELDS = (
    "title",
    "url",
    "description",
    "thumbnail",
    "is_active",
    "group_id",
    "starts_at",
    "ends_at",
    "sensitive",
    "position",
)


async def export_account(session: AsyncSession, account_id: str) -> dict[str, Any]:
    """The whole account as one versioned document (see `PortableDocument`)."""
    account = await AccountRepository(session).get(account_id)
    if account is None:
        raise NotFound("Account not found.")
    groups = await GroupRepository(session, account_id).all()
    links = await LinkRepository(session, account_id).all()
    now = utcnow()
    by_group: dict[str | None, list[dict[str, Any]]] = {}
    for link in links:
        by_group.setdefault(link.group_id, []).append(_portable_link(link, now))
    return {
        "version": VERSION,
        "exportedAt": rfc3339(now),
        "profile": {
            "username": account.username,
            **{name: getattr(account, name) for name in _PROFILE_FIELDS},
        },
        "socials": [
            {"platform": s["platform"], "value": s["value"]} for s in socials.shown(account.socials)
        ],
        "theme": account.theme,
        "design": account.design,
        "groups": [{"id": g.id, "title": g.title, "links": by_group.get(g.id, [])} for g in groups],
        "links": by_group.get(None, []),
        "analytics": {"daily": await _daily(session, account_id)},
    }


def _portable_link(link: Link, now: datetime) -> dict[str, Any]:
    """The link as the API shows it, cut to `PortableLink`'s fields in their order: what the
    server computes (clicks, status, timestamps) and `groupId` (the nesting says it) are left
    out."""
    shown = link_view(link, clicks=0, now=now)
    return {name: shown[name] for name in PortableLink.model_fields}


async def _daily(session: AsyncSession, account_id: str) -> list[dict[str, Any]]:
    rows = await AnalyticsRepository(session, account_id).utc_days()
    return [
        {
            "date": date_of(int(d)).isoformat(),
            "views": int(v or 0),
            "clicks": int(c or 0),
        }
        for d, v, c in rows
    ]


@dataclass
class Count:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    def shown(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "deleted": self.deleted}


@dataclass
class Plan:
    """What an import does, worked out before anything is written."""

    profile: dict[str, Any]
    groups: list[tuple[LinkGroup | None, str, int]]  # (existing or None, title, position)
    links: list[tuple[Link | None, PortableLink, int, int | None]]  # (+ position, group index)
    doomed_groups: list[LinkGroup]
    doomed_links: list[Link]
    counts: dict[str, Count] = field(default_factory=dict)


async def import_account(
    session: AsyncSession, account_id: str, document: PortableDocument, *, dry_run: bool
) -> dict[str, Any]:
    """Check the whole document, then (unless ``dry_run``) apply it; returns what changes."""
    await LinkRepository(session, account_id).lock_account()
    account = await AccountRepository(session).get(account_id, lock=True)
    if account is None:
        raise NotFound("Account not found.")
    plan = await _plan(session, account, document)
    if not dry_run:
        await _apply(session, account, plan)
    return {"dryRun": dry_run, **{name: c.shown() for name, c in plan.counts.items()}}


def _checked_profile(account: Account, document: PortableDocument) -> dict[str, Any]:
    """The profile columns to store, refusing what the tier does not include (403).

    What the account already has is kept even if its tier no longer includes it (a re-import
    of your own export after a downgrade), as PATCH /v1/profile would leave it.
    """
    if document.theme != account.theme:
        templates.ensure_template_allowed(templates.get_template(document.theme), account.tier)
    design = templates.stored_design(document.design)
    if design is not None and design != account.design:
        templates.ensure_design_allowed(account.tier)
    profile = document.profile
    return {
        **{name: getattr(profile, name) for name in _PROFILE_FIELDS},
        "theme": document.theme,
        "design": design,
        "socials": socials.stored(document.socials),
    }


async def _plan(session: AsyncSession, account: Account, document: PortableDocument) -> Plan:
    profile = _checked_profile(account, document)
    entries = [(link, None) for link in document.links] + [
        (link, index) for index, group in enumerate(document.groups) for link in group.links
    ]
    for link, _ in entries:
        try:
            check_schedule(link.startsAt, link.endsAt)
        except Conflict:
            raise Conflict(f"{link.title!r}: endsAt must be after startsAt.") from None
    # Account-wide order: by the given `order`, then as listed (ungrouped first).
    ranked = sorted(
        range(len(entries)), key=lambda i: (entries[i][0].order is None, entries[i][0].order, i)
    )
    position = {entry: rank for rank, entry in enumerate(ranked)}

    existing_groups = {g.id: g for g in await GroupRepository(session, account.id).all()}
    existing_links = {lk.id: lk for lk in await LinkRepository(session, account.id).all()}
    groups = [
        (existing_groups.pop(g.id, None) if g.id else None, g.title, index)
        for index, g in enumerate(document.groups)
    ]
    links = [
        (existing_links.pop(link.id, None) if link.id else None, link, position[i], group)
        for i, (link, group) in enumerate(entries)
    ]
    plan = Plan(
        profile, groups, links, list(existing_groups.values()), list(existing_links.values())
    )
    plan.counts = _counts(account, plan)
    return plan


def _counts(account: Account, plan: Plan) -> dict[str, Count]:
    profile = Count(
        updated=int(
            any(getattr(account, k) != v for k, v in plan.profile.items() if k != "socials")
        )
    )
    before = [tuple(s.items()) for s in account.socials or []]
    after = [tuple(s.items()) for s in plan.profile["socials"] or []]
    social = Count(
        created=sum(1 for s in after if s not in before),
        deleted=sum(1 for s in before if s not in after),
    )
    groups = Count(deleted=len(plan.doomed_groups))
    for group_row, title, position in plan.groups:
        if group_row is None:
            groups.created += 1
        elif (group_row.title, group_row.position) != (title, position):
            groups.updated += 1
    links = Count(deleted=len(plan.doomed_links))
    group_ids = [g.id if g else None for g, _, _ in plan.groups]
    for link_row, link, position, group in plan.links:
        if link_row is None:
            links.created += 1
        elif _link_values(link_row) != _values(
            link, position, group_ids[group] if group is not None else None
        ):
            links.updated += 1
    return {"profile": profile, "socials": social, "groups": groups, "links": links}


def _values(link: PortableLink, position: int, group_id: str | None) -> tuple[Any, ...]:
    return (
        link.title,
        link.url,
        link.description,
        link.thumbnail,
        link.isActive,
        group_id,
        link.startsAt,
        link.endsAt,
        link.sensitive,
        position,
    )


def _link_values(row: Link) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in _LINK_FIELDS)


_EVENT_TYPES = (
    EventType.LINK_CREATED,
    EventType.LINK_UPDATED,
    EventType.LINK_DELETED,
    EventType.PROFILE_UPDATED,
)


async def _apply(session: AsyncSession, account: Account, plan: Plan) -> None:
    """Write the plan, and queue the webhook events the same changes made one by one would."""
    announce = await _announcer(session, account.id)
    for doomed_link in plan.doomed_links:  # the payload is built before the delete
        await announce(EventType.LINK_DELETED, partial(show_link, session, doomed_link))
    for doomed in [*plan.doomed_links, *plan.doomed_groups]:
        await session.delete(doomed)
    await session.flush()
    group_ids = await _write_groups(session, account.id, plan)
    changed = _write_links(session, account.id, plan, group_ids)
    profile_changed = any(getattr(account, name) != value for name, value in plan.profile.items())
    for name, value in plan.profile.items():
        setattr(account, name, value)
    await session.flush()
    for event_type, row in changed:
        await session.refresh(row)
        await announce(event_type, partial(show_link, session, row))
    if profile_changed:
        await session.refresh(account)
        await announce(EventType.PROFILE_UPDATED, partial(show_profile, session, account))


Payload = Callable[[], Awaitable[Mapping[str, Any]]]
Announce = Callable[[EventType, Payload], Awaitable[None]]


async def _announcer(session: AsyncSession, account_id: str) -> Announce:
    """Queue an event for its subscribers, building its payload only if there are any."""
    # Who listens is looked up once per event type, not once per link.
    hooks = {kind: await subscribers(session, account_id, kind) for kind in _EVENT_TYPES}

    async def announce(kind: EventType, data: Payload) -> None:
        if hooks[kind]:
            await write_event(session, account_id, kind, await data(), hooks[kind])

    return announce


async def _write_groups(session: AsyncSession, account_id: str, plan: Plan) -> list[str]:
    """Create, rename and reorder the plan's groups; their ids, in the plan's order."""
    group_ids: list[str] = []
    for group_row, title, position in plan.groups:
        if group_row is None:
            group_row = LinkGroup(
                id=new_id("grp"), account_id=account_id, title=title, position=position
            )
            session.add(group_row)
        group_row.title, group_row.position = title, position
        group_ids.append(group_row.id)
    await session.flush()  # groups first: no ORM relationship orders the inserts for us
    return group_ids


def _write_links(
    session: AsyncSession, account_id: str, plan: Plan, group_ids: list[str]
) -> list[tuple[EventType, Link]]:
    """Create or update the plan's links (the caller flushes); those created or really
    changed, with the event each one announces."""
    changed: list[tuple[EventType, Link]] = []
    for row, link, position, group in plan.links:
        before = None if row is None else _link_values(row)
        if row is None:
            row = Link(id=new_link_id(), account_id=account_id)
            session.add(row)
        values = _values(link, position, group_ids[group] if group is not None else None)
        for name, value in zip(_LINK_FIELDS, values, strict=True):
            setattr(row, name, value)
        if before is None:
            changed.append((EventType.LINK_CREATED, row))
        elif before != _link_values(row):
            changed.append((EventType.LINK_UPDATED, row))
    return changed
