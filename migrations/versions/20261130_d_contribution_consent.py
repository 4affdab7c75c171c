"""Consent to show one's organisation beside a contribution (sheet, proposal, comment), off by default.

Revision ID: d1c0a5e7b001
Revises: f09c6aff606c
Create Date: 2026-11-30 19:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d1c0a5e7b001"
down_revision = "20261130_e_multizone"
branch_labels = None
depends_on = None

TABLES = ("strategy_sheet", "project_proposal", "comment")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("show_organisation", sa.Boolean(), server_default=sa.false(), nullable=False)
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("show_organisation")
