"""The default reference lists: funding sources, verification findings and reasons for being out of school."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.models import LIST_FUNDING_SOURCE, LIST_VERVAL_REASON, LIST_VERVAL_STATUS, ReferenceItem

# Funding sources as Indonesian regional budgets name them (code, label, English label, aliases). The codes of the
# first release (APBD, APBDES, BOS, CSR, BAZNAS, LAINNYA) stay: stored actions refer to them.
FUNDING_SOURCES = [
    ("APBN", "APBN", "National budget (APBN)", "Anggaran Pendapatan dan Belanja Negara, Dana pusat"),
    ("APBD_PROV", "APBD Provinsi", "Provincial budget (APBD Provinsi)",
     "APBD Prov, APBD Provinsi Kaltim, APBD Kaltim, APBD I"),
    ("APBD", "APBD Kabupaten", "Regency budget (APBD Kabupaten)",
     "APBD, APBD Kab, APBD Kab., APBD Kutim, APBD Kabupaten Kutai Timur, APBD II"),
    ("DAK", "DAK", "Special allocation fund (DAK)", "Dana Alokasi Khusus, DAK Fisik, DAK Non Fisik, DAK Nonfisik"),
    ("APBDES", "Dana Desa/ADD (APBDes)", "Village funds: Dana Desa/ADD (APBDes)",
     "APBDes, Dana Desa, DD, ADD, Alokasi Dana Desa, DD/ADD, APBDesa"),
    ("BOS", "BOS/BOSP", "School operational grant (BOS/BOSP)", "BOS, BOSP, Dana BOS, BOS Reguler, BOS Kinerja"),
    ("BOP", "BOP (PAUD/kesetaraan)", "Operational grant for PAUD and equivalency (BOP)",
     "BOP, BOP PAUD, BOP Kesetaraan, BOP Pendidikan Kesetaraan"),
    ("CSR", "CSR", "Corporate social responsibility (CSR)", "TJSL, TJSLP, TJSP, Dana CSR, CSR Perusahaan"),
    ("BAZNAS", "Baznas/zakat", "Baznas (zakat)", "Baznas, Zakat, ZIS, Dana zakat"),
    ("SWADAYA", "Swadaya masyarakat", "Community self-help (swadaya)", "Swadaya, Partisipasi masyarakat"),
    ("HIBAH", "Hibah", "Grant (hibah)", "Dana hibah, Bantuan hibah"),
    ("LAINNYA", "Lainnya", "Other", "Lain-lain, Sumber lain"),
]

# Verification findings (issue 6). "ats_valid" is the one that confirms a child is out of school.
VERVAL_STATUSES = [
    ("ats_valid", "ATS valid (memang tidak bersekolah)", "Confirmed out of school"),
    ("masih_sekolah", "Masih/sudah bersekolah", "In school"),
    ("pesantren", "Di pesantren/madrasah", "In a pesantren or madrasah"),
    ("luar_daerah", "Sekolah di luar daerah", "In school outside the regency"),
    ("pindah", "Pindah domisili", "Moved away"),
    ("meninggal", "Meninggal dunia", "Deceased"),
    ("tidak_ditemukan", "Tidak ditemukan", "Not found"),
    ("luar_usia", "Di luar usia 7–18 tahun", "Outside ages 7–18"),
    ("data_ganda", "Data ganda", "Duplicate record"),
]
VERVAL_REASONS = [
    ("ekonomi", "Ekonomi", "Economic"),
    ("bekerja", "Bekerja", "Working"),
    ("menikah", "Menikah/hamil", "Married or pregnant"),
    ("disabilitas", "Disabilitas", "Disability"),
    ("jarak", "Jarak/akses", "Distance or access"),
    ("tidak_berminat", "Tidak berminat", "Not interested"),
    ("keluarga", "Keluarga/sosial", "Family or social"),
    ("kesehatan", "Kesehatan", "Health"),
    ("lainnya", "Lainnya", "Other"),
]
DEFAULT_LISTS: dict[str, Sequence[tuple[str, ...]]] = {
    LIST_FUNDING_SOURCE: FUNDING_SOURCES, LIST_VERVAL_STATUS: VERVAL_STATUSES, LIST_VERVAL_REASON: VERVAL_REASONS}


def load_reference_lists(session: Session) -> None:
    """Adds the default items that are missing (an item an admin deactivated stays deactivated)."""
    have = {(n, c) for n, c in session.execute(select(ReferenceItem.list_name, ReferenceItem.code))}
    for list_name, items in DEFAULT_LISTS.items():
        for pos, item in enumerate(items):
            code, label_id, label_en = item[:3]
            if (list_name, code) not in have:
                session.add(ReferenceItem(list_name=list_name, code=code, label_id=label_id, label_en=label_en,
                                          aliases=item[3] if len(item) > 3 else "", position=pos))
    session.flush()
