"""Room projection (reveal state, link salt) and moderation (reasons, who hid a proposal, proposal reports).

Revision ID: 5f6c3b1abd6d
Revises: f09c6aff606c
Create Date: 2026-11-30 18:48:15.114556

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f6c3b1abd6d'
down_revision = 'd2b7e1c4a002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposal_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_proposal_report_participant_id_participant')),
    sa.ForeignKeyConstraint(['proposal_id'], ['project_proposal.id'], name=op.f('fk_proposal_report_proposal_id_project_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_report')),
    sa.UniqueConstraint('proposal_id', 'participant_id', name=op.f('uq_proposal_report_proposal_id_participant_id'))
    )
    with op.batch_alter_table('proposal_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_report_proposal_id'), ['proposal_id'], unique=False)

    # Existing rows get an empty reason; the default stays only for them (the models always set one).
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_reason', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('consultation_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ranking_revealed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('projection_salt', sa.String(length=32), nullable=True))

    with op.batch_alter_table('project_proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hidden_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_project_proposal_hidden_by_id_user'), 'user', ['hidden_by_id'], ['id'])

    for table in ('comment', 'project_proposal'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('hidden_reason', server_default=None)


def downgrade():
    with op.batch_alter_table('project_proposal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_project_proposal_hidden_by_id_user'), type_='foreignkey')
        batch_op.drop_column('hidden_by_id')
        batch_op.drop_column('hidden_reason')

    with op.batch_alter_table('consultation_session', schema=None) as batch_op:
        batch_op.drop_column('projection_salt')
        batch_op.drop_column('ranking_revealed_at')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('hidden_reason')

    with op.batch_alter_table('proposal_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_report_proposal_id'))

    op.drop_table('proposal_report')
