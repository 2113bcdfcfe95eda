"""several funding sources per action, each with its amount

Revision ID: 3d5f8a2c6e71
Revises: 7c1e2f9a4b10
Create Date: 2026-12-06 12:10:00

An action funded by "APBD, CSR" has two rows; the one source of each existing action becomes its first row
(its amount left empty: the action's budget is the total). Downgrade keeps the first source.
"""
from alembic import op
import sqlalchemy as sa


revision = '3d5f8a2c6e71'
down_revision = '7c1e2f9a4b10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'action_funding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_funding_action_id_action')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_funding')),
        sa.UniqueConstraint('action_id', 'source', name='uq_action_funding_action_id'),
    )
    with op.batch_alter_table('action_funding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_funding_action_id'), ['action_id'], unique=False)
    op.execute("INSERT INTO action_funding (action_id, source, amount, position) "
               "SELECT id, funding_source, NULL, 0 FROM action WHERE funding_source IS NOT NULL AND funding_source <> ''")
    # Not a batch copy of the table on SQLite: with foreign keys on (as the app connects) dropping the old
    # `action` table fails while milestones and reports point at it. SQLite ≥ 3.35 drops a plain column itself.
    op.drop_column('action', 'funding_source')


def downgrade():
    op.add_column('action', sa.Column('funding_source', sa.String(length=40), nullable=True))
    op.execute("UPDATE action SET funding_source = (SELECT f.source FROM action_funding f WHERE f.action_id = action.id "
               "ORDER BY f.position, f.id LIMIT 1)")
    with op.batch_alter_table('action_funding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_funding_action_id'))
    op.drop_table('action_funding')
