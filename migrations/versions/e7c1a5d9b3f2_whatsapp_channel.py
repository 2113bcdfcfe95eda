"""WhatsApp as a second delivery channel: users' numbers and opt-in, outbox messages by channel with their
provider id and delivery status

Revision ID: e7c1a5d9b3f2
Revises: d4b9e2a7c5f1
Create Date: 2026-12-06 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e7c1a5d9b3f2'
down_revision = 'd4b9e2a7c5f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('whatsapp_opt_in_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('whatsapp_failed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('whatsapp_failed_reason', sa.String(length=300), nullable=True))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), server_default='email', nullable=False))
        batch_op.add_column(sa.Column('template_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('template_language', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('template_params', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('provider_message_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('delivery_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('delivery_updated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_provider_message_id'), ['provider_message_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_provider_message_id'))
        for column in ('delivery_updated_at', 'delivery_status', 'provider_message_id', 'template_params',
                       'template_language', 'template_name', 'channel'):
            batch_op.drop_column(column)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        for column in ('whatsapp_failed_reason', 'whatsapp_failed_at', 'whatsapp_opt_in_at', 'phone'):
            batch_op.drop_column(column)
