"""Dense 0..n-1 positions: moving one row shifts the ones in between (links, groups)."""

from __future__ import annotations

from typing import Protocol


class OrderedRows(Protocol):
    async def count(self) -> int: ...

    async def shift(self, *, start: int, end: int, by: int) -> None: ...


class Positioned(Protocol):
    position: int


async def move(repository: OrderedRows, row: Positioned, target: int) -> None:
    """Put ``row`` at ``target``; past the end means last, as a drag to the bottom would."""
    target = min(target, await repository.count() - 1)
    source = row.position
    if target == source:
        return
    if target > source:
        await repository.shift(start=source + 1, end=target, by=-1)
    else:
        await repository.shift(start=target, end=source - 1, by=1)
    row.position = target
