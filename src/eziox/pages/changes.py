"""Which accounts' public pages a transaction changes, recorded as a version bump in it.

The bio page and the link redirects show an account's profile, socials, design, tier,
links, groups, follow counts and custom domains. Every transaction that writes one of those bumps
``accounts.page_version`` before it commits (`bump_page_versions`, called by the one commit
point), so a cached page or link target is stale exactly when its version is behind.

ORM changes to those tables are noticed on their own (`before_flush`); code that writes
them with a Core statement calls `page_changed` itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from eziox.models import Account, Domain, Follow, Link, LinkGroup

_CHANGED = "eziox.pages_changed"


def page_changed(session: AsyncSession | Session, *account_ids: str) -> None:
    """Note that these accounts' public pages change when this transaction commits."""
    session.info.setdefault(_CHANGED, set()).update(account_ids)


def _owners(instance: object) -> Iterable[str]:
    if isinstance(instance, Account):
        return (instance.id,)
    if isinstance(instance, Link | LinkGroup | Domain):
        return (instance.account_id,)
    if isinstance(instance, Follow):
        return (instance.follower_id, instance.followed_id)
    return ()


@event.listens_for(Session, "before_flush")
def _note_orm_changes(session: Session, _context: Any, _instances: Any) -> None:
    for instance in chain(session.new, session.dirty, session.deleted):
        owners = [owner for owner in _owners(instance) if owner]
        if owners:
            page_changed(session, *owners)


async def bump_page_versions(session: AsyncSession) -> frozenset[str]:
    """Bump the version of every page this transaction changed; returns their account ids."""
    await session.flush()  # the last ORM changes are noted while they flush
    changed = frozenset(session.info.pop(_CHANGED, ()))
    if changed:
        await session.execute(
            update(Account)
            .where(Account.id.in_(sorted(changed)))  # one lock order: no deadlock between two
            .values(page_version=Account.page_version + 1, updated_at=Account.updated_at)
            .execution_options(synchronize_session=False)
        )
    return changed
