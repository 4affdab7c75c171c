"""Consultations, zone sessions, participants and codes, ballots with history, strategy sheets,
project proposals, comments and supports.

Revision ID: f09c6aff606c
Revises: 3cb5f46d848e
Create Date: 2026-11-22 03:17:24.110051

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f09c6aff606c'
down_revision = '3cb5f46d848e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('condition_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_it', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_condition_tag')),
    sa.UniqueConstraint('code', name=op.f('uq_condition_tag_code'))
    )
    op.create_table('consultation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('scope', sa.Enum('all', 'axes', 'strategies', name='scope', native_enum=False, length=14), nullable=False),
    sa.Column('scope_axes', sa.JSON(), nullable=False),
    sa.Column('ranking_depth', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_consultation_created_by_id_user')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_consultation_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation'))
    )
    op.create_table('consultation_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.Enum('online', 'in_presenza', 'ibrida', name='mode', native_enum=False, length=15), nullable=False),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', 'published', name='sessionstate', native_enum=False, length=13), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ballots_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_session_consultation_id_consultation')),
    sa.ForeignKeyConstraint(['zone_id'], ['zone.id'], name=op.f('fk_consultation_session_zone_id_zone')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_session'))
    )
    with op.batch_alter_table('consultation_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_session_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_session_zone_id'), ['zone_id'], unique=False)

    op.create_table('consultation_strategy',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_strategy_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategy.id'], name=op.f('fk_consultation_strategy_strategy_id_strategy')),
    sa.PrimaryKeyConstraint('consultation_id', 'strategy_id', name=op.f('pk_consultation_strategy'))
    )
    op.create_table('participant_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_participant_code_created_by_id_user')),
    sa.ForeignKeyConstraint(['session_id'], ['consultation_session.id'], name=op.f('fk_participant_code_session_id_consultation_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_code')),
    sa.UniqueConstraint('code', name=op.f('uq_participant_code_code'))
    )
    with op.batch_alter_table('participant_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_code_session_id'), ['session_id'], unique=False)

    op.create_table('session_facilitator',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['consultation_session.id'], name=op.f('fk_session_facilitator_session_id_consultation_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_session_facilitator_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_session_facilitator'))
    )
    op.create_table('participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=60), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['stakeholder_category.id'], name=op.f('fk_participant_category_id_stakeholder_category')),
    sa.ForeignKeyConstraint(['code_id'], ['participant_code.id'], name=op.f('fk_participant_code_id_participant_code')),
    sa.ForeignKeyConstraint(['session_id'], ['consultation_session.id'], name=op.f('fk_participant_session_id_consultation_session')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_participant_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant')),
    sa.UniqueConstraint('code_id', name=op.f('uq_participant_code_id')),
    sa.UniqueConstraint('session_id', 'label', name=op.f('uq_participant_session_id_label')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_participant_session_id_user_id'))
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_session_id'), ['session_id'], unique=False)

    op.create_table('ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('online', 'code', 'paper', name='channel', native_enum=False, length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user.id'], name=op.f('fk_ballot_entered_by_id_user')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_ballot_participant_id_participant')),
    sa.ForeignKeyConstraint(['session_id'], ['consultation_session.id'], name=op.f('fk_ballot_session_id_consultation_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_ballot_participant_id'))
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_session_id'), ['session_id'], unique=False)

    op.create_table('project_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('promoter', sa.String(length=200), nullable=False),
    sa.Column('municipalities', sa.Text(), nullable=False),
    sa.Column('funding', sa.Enum('pnrr', 'fesr_fse', 'regionale', 'comunale', 'privato', 'altro', name='funding', native_enum=False, length=13), nullable=True),
    sa.Column('status', sa.Enum('idea', 'in_progettazione', 'finanziato', 'in_corso', 'concluso', name='projectstatus', native_enum=False, length=20), nullable=True),
    sa.Column('competence', sa.Enum('citta_metropolitana', 'enti_locali', 'altri_livelli', name='competence', native_enum=False, length=23), nullable=True),
    sa.Column('related_plans', sa.JSON(), nullable=False),
    sa.Column('related_plans_other', sa.String(length=200), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_project_proposal_participant_id_participant')),
    sa.ForeignKeyConstraint(['session_id'], ['consultation_session.id'], name=op.f('fk_project_proposal_session_id_consultation_session')),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategy.id'], name=op.f('fk_project_proposal_strategy_id_strategy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_proposal'))
    )
    with op.batch_alter_table('project_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_proposal_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_proposal_session_id'), ['session_id'], unique=False)

    op.create_table('strategy_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('implementation', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_strategy_sheet_participant_id_participant')),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategy.id'], name=op.f('fk_strategy_sheet_strategy_id_strategy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategy_sheet')),
    sa.UniqueConstraint('participant_id', 'strategy_id', name=op.f('uq_strategy_sheet_participant_id_strategy_id'))
    )
    op.create_table('ballot_rank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_ballot_rank_ballot_id_ballot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategy.id'], name=op.f('fk_ballot_rank_strategy_id_strategy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_rank')),
    sa.UniqueConstraint('ballot_id', 'position', name=op.f('uq_ballot_rank_ballot_id_position')),
    sa.UniqueConstraint('ballot_id', 'strategy_id', name=op.f('uq_ballot_rank_ballot_id_strategy_id'))
    )
    op.create_table('ballot_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('ranking', sa.JSON(), nullable=False),
    sa.Column('channel', sa.Enum('online', 'code', 'paper', name='channel', native_enum=False, length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_ballot_version_ballot_id_ballot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user.id'], name=op.f('fk_ballot_version_entered_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_version')),
    sa.UniqueConstraint('ballot_id', 'version', name=op.f('uq_ballot_version_ballot_id_version'))
    )
    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['user.id'], name=op.f('fk_comment_hidden_by_id_user')),
    sa.ForeignKeyConstraint(['parent_id'], ['comment.id'], name=op.f('fk_comment_parent_id_comment')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_comment_participant_id_participant')),
    sa.ForeignKeyConstraint(['proposal_id'], ['project_proposal.id'], name=op.f('fk_comment_proposal_id_project_proposal')),
    sa.ForeignKeyConstraint(['session_id'], ['consultation_session.id'], name=op.f('fk_comment_session_id_consultation_session')),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategy.id'], name=op.f('fk_comment_strategy_id_strategy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_session_id'), ['session_id'], unique=False)

    op.create_table('proposal_action',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_proposal_action_action_id_action')),
    sa.ForeignKeyConstraint(['proposal_id'], ['project_proposal.id'], name=op.f('fk_proposal_action_proposal_id_project_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'action_id', name=op.f('pk_proposal_action'))
    )
    op.create_table('proposal_support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_proposal_support_participant_id_participant')),
    sa.ForeignKeyConstraint(['proposal_id'], ['project_proposal.id'], name=op.f('fk_proposal_support_proposal_id_project_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_support')),
    sa.UniqueConstraint('proposal_id', 'participant_id', name=op.f('uq_proposal_support_proposal_id_participant_id'))
    )
    op.create_table('sheet_actor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('state', sa.Enum('active', 'to_activate', name='actorstate', native_enum=False, length=15), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['sheet_id'], ['strategy_sheet.id'], name=op.f('fk_sheet_actor_sheet_id_strategy_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_actor'))
    )
    op.create_table('sheet_condition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('condition_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['condition_id'], ['condition_tag.id'], name=op.f('fk_sheet_condition_condition_id_condition_tag')),
    sa.ForeignKeyConstraint(['sheet_id'], ['strategy_sheet.id'], name=op.f('fk_sheet_condition_sheet_id_strategy_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_condition')),
    sa.UniqueConstraint('sheet_id', 'condition_id', name=op.f('uq_sheet_condition_sheet_id_condition_id'))
    )
    op.create_table('sheet_priority_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_sheet_priority_action_action_id_action')),
    sa.ForeignKeyConstraint(['sheet_id'], ['strategy_sheet.id'], name=op.f('fk_sheet_priority_action_sheet_id_strategy_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_priority_action')),
    sa.UniqueConstraint('sheet_id', 'action_id', name=op.f('uq_sheet_priority_action_sheet_id_action_id')),
    sa.UniqueConstraint('sheet_id', 'position', name=op.f('uq_sheet_priority_action_sheet_id_position'))
    )
    op.create_table('comment_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_comment_report_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_comment_report_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_report')),
    sa.UniqueConstraint('comment_id', 'participant_id', name=op.f('uq_comment_report_comment_id_participant_id'))
    )


def downgrade():
    op.drop_table('comment_report')
    op.drop_table('sheet_priority_action')
    op.drop_table('sheet_condition')
    op.drop_table('sheet_actor')
    op.drop_table('proposal_support')
    op.drop_table('proposal_action')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_session_id'))
        batch_op.drop_index(batch_op.f('ix_comment_participant_id'))

    op.drop_table('comment')
    op.drop_table('ballot_version')
    op.drop_table('ballot_rank')
    op.drop_table('strategy_sheet')
    with op.batch_alter_table('project_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_proposal_session_id'))
        batch_op.drop_index(batch_op.f('ix_project_proposal_participant_id'))

    op.drop_table('project_proposal')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_session_id'))

    op.drop_table('ballot')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_session_id'))

    op.drop_table('participant')
    op.drop_table('session_facilitator')
    with op.batch_alter_table('participant_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_code_session_id'))

    op.drop_table('participant_code')
    op.drop_table('consultation_strategy')
    with op.batch_alter_table('consultation_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_session_zone_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_session_consultation_id'))

    op.drop_table('consultation_session')
    op.drop_table('consultation')
    op.drop_table('condition_tag')
