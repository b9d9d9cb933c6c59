"""Property test for link ordering: after any sequence of moves, creates and deletes, the
orders are exactly 0..n-1 and follow a plain list model (pop + insert, past the end = last).

Runs the real service and repository against the run's database (SQLite or PostgreSQL).
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eziox.links.schemas import LinkCreate, LinkUpdate
from eziox.links.service import create_link, delete_link, list_links, update_link
from tests.factories import make_account, state_of

EXAMPLES = int(os.environ.get("EZIOX_PROPERTY_EXAMPLES", "20"))

# (operation, which link as an index into the current order, target order)
steps = st.lists(
    st.tuples(
        st.sampled_from(["move", "move", "move", "delete", "create"]),
        st.integers(min_value=0, max_value=20),
        st.integers(min_value=0, max_value=25),
    ),
    max_size=12,
)


async def current_order(app: FastAPI, account_id: str) -> list[tuple[str, int]]:
    async with state_of(app).db.session() as session:
        page = await list_links(session, account_id, limit=100, offset=0, active=None)
    assert page.total == len(page.links)
    return [(link["id"], link["order"]) for link in page.links]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=st.integers(min_value=0, max_value=6), operations=steps)
async def test_orders_stay_dense_and_follow_the_list_model(
    app: FastAPI, start: int, operations: list[tuple[str, int, int]]
) -> None:
    db = state_of(app).db
    account = await make_account(app)
    model: list[str] = []
    for n in range(start):
        async with db.transaction() as session:
            link = await create_link(
                session, account.id, LinkCreate(title=f"l{n}", url="https://a.example/")
            )
            model.append(link.id)
    for operation, index, target in operations:
        if operation == "create":
            async with db.transaction() as session:
                link = await create_link(
                    session, account.id, LinkCreate(title="new", url="https://b.example/")
                )
            model.append(link.id)
        elif model and operation == "delete":
            victim = model.pop(index % len(model))
            async with db.transaction() as session:
                await delete_link(session, account.id, victim)
        elif model:
            moved = model.pop(index % len(model))
            model.insert(min(target, len(model)), moved)
            async with db.transaction() as session:
                await update_link(session, account.id, moved, LinkUpdate(order=target))
        ordered = await current_order(app, account.id)
        assert [order for _, order in ordered] == list(range(len(model)))
        assert [link_id for link_id, _ in ordered] == model, (operation, index, target)
