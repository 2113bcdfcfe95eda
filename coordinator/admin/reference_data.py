"""Loading the real areas of Kutim and the default reference lists."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.models import LIST_FUNDING_SOURCE, LIST_VERVAL_REASON, LIST_VERVAL_STATUS, Area, ReferenceItem

WILAYAH_CSV = Path(__file__).resolve().parent.parent / "data" / "kutim_wilayah.csv"

FUNDING_SOURCES = [
    ("APBD", "APBD", "Regional budget (APBD)"),
    ("APBDES", "APBDes/Dana Desa", "Village budget (APBDes/Dana Desa)"),
    ("BOS", "BOS", "School operational grant (BOS)"),
    ("CSR", "CSR", "Corporate social responsibility (CSR)"),
    ("BAZNAS", "Baznas", "Baznas (zakat)"),
    ("LAINNYA", "Lainnya", "Other"),
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
DEFAULT_LISTS = {LIST_FUNDING_SOURCE: FUNDING_SOURCES, LIST_VERVAL_STATUS: VERVAL_STATUSES,
                 LIST_VERVAL_REASON: VERVAL_REASONS}


def load_kutim_areas(session: Session, code_prefix: str | None = None, name_suffix: str = "") -> int:
    """The 18 kecamatan and 141 desa/kelurahan. A prefix and suffix make copies for --scale."""
    existing = set(session.scalars(select(Area.kode)))
    added = 0
    with WILAYAH_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))

    def kode(k: str) -> str:
        return (code_prefix + k[5:]) if code_prefix else k

    seen_kec: set[str] = set()
    for row in rows:
        kec = kode(row["kode_kecamatan"])
        if kec not in seen_kec and kec not in existing:
            session.add(Area(kode=kec, nama=row["kecamatan"] + name_suffix, level="kecamatan", jenis=None))
            added += 1
        seen_kec.add(kec)
    session.flush()
    for row in rows:
        desa = kode(row["kode_desa"])
        if desa not in existing:
            session.add(Area(kode=desa, nama=row["desa"] + name_suffix, level="desa", jenis=row["jenis"],
                             parent_kode=kode(row["kode_kecamatan"])))
            added += 1
    session.flush()
    return added


def load_reference_lists(session: Session) -> None:
    """Adds the default items that are missing (an item an admin deactivated stays deactivated)."""
    have = {(n, c) for n, c in session.execute(select(ReferenceItem.list_name, ReferenceItem.code))}
    for list_name, items in DEFAULT_LISTS.items():
        for pos, (code, label_id, label_en) in enumerate(items):
            if (list_name, code) not in have:
                session.add(ReferenceItem(list_name=list_name, code=code, label_id=label_id, label_en=label_en,
                                          position=pos))
    session.flush()
