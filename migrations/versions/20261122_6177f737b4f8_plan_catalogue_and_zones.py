"""Plan catalogue (plan, axes, strategies, actions) and the Zone omogenee.

Revision ID: 6177f737b4f8
Revises: 
Create Date: 2026-11-22 03:06:20.744598

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6177f737b4f8'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan')),
    sa.UniqueConstraint('code', name=op.f('uq_plan_code'))
    )
    op.create_table('zone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('municipalities', sa.Integer(), nullable=False),
    sa.Column('population_2011', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zone')),
    sa.UniqueConstraint('code', name=op.f('uq_zone_code'))
    )
    op.create_table('axis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('motto', sa.String(length=200), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_axis_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_axis')),
    sa.UniqueConstraint('plan_id', 'code', name=op.f('uq_axis_plan_id_code'))
    )
    op.create_table('strategy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('axis_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['axis_id'], ['axis.id'], name=op.f('fk_strategy_axis_id_axis')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategy')),
    sa.UniqueConstraint('axis_id', 'code', name=op.f('uq_strategy_axis_id_code'))
    )
    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('printed_code', sa.String(length=12), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategy.id'], name=op.f('fk_action_strategy_id_strategy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action')),
    sa.UniqueConstraint('strategy_id', 'code', name=op.f('uq_action_strategy_id_code'))
    )


def downgrade():
    op.drop_table('action')
    op.drop_table('strategy')
    op.drop_table('axis')
    op.drop_table('zone')
    op.drop_table('plan')
