"""calendar feed tokens stored as their SHA-256, with a short prefix to tell links apart

Revision ID: 5b2e8d4f1a90
Revises: 3d5f8a2c6e71
Create Date: 2026-12-06 13:00:00

Each existing token is replaced by its hash (the same function as coordinator/calendar/feed.py's hash_token, written
out here so this migration never changes with the code), so every URL already subscribed in a calendar app keeps
working. Downgrade cannot bring the secrets back: each feed gets a new random token, shown again on its owner's
page by the older code, and the links already installed stop working.
"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa


revision = '5b2e8d4f1a90'
down_revision = '3d5f8a2c6e71'
branch_labels = None
depends_on = None

PREFIX_CHARS = 6


def hash_token(token):
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def _feeds(*columns):
    return sa.table('calendar_feed', sa.column('id', sa.Integer()),
                    *(sa.column(name, sa.String()) for name in columns))


def upgrade():
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('prefix', sa.String(length=12), nullable=True))
    conn = op.get_bind()
    feed = _feeds('token', 'token_hash', 'prefix')
    for feed_id, token in conn.execute(sa.select(feed.c.id, feed.c.token)).all():
        conn.execute(feed.update().where(feed.c.id == feed_id)
                     .values(token_hash=hash_token(token), prefix=token[:PREFIX_CHARS]))
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_calendar_feed_token'), type_='unique')
        batch_op.drop_column('token')
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prefix', existing_type=sa.String(length=12), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_calendar_feed_token_hash'), ['token_hash'])


def downgrade():
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    feed = _feeds('token')
    for (feed_id,) in conn.execute(sa.select(feed.c.id)).all():
        conn.execute(feed.update().where(feed.c.id == feed_id).values(token=secrets.token_urlsafe(32)))
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_calendar_feed_token_hash'), type_='unique')
        batch_op.drop_column('prefix')
        batch_op.drop_column('token_hash')
        batch_op.alter_column('token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_calendar_feed_token'), ['token'])
