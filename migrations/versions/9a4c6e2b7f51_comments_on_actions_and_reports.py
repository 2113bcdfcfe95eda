"""a discussion on each action and report: plain text with @mentions, corrected but never deleted

Revision ID: 9a4c6e2b7f51
Revises: 7d2f4a8c1e36
Create Date: 2026-12-06 17:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9a4c6e2b7f51'
down_revision = '7d2f4a8c1e36'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('update_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('corrects_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_comment_action_id_action')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_comment_author_id_user_account')),
        sa.ForeignKeyConstraint(['corrects_id'], ['comment.id'], name=op.f('fk_comment_corrects_id_comment')),
        sa.ForeignKeyConstraint(['update_id'], ['progress_update.id'],
                                name=op.f('fk_comment_update_id_progress_update')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment')),
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_action_created', ['action_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_update_id'), ['update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_corrects_id'), ['corrects_id'], unique=False)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_corrects_id'))
        batch_op.drop_index(batch_op.f('ix_comment_update_id'))
        batch_op.drop_index('ix_comment_action_created')
    op.drop_table('comment')
