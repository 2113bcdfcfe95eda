"""verval without signal: a device's key for the encrypted offline package, and each synced record once

Revision ID: f2d8b6c4a1e9
Revises: e7c1a5d9b3f2
Create Date: 2026-12-06 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f2d8b6c4a1e9'
down_revision = 'e7c1a5d9b3f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'offline_device',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.String(length=64), nullable=False),
        sa.Column('session_token', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_offline_device_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_device')),
        sa.UniqueConstraint('user_id', 'device_id', name='uq_offline_device_user_device'),
    )
    op.create_index(op.f('ix_offline_device_user_id'), 'offline_device', ['user_id'], unique=False)
    op.create_table(
        'offline_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('base_verification_id', sa.Integer(), nullable=True),
        sa.Column('result', sa.String(length=10), nullable=False),
        sa.Column('message', sa.String(length=300), nullable=True),
        sa.Column('verification_id', sa.Integer(), nullable=True),
        sa.Column('conflict_with_id', sa.Integer(), nullable=True),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_offline_record_child_id_child')),
        sa.ForeignKeyConstraint(['conflict_with_id'], ['child_verification.id'],
                                name=op.f('fk_offline_record_conflict_with_id_child_verification')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_offline_record_user_id_user_account')),
        sa.ForeignKeyConstraint(['verification_id'], ['child_verification.id'],
                                name=op.f('fk_offline_record_verification_id_child_verification')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_record')),
        sa.UniqueConstraint('user_id', 'client_id', name='uq_offline_record_user_client'),
    )
    op.create_index(op.f('ix_offline_record_user_id'), 'offline_record', ['user_id'], unique=False)
    op.create_index(op.f('ix_offline_record_child_id'), 'offline_record', ['child_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_offline_record_child_id'), table_name='offline_record')
    op.drop_index(op.f('ix_offline_record_user_id'), table_name='offline_record')
    op.drop_table('offline_record')
    op.drop_index(op.f('ix_offline_device_user_id'), table_name='offline_device')
    op.drop_table('offline_device')
