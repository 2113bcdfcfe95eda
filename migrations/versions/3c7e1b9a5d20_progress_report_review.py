"""progress reports are reviewed: submitted, accepted or returned; the accepted version in force is counted

Revision ID: 3c7e1b9a5d20
Revises: 5fbff076cdfb
Create Date: 2026-12-06 16:00:00

Until now a report went straight into the figures and the leaders' PDF. Reports already posted stay as they
were read: accepted, and counted when current (a superseded version is history). A report posted after its
month was closed names the later month whose report lists it as an addendum.
"""
from alembic import op
import sqlalchemy as sa


revision = '3c7e1b9a5d20'
down_revision = '5fbff076cdfb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_status', sa.String(length=12), nullable=False,
                                      server_default='diterima'))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('review_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('counted', sa.Boolean(), nullable=False, server_default=sa.text('false')))
        batch_op.add_column(sa.Column('addendum_period', sa.Date(), nullable=True))
        batch_op.create_foreign_key('fk_progress_update_reviewed_by_id_user_account', 'user_account',
                                    ['reviewed_by_id'], ['id'])
        batch_op.create_index('ix_progress_review_queue', ['review_status', 'created_at'], unique=False)
        batch_op.create_index('ix_progress_counted_period', ['counted', 'period'], unique=False)
    op.execute("UPDATE progress_update SET counted = (superseded_at IS NULL)")
    with op.batch_alter_table('reminder_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_wait_days', sa.Integer(), nullable=False, server_default='5'))


def downgrade():
    with op.batch_alter_table('reminder_settings', schema=None) as batch_op:
        batch_op.drop_column('review_wait_days')
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_counted_period')
        batch_op.drop_index('ix_progress_review_queue')
        batch_op.drop_constraint('fk_progress_update_reviewed_by_id_user_account', type_='foreignkey')
        batch_op.drop_column('addendum_period')
        batch_op.drop_column('counted')
        batch_op.drop_column('review_comment')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('review_status')
