"""A consultation may let one account rank in several zones' sessions (off by default).

Revision ID: 20261130_e_multizone
Revises: f09c6aff606c
Create Date: 2026-11-30 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261130_e_multizone'
down_revision = 'a1c0ca7e0d8e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('allow_multiple_zones', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_column('allow_multiple_zones')
