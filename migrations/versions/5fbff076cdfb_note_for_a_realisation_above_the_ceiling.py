"""a note for a budget realisation above the action's ceiling

Revision ID: 5fbff076cdfb
Revises: 8e4a6c2d9b13
Create Date: 2026-12-07 09:00:00

An agency's cumulative realisation above the action's ceiling (pagu), alone or summed with the other agencies'
latest figures, is accepted only with a note saying why (coordinator/actions/budget.py). Earlier reports keep
no note.
"""
from alembic import op
import sqlalchemy as sa


revision = '5fbff076cdfb'
down_revision = '8e4a6c2d9b13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('budget_note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.drop_column('budget_note')
