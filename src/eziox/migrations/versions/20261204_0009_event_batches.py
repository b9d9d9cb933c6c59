"""event batch tokens (a PostgreSQL batch sent again is stored once)

Revision ID: 20261204_0009
Revises: 20261202_0008
Create Date: 2026-12-04 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261204_0009"
down_revision: str | None = "20261202_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_batches",
        sa.Column("token", sa.LargeBinary(length=16), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_event_batches")),
    )


def downgrade() -> None:
    op.drop_table("event_batches")
