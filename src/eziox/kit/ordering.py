"""Dense 0..n-1 positions: moving one row shifts the ones in between (links, groups); a whole
new order names every row exactly once."""

from __future__ import annotations

from typing import Protocol, TypeVar


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


class OrderMismatch(ValueError):
    """A requested whole order that is not exactly the current rows, each once."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems  # (id, what is wrong with it)
        super().__init__("; ".join(f"{id_}: {what}" for id_, what in problems))


def check_whole_order(requested: list[str], current: list[str]) -> None:
    """``requested`` must name every id of ``current`` exactly once and nothing else."""
    known, seen = set(current), set[str]()
    problems: list[tuple[str, str]] = []
    for id_ in requested:
        if id_ not in known:
            problems.append((id_, "unknown (not one of yours)"))
        elif id_ in seen:
            problems.append((id_, "repeated"))
        seen.add(id_)
    problems += [(id_, "missing") for id_ in current if id_ not in seen]
    if problems:
        raise OrderMismatch(problems)


P = TypeVar("P", bound=Positioned)


def renumber(rows: dict[str, P], ids: list[str]) -> list[P]:
    """Give ``rows`` the positions 0..n-1 in the order ``ids`` names them (every row once,
    else `OrderMismatch`); return the rows whose position changed."""
    check_whole_order(ids, list(rows))
    moved = [rows[id_] for position, id_ in enumerate(ids) if rows[id_].position != position]
    for position, id_ in enumerate(ids):
        rows[id_].position = position
    return moved
