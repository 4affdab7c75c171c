"""Uploaded files of paper ballots kept between their preview and their confirmation.

Revision ID: b7c1a2d3e4f5
Revises: f09c6aff606c
Create Date: 2026-11-30 19:00:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'b7c1a2d3e4f5'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('paper_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['consultation_session.id'], name=op.f('fk_paper_upload_session_id_consultation_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_paper_upload_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_upload')),
    sa.UniqueConstraint('token', name=op.f('uq_paper_upload_token'))
    )
    with op.batch_alter_table('paper_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_upload_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('paper_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_upload_session_id'))
    op.drop_table('paper_upload')
