"""account design overrides

Revision ID: 20261126_0003
Revises: 20261126_0002
Create Date: 2026-11-26 21:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_0003"
down_revision: str | None = "20261126_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("design", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    # recreate="never": SQLite (3.35+) drops the column in place. Recreating `accounts` would
    # DROP the old table, and with foreign keys on that cascades to every row referencing it.
    with op.batch_alter_table("accounts", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("design")
