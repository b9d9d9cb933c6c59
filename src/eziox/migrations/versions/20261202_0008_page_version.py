"""page version per account (public page and link-target caches)

Revision ID: 20261202_0008
Revises: 20261126_0007
Create Date: 2026-12-02 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0008"
down_revision: str | None = "20261126_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("page_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    # recreate="never": recreating `accounts` on SQLite would cascade-delete every row
    # referencing it (see 0003).
    with op.batch_alter_table("accounts", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("page_version")
