"""funding source aliases, and the funding sources of Indonesian regional budgets

Revision ID: 7c1e2f9a4b10
Revises: dd1d1773b87a
Create Date: 2026-12-06 11:10:00

An installation whose funding list is already filled gets the new sources and the aliases of the old ones
(labels an admin changed stay); an empty list is filled by `flask setup` or `flask seed-demo`.
"""
from alembic import op
import sqlalchemy as sa


revision = '7c1e2f9a4b10'
down_revision = 'dd1d1773b87a'
branch_labels = None
depends_on = None

# (code, label, English label, aliases, label of the first release)
FUNDING = [
    ("APBN", "APBN", "National budget (APBN)", "Anggaran Pendapatan dan Belanja Negara, Dana pusat", None),
    ("APBD_PROV", "APBD Provinsi", "Provincial budget (APBD Provinsi)",
     "APBD Prov, APBD Provinsi Kaltim, APBD Kaltim, APBD I", None),
    ("APBD", "APBD Kabupaten", "Regency budget (APBD Kabupaten)",
     "APBD, APBD Kab, APBD Kab., APBD Kutim, APBD Kabupaten Kutai Timur, APBD II", "APBD"),
    ("DAK", "DAK", "Special allocation fund (DAK)", "Dana Alokasi Khusus, DAK Fisik, DAK Non Fisik, DAK Nonfisik",
     None),
    ("APBDES", "Dana Desa/ADD (APBDes)", "Village funds: Dana Desa/ADD (APBDes)",
     "APBDes, Dana Desa, DD, ADD, Alokasi Dana Desa, DD/ADD, APBDesa", "APBDes/Dana Desa"),
    ("BOS", "BOS/BOSP", "School operational grant (BOS/BOSP)", "BOS, BOSP, Dana BOS, BOS Reguler, BOS Kinerja",
     "BOS"),
    ("BOP", "BOP (PAUD/kesetaraan)", "Operational grant for PAUD and equivalency (BOP)",
     "BOP, BOP PAUD, BOP Kesetaraan, BOP Pendidikan Kesetaraan", None),
    ("CSR", "CSR", "Corporate social responsibility (CSR)", "TJSL, TJSLP, TJSP, Dana CSR, CSR Perusahaan", "CSR"),
    ("BAZNAS", "Baznas/zakat", "Baznas (zakat)", "Baznas, Zakat, ZIS, Dana zakat", "Baznas"),
    ("SWADAYA", "Swadaya masyarakat", "Community self-help (swadaya)", "Swadaya, Partisipasi masyarakat", None),
    ("HIBAH", "Hibah", "Grant (hibah)", "Dana hibah, Bantuan hibah", None),
    ("LAINNYA", "Lainnya", "Other", "Lain-lain, Sumber lain", "Lainnya"),
]


def upgrade():
    with op.batch_alter_table('reference_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.String(length=400), server_default='', nullable=False))

    conn = op.get_bind()
    item = sa.table('reference_item', sa.column('id', sa.Integer), sa.column('list_name', sa.String),
                    sa.column('code', sa.String), sa.column('label_id', sa.String), sa.column('label_en', sa.String),
                    sa.column('aliases', sa.String), sa.column('position', sa.Integer),
                    sa.column('active', sa.Boolean))
    have = {code: label for code, label in conn.execute(
        sa.select(item.c.code, item.c.label_id).where(item.c.list_name == 'sumber_dana'))}
    if not have:
        return
    for pos, (code, label, label_en, aliases, first_label) in enumerate(FUNDING):
        if code in have:
            values = {'aliases': aliases, 'position': pos}
            if have[code] == first_label:
                values.update(label_id=label, label_en=label_en)
            conn.execute(item.update().where(item.c.list_name == 'sumber_dana', item.c.code == code).values(**values))
        else:
            conn.execute(item.insert().values(list_name='sumber_dana', code=code, label_id=label, label_en=label_en,
                                              aliases=aliases, position=pos, active=True))


def downgrade():
    with op.batch_alter_table('reference_item', schema=None) as batch_op:
        batch_op.drop_column('aliases')
