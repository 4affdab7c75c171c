"""Similar proposals a planner confirmed as one project (or dismissed), and contributions chosen to be quoted
in the synthesis document.

Revision ID: d2b7e1c4a002
Revises: d1c0a5e7b001
Create Date: 2026-11-30 19:03:27.339477

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2b7e1c4a002'
down_revision = 'd1c0a5e7b001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('synthesis_quote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contribution_key', sa.String(length=40), nullable=False),
    sa.Column('chosen_by_id', sa.Integer(), nullable=True),
    sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chosen_by_id'], ['user.id'], name=op.f('fk_synthesis_quote_chosen_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis_quote')),
    sa.UniqueConstraint('contribution_key', name=op.f('uq_synthesis_quote_contribution_key'))
    )
    op.create_table('proposal_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('confirmed', 'dismissed', name='groupdecision', native_enum=False, length=13), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_proposal_group_consultation_id_consultation')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_proposal_group_decided_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_group'))
    )
    with op.batch_alter_table('proposal_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_group_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('proposal_group_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['proposal_group.id'], name=op.f('fk_proposal_group_member_group_id_proposal_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['project_proposal.id'], name=op.f('fk_proposal_group_member_proposal_id_project_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'proposal_id', name=op.f('pk_proposal_group_member'))
    )


def downgrade():
    op.drop_table('proposal_group_member')
    with op.batch_alter_table('proposal_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_group_consultation_id'))

    op.drop_table('proposal_group')
    op.drop_table('synthesis_quote')
