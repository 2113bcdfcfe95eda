"""an indicator has an owner agency and a reporting frequency; values entered by its focal points are reviewed

Revision ID: d4b9e2a7c5f1
Revises: c8a3f1e6d2b7
Create Date: 2026-12-06 19:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd4b9e2a7c5f1'
down_revision = 'c8a3f1e6d2b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('frequency', sa.String(length=12), nullable=True))
        batch_op.create_index(batch_op.f('ix_indicator_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_indicator_owner_agency_id_agency'), 'agency', ['owner_agency_id'],
                                    ['id'])
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_status', sa.String(length=12), server_default='diterima',
                                      nullable=False))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('review_comment', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_indicator_value_reviewed_by_id_user_account'), 'user_account',
                                    ['reviewed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicator_value_reviewed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('review_comment')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('review_status')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicator_owner_agency_id_agency'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_indicator_owner_agency_id'))
        batch_op.drop_column('frequency')
        batch_op.drop_column('owner_agency_id')
