"""coordination meetings (rapat koordinasi) with attendance, files, and the follow-ups their decisions create

Revision ID: b5e2d7f3a9c4
Revises: 9a4c6e2b7f51
Create Date: 2026-12-06 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b5e2d7f3a9c4'
down_revision = '9a4c6e2b7f51'
branch_labels = None
depends_on = None


def _file_columns():
    return [
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    ]


def upgrade():
    op.create_table(
        'meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('start_time', sa.String(length=5), nullable=True),
        sa.Column('place', sa.String(length=200), nullable=True),
        sa.Column('online_url', sa.String(length=500), nullable=True),
        sa.Column('chair', sa.String(length=200), nullable=False),
        sa.Column('agenda', sa.Text(), nullable=True),
        sa.Column('minutes', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_meeting_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    )
    op.create_index(op.f('ix_meeting_held_on'), 'meeting', ['held_on'], unique=False)
    op.create_table(
        'meeting_attendance',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('present', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_meeting_attendance_agency_id_agency')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'],
                                name=op.f('fk_meeting_attendance_meeting_id_meeting')),
        sa.PrimaryKeyConstraint('meeting_id', 'agency_id', name=op.f('pk_meeting_attendance')),
    )
    op.create_index(op.f('ix_meeting_attendance_agency_id'), 'meeting_attendance', ['agency_id'], unique=False)
    op.create_table(
        'meeting_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        *_file_columns(),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_file_meeting_id_meeting')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
                                name=op.f('fk_meeting_file_uploaded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_file')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_meeting_file_stored_name')),
    )
    op.create_index(op.f('ix_meeting_file_meeting_id'), 'meeting_file', ['meeting_id'], unique=False)
    op.create_table(
        'follow_up',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('baseline_due_date', sa.Date(), nullable=True),
        sa.Column('reschedule_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('due_change_reason', sa.Text(), nullable=True),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('area_kode', sa.String(length=20), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('closing_note', sa.Text(), nullable=True),
        sa.Column('closing_submitted_at', sa.DateTime(), nullable=True),
        sa.Column('closing_submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('review_comment', sa.Text(), nullable=True),
        sa.Column('cancel_reason', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_follow_up_action_id_action')),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_follow_up_agency_id_agency')),
        sa.ForeignKeyConstraint(['area_kode'], ['area.kode'], name=op.f('fk_follow_up_area_kode_area')),
        sa.ForeignKeyConstraint(['closing_submitted_by_id'], ['user_account.id'],
                                name=op.f('fk_follow_up_closing_submitted_by_id_user_account')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_follow_up_meeting_id_meeting')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'],
                                name=op.f('fk_follow_up_reviewed_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up')),
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_action_id'), ['action_id'], unique=False)
        batch_op.create_index('ix_follow_up_state_due', ['state', 'due_date'], unique=False)
    op.create_table(
        'follow_up_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('follow_up_id', sa.Integer(), nullable=False),
        *_file_columns(),
        sa.ForeignKeyConstraint(['follow_up_id'], ['follow_up.id'],
                                name=op.f('fk_follow_up_evidence_follow_up_id_follow_up')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
                                name=op.f('fk_follow_up_evidence_uploaded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_evidence')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_follow_up_evidence_stored_name')),
    )
    op.create_index(op.f('ix_follow_up_evidence_follow_up_id'), 'follow_up_evidence', ['follow_up_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_follow_up_evidence_follow_up_id'), table_name='follow_up_evidence')
    op.drop_table('follow_up_evidence')
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_state_due')
        batch_op.drop_index(batch_op.f('ix_follow_up_action_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_agency_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_meeting_id'))
    op.drop_table('follow_up')
    op.drop_index(op.f('ix_meeting_file_meeting_id'), table_name='meeting_file')
    op.drop_table('meeting_file')
    op.drop_index(op.f('ix_meeting_attendance_agency_id'), table_name='meeting_attendance')
    op.drop_table('meeting_attendance')
    op.drop_index(op.f('ix_meeting_held_on'), table_name='meeting')
    op.drop_table('meeting')
