"""NIK masks keep only the regency's four digits

Revision ID: 8e4a6c2d9b13
Revises: 5b2e8d4f1a90
Create Date: 2026-12-06 13:30:00

The stored mask kept the NIK's first four and last four digits. With the desa (the kecamatan digits) and the
birth date and sex (six more) in clear, that rebuilt every NIK without CHILD_DATA_KEY, from the database or from
any backup. The masks keep the first four digits only (verval/child_data.mask_nik). Not reversible: the serial
digits are gone from the clear column (the encrypted NIK keeps them).
"""
from alembic import op


revision = '8e4a6c2d9b13'
down_revision = '5b2e8d4f1a90'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE child SET nik_masked = substr(nik_masked, 1, 4) || '••••••••••••' "
               "WHERE nik_masked IS NOT NULL")


def downgrade():
    pass  # the removed digits cannot come back from the clear columns, by design
