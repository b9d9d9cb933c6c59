"""links plus: link groups, schedules, sensitive links, profile socials

Revision ID: 20261126_0006
Revises: 20261126_0005
Create Date: 2026-11-27 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_0006"
down_revision: str | None = "20261126_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_groups",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_link_groups_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_groups")),
    )
    with op.batch_alter_table("link_groups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_link_groups_account_position", ["account_id", "position"], unique=False
        )

    # `links` is referenced by no foreign key, so SQLite may recreate it to add the constraint.
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("sensitive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_foreign_key(
            op.f("fk_links_group_id_link_groups"),
            "link_groups",
            ["group_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_links_group_id", ["group_id"], unique=False)

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("socials", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    # recreate="never": recreating `accounts` would cascade-delete every row referencing it.
    with op.batch_alter_table("accounts", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("socials")

    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_group_id")
        batch_op.drop_constraint(op.f("fk_links_group_id_link_groups"), type_="foreignkey")
        batch_op.drop_column("sensitive")
        batch_op.drop_column("ends_at")
        batch_op.drop_column("starts_at")
        batch_op.drop_column("group_id")

    with op.batch_alter_table("link_groups", schema=None) as batch_op:
        batch_op.drop_index("ix_link_groups_account_position")
    op.drop_table("link_groups")
