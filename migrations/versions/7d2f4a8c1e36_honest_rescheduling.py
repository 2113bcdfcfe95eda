"""moving a due date keeps the first one, counts the moves and needs a reason

Revision ID: 7d2f4a8c1e36
Revises: 3c7e1b9a5d20
Create Date: 2026-12-06 17:00:00

Until now a new due date replaced the old one without a trace outside the change history, and an item moved
past its date stopped counting as late. Actions and milestones keep their first (baseline) due date; for the rows
already there it is the due date they have now, since earlier moves cannot be told apart from the plan as made.
"""
from alembic import op
import sqlalchemy as sa


revision = '7d2f4a8c1e36'
down_revision = '3c7e1b9a5d20'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('action', 'milestone'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('baseline_due_date', sa.Date(), nullable=True))
            batch_op.add_column(sa.Column('reschedule_count', sa.Integer(), nullable=False, server_default='0'))
            batch_op.add_column(sa.Column('due_change_reason', sa.Text(), nullable=True))
        op.execute(f'UPDATE "{table}" SET baseline_due_date = due_date')


def downgrade():
    for table in ('milestone', 'action'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('due_change_reason')
            batch_op.drop_column('reschedule_count')
            batch_op.drop_column('baseline_due_date')
