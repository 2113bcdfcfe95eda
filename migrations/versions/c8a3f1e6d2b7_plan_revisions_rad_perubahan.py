"""plan revisions (RAD perubahan) group the plan changes made while one is open; an action can be merged into another

Revision ID: c8a3f1e6d2b7
Revises: b5e2d7f3a9c4
Create Date: 2026-12-06 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c8a3f1e6d2b7'
down_revision = 'b5e2d7f3a9c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'plan_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('legal_basis', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('adopted_at', sa.DateTime(), nullable=True),
        sa.Column('adopted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['adopted_by_id'], ['user_account.id'],
                                name=op.f('fk_plan_revision_adopted_by_id_user_account')),
        sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'],
                                name=op.f('fk_plan_revision_opened_by_id_user_account')),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_revision_plan_id_plan')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_revision')),
    )
    op.create_index('uq_plan_revision_open', 'plan_revision', ['plan_id'], unique=True,
                    sqlite_where=sa.text('adopted_at IS NULL'), postgresql_where=sa.text('adopted_at IS NULL'))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_revision_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entry_plan_revision_id'), ['plan_revision_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_entry_plan_revision_id_plan_revision'), 'plan_revision',
                                    ['plan_revision_id'], ['id'])
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_action_merged_into_id_action'), 'action', ['merged_into_id'],
                                    ['id'])


def downgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_action_merged_into_id_action'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_entry_plan_revision_id_plan_revision'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_entry_plan_revision_id'))
        batch_op.drop_column('plan_revision_id')
    op.drop_index('uq_plan_revision_open', table_name='plan_revision',
                  sqlite_where=sa.text('adopted_at IS NULL'), postgresql_where=sa.text('adopted_at IS NULL'))
    op.drop_table('plan_revision')
