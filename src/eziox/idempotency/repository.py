"""Every query of idempotency keys (one table, `idempotency_keys`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from eziox.errors import Conflict
from eziox.idempotency.keys import HEADER, IdempotentRequest
from eziox.kit.time import utcnow
from eziox.models import IdempotencyKey

KEPT_FOR = timedelta(hours=24)
# How long a request may run before a retry is allowed to take its key over: its process
# may have died under it, and a marker must never block the key for the whole 24 h.
LOCKED_FOR = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status: int
    content_type: str | None
    body: bytes


class InProgress(Conflict):
    default_message = f"A request with this {HEADER} is still in progress; retry it in a moment."

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "1"})


async def claim(session: AsyncSession, request: IdempotentRequest) -> StoredAnswer | None:
    """The stored answer to replay, or None once the key is this request's to run.

    Raises Conflict when the key was first used for another request, or is still running.
    """
    now = utcnow()
    await purge_expired(session, request.account_id, now)
    row = await session.get(IdempotencyKey, (request.account_id, request.key), with_for_update=True)
    if row is None:
        session.add(
            IdempotencyKey(
                account_id=request.account_id,
                key=request.key,
                target=request.target,
                body_sha256=request.body_sha256,
                locked_until=now + LOCKED_FOR,
                created_at=now,
            )
        )
        await session.flush()
        return None
    _check_same(row, request)
    if row.status is not None:
        return StoredAnswer(row.status, row.content_type, row.body or b"")
    if row.locked_until is not None and row.locked_until > now:
        raise InProgress()
    row.locked_until = now + LOCKED_FOR  # its first request's process died: run it again
    return None


def _check_same(row: IdempotencyKey, request: IdempotentRequest) -> None:
    if row.target != request.target:
        raise Conflict(
            f"This {HEADER} was already used for {row.target}, not {request.target}: "
            "use a new key for a new request."
        )
    if row.body_sha256 != request.body_sha256:
        raise Conflict(
            f"This {HEADER} was already used with a different request body: "
            "use a new key for a new request."
        )


async def finish(session: AsyncSession, request: IdempotentRequest, answer: StoredAnswer) -> None:
    """Store the answer of the request that holds the key."""
    await session.execute(
        update(IdempotencyKey)
        .where(
            IdempotencyKey.account_id == request.account_id,
            IdempotencyKey.key == request.key,
        )
        .values(
            status=answer.status,
            content_type=answer.content_type,
            body=answer.body,
            locked_until=None,
        )
    )


async def release(session: AsyncSession, request: IdempotentRequest) -> None:
    """Give the key up unanswered (a 5xx, a 429…): the next request with it runs again."""
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.account_id == request.account_id,
            IdempotencyKey.key == request.key,
            IdempotencyKey.status.is_(None),
        )
    )


async def purge_expired(
    session: AsyncSession, account_id: str | None = None, now: datetime | None = None
) -> int:
    """Delete keys older than 24 h (of one account, or of all); how many went."""
    cutoff = (now or utcnow()) - KEPT_FOR
    statement = delete(IdempotencyKey).where(IdempotencyKey.created_at <= cutoff)
    if account_id is not None:
        statement = statement.where(IdempotencyKey.account_id == account_id)
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
